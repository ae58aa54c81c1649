package dev.hybridrouter.gateway;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

/**
 * A large remote model.
 *
 * @param name the model's name in the policy
 * @param chatModel answers whole responses
 * @param streamingChatModel answers token by token
 */
public record LargeModel(String name, ChatModel chatModel, StreamingChatModel streamingChatModel) {

    static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
    static final String ANTHROPIC_BASE_URL = "https://api.anthropic.com/v1/";

    /** Anthropic requires a maximum answer length on every request; used when the caller gives none. */
    static final int ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

    /**
     * Builds the clients for one large model. Clients never retry on their own: retries are the
     * caller's decision. Time limits are the HTTP client's (connect and read timeouts) and the caller's.
     *
     * @param http the HTTP client every call goes through
     */
    public static LargeModel create(LargeModelSettings settings, HttpClientBuilder http) {
        return switch (settings.provider()) {
            case OPENAI, OPENAI_COMPATIBLE -> {
                String baseUrl = settings.baseUrl() != null ? settings.baseUrl() : OPENAI_BASE_URL;
                yield new LargeModel(
                        settings.name(),
                        OpenAiChatModel.builder()
                                .httpClientBuilder(http)
                                .baseUrl(baseUrl)
                                .apiKey(settings.apiKey())
                                .modelName(settings.model())
                                .maxRetries(0)
                                .build(),
                        OpenAiStreamingChatModel.builder()
                                .httpClientBuilder(http)
                                .baseUrl(baseUrl)
                                .apiKey(settings.apiKey())
                                .modelName(settings.model())
                                .build());
            }
            case ANTHROPIC -> {
                String baseUrl = settings.baseUrl() != null ? settings.baseUrl() : ANTHROPIC_BASE_URL;
                yield new LargeModel(
                        settings.name(),
                        AnthropicChatModel.builder()
                                .httpClientBuilder(http)
                                .baseUrl(baseUrl)
                                .apiKey(settings.apiKey())
                                .modelName(settings.model())
                                .maxTokens(ANTHROPIC_DEFAULT_MAX_TOKENS)
                                .maxRetries(0)
                                .build(),
                        AnthropicStreamingChatModel.builder()
                                .httpClientBuilder(http)
                                .baseUrl(baseUrl)
                                .apiKey(settings.apiKey())
                                .modelName(settings.model())
                                .maxTokens(ANTHROPIC_DEFAULT_MAX_TOKENS)
                                .build());
            }
        };
    }
}
