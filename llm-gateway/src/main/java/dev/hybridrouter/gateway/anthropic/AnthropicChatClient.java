package dev.hybridrouter.gateway.anthropic;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.langchain4j.Dialect;
import dev.hybridrouter.gateway.langchain4j.LangChain4jChatClient;
import dev.hybridrouter.gateway.langchain4j.NettyHttpClient;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Claude through Anthropic's Messages API. It honours tools (named tool choice, serial tool calls, strict
 * schemas), JSON-schema answers, images and {@code user}; it has no log-probabilities, seed, penalties or
 * schemaless JSON mode, so requests asking for those get a 400 naming them.
 */
public final class AnthropicChatClient {

    /** Anthropic's API, when the policy names no other base URL. */
    public static final String BASE_URL = "https://api.anthropic.com/v1/";

    /** Anthropic requires an answer length limit on every request; used when the caller sets none. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    static final Dialect DIALECT = new Dialect() {

        private final Set<Feature> supported = EnumSet.of(
                Feature.TOOLS,
                Feature.NAMED_TOOL_CHOICE,
                Feature.SERIAL_TOOL_CALLS,
                Feature.STRICT_TOOLS,
                Feature.JSON_SCHEMA,
                Feature.USER,
                Feature.IMAGES);

        @Override
        public String provider() {
            return "anthropic";
        }

        @Override
        public boolean supports(Feature feature) {
            return supported.contains(feature);
        }

        @Override
        public ChatRequestParameters parameters(ChatCompletionRequest request, ChatRequestParameters common) {
            var choice = request.toolChoice();
            String named = choice != null && choice.isObject()
                    ? choice.path("function").path("name").asString(null)
                    : null;
            return AnthropicChatRequestParameters.builder()
                    .overrideWith(common)
                    .userId(request.user())
                    .toolChoiceName(named)
                    .disableParallelToolUse(Boolean.FALSE.equals(request.parallelToolCalls()) ? Boolean.TRUE : null)
                    .build();
        }
    };

    private AnthropicChatClient() {}

    /**
     * @param name how errors name the model, e.g. {@code large model 'claude'}
     * @param baseUrl the API's base URL, or {@code null} for {@link #BASE_URL}
     * @param timeout the longest a whole call may take
     */
    public static ChatClient create(
            String name,
            String baseUrl,
            String model,
            String apiKey,
            UpstreamHttpClient http,
            Duration connectTimeout,
            Duration timeout,
            Clock clock) {
        AnthropicStreamingChatModel streaming = AnthropicStreamingChatModel.builder()
                .httpClientBuilder(NettyHttpClient.builder(name, http, timeout).connectTimeout(connectTimeout))
                .baseUrl(baseUrl != null ? baseUrl : BASE_URL)
                .apiKey(apiKey)
                .modelName(model)
                .maxTokens(DEFAULT_MAX_TOKENS)
                .customHeaders(LangChain4jChatClient.callHeaders())
                .build();
        return new LangChain4jChatClient(name, model, streaming, DIALECT, DEFAULT_MAX_TOKENS, clock);
    }
}
