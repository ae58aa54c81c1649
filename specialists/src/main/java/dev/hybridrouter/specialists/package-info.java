/**
 * Local domain-specialist small language models: a specialist is a name, a backend (any
 * OpenAI-compatible server, or Ollama) and the prompt that adapts a small model to its domain.
 */
package dev.hybridrouter.specialists;
