package dev.hybridrouter.specialists;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build one specialist. API keys are never part of the settings: only where to find
 * them.
 *
 * @param name the specialist's name
 * @param provider where the model runs
 * @param baseUrl the model server's base URL, e.g. {@code http://localhost:8000/v1} or {@code
 *     http://localhost:11434}; {@code null} in process
 * @param model the model name on that server (for vLLM this may name a LoRA adapter); in process the name
 *     answers carry, or {@code null} for the file's name
 * @param apiKeyEnv the environment variable holding the server's API key, or {@code null} when it needs none
 * @param systemPrompt the system prompt put first, or {@code null} for none
 * @param fewShot example exchanges put between the system prompt and the caller's conversation
 * @param connectTimeout the longest to wait for a connection to the model server
 * @param timeout the longest a whole call may take; in process also the longest a request waits for a slot
 * @param inProcess the model file and how it runs, for {@link Provider#IN_PROCESS}; else {@code null}
 */
public record SpecialistSettings(
        String name,
        Provider provider,
        String baseUrl,
        String model,
        String apiKeyEnv,
        String systemPrompt,
        List<Example> fewShot,
        Duration connectTimeout,
        Duration timeout,
        InProcess inProcess) {

    public SpecialistSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(timeout, "timeout");
        if (provider == Provider.IN_PROCESS) {
            Objects.requireNonNull(inProcess, "inProcess");
        } else {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(model, "model");
        }
        fewShot = List.copyOf(fewShot);
    }

    /** Where a specialist's model runs. */
    public enum Provider {
        /** Inside the router: a GGUF file run by llama.cpp. */
        IN_PROCESS,
        /** vLLM, llama.cpp server, LocalAI, LM Studio, or anything else speaking OpenAI Chat Completions. */
        OPENAI_COMPATIBLE,
        /** Ollama, through its OpenAI-compatible {@code /v1} API. */
        OLLAMA
    }

    /**
     * A GGUF model run in process: a file on disk, or one downloaded once into the model cache.
     *
     * @param modelPath the file (a leading {@code ~/} is the user's home), or {@code null} with {@code modelUrl}
     * @param modelUrl where to download the file from, or {@code null} with {@code modelPath}
     * @param modelSha256 the SHA-256 of the file at {@code modelUrl}
     * @param contextSize tokens of context per request, or 0 for the smaller of 4096 and the model's own
     * @param threads CPU threads generating, or {@code null} for llama.cpp's default
     * @param maxConcurrent requests generated at once
     * @param queueLimit requests waiting for a slot at most; beyond them requests are refused as busy
     * @param lora a LoRA adapter GGUF applied on top of the model, or {@code null}
     * @param eager load at once (in the background) rather than on the first request
     */
    public record InProcess(
            Path modelPath,
            URI modelUrl,
            String modelSha256,
            int contextSize,
            Integer threads,
            int maxConcurrent,
            int queueLimit,
            Path lora,
            boolean eager) {

        public InProcess {
            if ((modelPath == null) == (modelUrl == null)) {
                throw new IllegalArgumentException("give modelPath or modelUrl, not both or neither");
            }
            if (modelUrl != null) {
                Objects.requireNonNull(modelSha256, "modelSha256");
            }
        }
    }

    /** One few-shot exchange: a user message and the answer the specialist should model. */
    public record Example(String user, String assistant) {}
}
