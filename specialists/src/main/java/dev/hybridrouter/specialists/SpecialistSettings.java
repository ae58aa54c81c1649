package dev.hybridrouter.specialists;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build one specialist. API keys are never part of the settings: only where to find
 * them.
 *
 * @param name the specialist's name
 * @param provider the kind of server the model runs on
 * @param baseUrl the server's base URL, e.g. {@code http://localhost:8000/v1} or {@code http://localhost:11434}
 * @param model the model name on that server; for vLLM this may name a LoRA adapter
 * @param apiKeyEnv the environment variable holding the server's API key, or {@code null} when it needs none
 * @param systemPrompt the system prompt put first, or {@code null} for none
 * @param fewShot example exchanges put between the system prompt and the caller's conversation
 * @param connectTimeout the longest to wait for a connection
 */
public record SpecialistSettings(
        String name,
        Provider provider,
        String baseUrl,
        String model,
        String apiKeyEnv,
        String systemPrompt,
        List<Example> fewShot,
        Duration connectTimeout) {

    public SpecialistSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        fewShot = List.copyOf(fewShot);
    }

    /** The kinds of server a specialist can run on. */
    public enum Provider {
        /** vLLM, llama.cpp server, LocalAI, LM Studio, or anything else speaking OpenAI Chat Completions. */
        OPENAI_COMPATIBLE,
        /** Ollama, through its OpenAI-compatible {@code /v1} API. */
        OLLAMA
    }

    /** One few-shot exchange: a user message and the answer the specialist should model. */
    public record Example(String user, String assistant) {}
}
