/** Anthropic's Messages API, through LangChain4j's Anthropic models on the router's pooled client. */
package dev.hybridrouter.gateway.anthropic;
