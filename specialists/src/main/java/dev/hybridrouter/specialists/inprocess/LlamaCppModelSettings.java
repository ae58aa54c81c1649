package dev.hybridrouter.specialists.inprocess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to load one GGUF model file in process, and how many callers it serves at once.
 *
 * <p>The load options ({@code modelPath}, {@code contextSize}, {@code threads}, {@code maxConcurrent},
 * {@code loraAdapter}, {@code chatTemplate}) identify a loaded model: specialists whose settings agree on them
 * share one {@link LlamaCppModel}; any difference means another native load of the file (weights are memory-mapped,
 * so the page cache is shared, but each load has its own KV cache and buffers, and the bindings never free a
 * loaded model: see {@link LlamaCppModel#close()}).
 *
 * @param modelPath the {@code .gguf} file
 * @param contextSize tokens of context per request (prompt plus answer); 0 for {@code min(4096, model's
 *     context_length)}; more than the model's {@code <arch>.context_length} is refused at load
 * @param threads CPU threads for generation, or {@code null} for llama.cpp's default (the physical cores)
 * @param maxConcurrent requests generated at the same time (llama.cpp slots, batched together); the native
 *     context holds {@code contextSize * maxConcurrent} tokens
 * @param queueLimit callers allowed to wait for a slot beyond {@code maxConcurrent}; beyond it calls fail fast
 *     with {@link ModelBusyException}
 * @param queueTimeout how long a queued caller waits for a slot before {@link ModelBusyException}
 * @param loraAdapter a LoRA adapter GGUF applied on top of the model, or {@code null}. The bindings take one
 *     adapter per loaded model (a second one would replace the first), loaded at scale 1; each
 *     {@link LlamaCppChatModel} can set its own scale per request (0 turns it off)
 * @param chatTemplate a llama.cpp built-in template name (e.g. {@code chatml}, {@code llama3}, {@code gemma}) to
 *     use instead of the model's own {@code tokenizer.chat_template}, or {@code null}
 * @param eager load as soon as it is registered (in the background) rather than on the first request
 */
public record LlamaCppModelSettings(
        Path modelPath,
        int contextSize,
        Integer threads,
        int maxConcurrent,
        int queueLimit,
        Duration queueTimeout,
        Path loraAdapter,
        String chatTemplate,
        boolean eager) {

    public static final int DEFAULT_QUEUE_LIMIT = 16;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);

    public LlamaCppModelSettings {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (contextSize < 0) {
            throw new IllegalArgumentException("contextSize must be 0 (model default) or positive: " + contextSize);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        if (maxConcurrent < 1 || maxConcurrent > 64) {
            throw new IllegalArgumentException("maxConcurrent must be between 1 and 64: " + maxConcurrent);
        }
        if (queueLimit < 0) {
            throw new IllegalArgumentException("queueLimit must not be negative: " + queueLimit);
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queueTimeout must not be negative: " + queueTimeout);
        }
        if (chatTemplate != null && (chatTemplate.isBlank() || chatTemplate.contains("\n"))) {
            throw new IllegalArgumentException("chatTemplate must name a llama.cpp built-in template: " + chatTemplate);
        }
    }

    /** One request at a time, 16 waiting at most for 30 s, default context and threads, loaded lazily. */
    public static LlamaCppModelSettings of(Path modelPath) {
        return new LlamaCppModelSettings(
                modelPath, 0, null, 1, DEFAULT_QUEUE_LIMIT, DEFAULT_QUEUE_TIMEOUT, null, null, false);
    }

    public LlamaCppModelSettings withContextSize(int contextSize) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withThreads(Integer threads) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withMaxConcurrent(int maxConcurrent) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withQueue(int queueLimit, Duration queueTimeout) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withLoraAdapter(Path loraAdapter) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withChatTemplate(String chatTemplate) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }

    public LlamaCppModelSettings withEager(boolean eager) {
        return new LlamaCppModelSettings(
                modelPath,
                contextSize,
                threads,
                maxConcurrent,
                queueLimit,
                queueTimeout,
                loraAdapter,
                chatTemplate,
                eager);
    }
}
