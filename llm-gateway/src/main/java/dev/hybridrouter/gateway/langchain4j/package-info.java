/**
 * Models behind LangChain4j's {@code StreamingChatModel}: providers with a wire format of their own
 * (Anthropic) and in-process models. The OpenAI request is mapped to LangChain4j's completely, a field
 * the provider cannot honour is reported instead of dropped, and the answer is mapped back, streamed
 * tool calls included. Remote ones reach their API through the router's pooled Reactor Netty client.
 */
package dev.hybridrouter.gateway.langchain4j;
