/**
 * Upstreams that speak the OpenAI Chat Completions API themselves (OpenAI, vLLM, llama.cpp server, LM
 * Studio, LocalAI, Ollama's {@code /v1}): the caller's request is forwarded as it came, with only the
 * model name changed, and answers and stream chunks come back the same way.
 */
package dev.hybridrouter.gateway.openai;
