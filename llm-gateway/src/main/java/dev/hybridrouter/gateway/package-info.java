/** Large remote models (OpenAI, Anthropic, any OpenAI-compatible endpoint), reached through LangChain4j. */
package dev.hybridrouter.gateway;
