package dev.hybridrouter.specialists;

import dev.hybridrouter.gateway.ApiKeys;
import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.openai.OpenAiCompatibleChatClient;
import dev.hybridrouter.specialists.inprocess.InProcessEngine;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** Builds specialists: the model's client (a model server's, or the in-process engine's) with the prompt in front. */
public final class Specialists {

    private final UpstreamHttpClient http;
    private final InProcessEngine engine;
    private final UnaryOperator<String> env;
    private final Clock clock;

    /**
     * @param http the pooled client for model servers
     * @param engine runs in-process models, or {@code null} for model servers only
     * @param env reads environment variables (API keys)
     */
    public Specialists(UpstreamHttpClient http, InProcessEngine engine, UnaryOperator<String> env, Clock clock) {
        this.http = http;
        this.engine = engine;
        this.env = env;
        this.clock = clock;
    }

    /**
     * Builds specialists on model servers only, for tools that call no in-process model (and so load no native
     * library).
     */
    public Specialists(UpstreamHttpClient http, UnaryOperator<String> env, Clock clock) {
        this(http, null, env, clock);
    }

    /**
     * @throws dev.hybridrouter.gateway.UpstreamNotConfiguredException when the server's API key cannot be read
     * @throws IllegalArgumentException for an in-process specialist when these specialists have no engine
     */
    public Specialist create(SpecialistSettings settings) {
        String name = "specialist '" + settings.name() + "'";
        return new Specialist(settings.name(), model(name, settings), Specialist.preamble(settings));
    }

    private ChatClient model(String name, SpecialistSettings settings) {
        if (settings.provider() == SpecialistSettings.Provider.IN_PROCESS) {
            if (engine == null) {
                throw new IllegalArgumentException(name + " runs in process, and these specialists have no engine");
            }
            return engine.chatClient(name, settings, clock);
        }
        String apiKey = settings.apiKeyEnv() == null ? null : ApiKeys.read(name, settings.apiKeyEnv(), null, env);
        return new OpenAiCompatibleChatClient(
                name, apiBaseUrl(settings), settings.model(), apiKey, http, settings.connectTimeout());
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
