/**
 * The gateway to models: the OpenAI wire model ({@code wire}), one pooled non-blocking HTTP client, and
 * a {@link dev.hybridrouter.gateway.ChatClient} per provider: OpenAI-compatible APIs forwarded as they
 * are ({@code openai}), providers with another wire format mapped through LangChain4j ({@code anthropic},
 * {@code langchain4j}). Large remote models are built by {@link dev.hybridrouter.gateway.LargeModels}.
 * Plain Java and Reactor: nothing here knows Spring or the router service.
 */
package dev.hybridrouter.gateway;
