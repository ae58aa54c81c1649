package dev.hybridrouter.specialists;

import dev.hybridrouter.gateway.ApiKeys;
import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.openai.OpenAiCompatibleChatClient;
import java.util.function.UnaryOperator;

/** Builds specialists: a model server's client with the specialist's prompt in front. */
public final class Specialists {

    private Specialists() {}

    /**
     * @param env reads environment variables (API keys)
     * @throws dev.hybridrouter.gateway.UpstreamNotConfiguredException when the server's API key cannot be read
     */
    public static Specialist create(SpecialistSettings settings, UpstreamHttpClient http, UnaryOperator<String> env) {
        String name = "specialist '" + settings.name() + "'";
        String apiKey = settings.apiKeyEnv() == null ? null : ApiKeys.read(name, settings.apiKeyEnv(), null, env);
        ChatClient model = new OpenAiCompatibleChatClient(
                name, apiBaseUrl(settings), settings.model(), apiKey, http, settings.connectTimeout());
        return new Specialist(settings.name(), model, Specialist.preamble(settings));
    }

    /** Ollama's OpenAI-compatible API lives under {@code /v1} of its base URL. */
    static String apiBaseUrl(SpecialistSettings settings) {
        String url = settings.baseUrl().replaceAll("/+$", "");
        if (settings.provider() == SpecialistSettings.Provider.OLLAMA && !url.endsWith("/v1")) {
            return url + "/v1";
        }
        return url;
    }
}
