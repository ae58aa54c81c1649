/**
 * Local domain-specialist small language models: what makes a model a specialist (its system prompt and
 * few-shot turns, put before every conversation) in front of the model's own client from the gateway
 * (any OpenAI-compatible server, or Ollama through its {@code /v1} API).
 */
package dev.hybridrouter.specialists;
