package dev.hybridrouter.gateway;

import dev.hybridrouter.gateway.anthropic.AnthropicChatClient;
import dev.hybridrouter.gateway.openai.OpenAiCompatibleChatClient;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** Builds the client of a large remote model, its API key read from where the policy says. */
public final class LargeModels {

    /** OpenAI's API, when the policy names no other base URL. */
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

    private LargeModels() {}

    /**
     * @param env reads environment variables (API keys)
     * @throws UpstreamNotConfiguredException when the model's API key cannot be read
     */
    public static ChatClient create(
            LargeModelSettings settings, UpstreamHttpClient http, UnaryOperator<String> env, Clock clock) {
        String name = "large model '" + settings.name() + "'";
        String apiKey = ApiKeys.read(name, settings.apiKeyEnv(), settings.apiKeyFile(), env);
        return switch (settings.provider()) {
            case OPENAI, OPENAI_COMPATIBLE -> new OpenAiCompatibleChatClient(
                    name,
                    settings.baseUrl() != null ? settings.baseUrl() : OPENAI_BASE_URL,
                    settings.model(),
                    apiKey,
                    http,
                    settings.connectTimeout());
            case ANTHROPIC -> AnthropicChatClient.create(
                    name,
                    settings.baseUrl(),
                    settings.model(),
                    apiKey,
                    http,
                    settings.connectTimeout(),
                    settings.timeout(),
                    clock);
        };
    }
}
