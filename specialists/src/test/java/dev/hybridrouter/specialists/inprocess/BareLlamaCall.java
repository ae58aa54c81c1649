package dev.hybridrouter.specialists.inprocess;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The baseline of the in-process benchmarks: a bare llama.cpp call on a model loaded by the engine's own classes
 * ({@link LlamaCppModels}, so with the same load options as the router), with nothing of the engine around it. The
 * prompt is templated once, beforehand; each call is one {@code LlamaModel.generate} loop with the sampling
 * parameters the engine sends for the same request ({@code n_predict}, {@code seed}, {@code cache_prompt},
 * {@code temperature}), timed token by token. Used by {@link LlamaCppEngineBenchmark} and by the router's
 * {@code InProcessBenchmark}.
 */
public final class BareLlamaCall {

    /** The question both benchmarks ask unless told otherwise. */
    public static final String QUESTION = "Explain in two sentences why the sky is blue.";

    private final LlamaCppModel model;

    public BareLlamaCall(LlamaCppModel model) {
        this.model = model;
    }

    /**
     * One timed generation, in {@link System#nanoTime()} units.
     *
     * @param firstNanos when the first token arrived (0 when none did)
     * @param tokens tokens generated: for the bare loop, the iterator's results but the last (which carries no
     *     token), as the engine counts them
     */
    public record Timing(long startNanos, long firstNanos, long endNanos, int tokens) {

        public double totalMs() {
            return (endNanos - startNanos) / 1e6;
        }

        public double firstTokenMs() {
            return firstNanos == 0 ? 0 : (firstNanos - startNanos) / 1e6;
        }

        /** Tokens after the first, per second from the first token to the end; 0 for fewer than 2 tokens. */
        public double tokensPerSecond() {
            return tokens > 1 && endNanos > firstNanos ? (tokens - 1) / ((endNanos - firstNanos) / 1e9) : 0;
        }
    }

    /**
     * Where the bindings extract their native library, unless already set. Left to themselves they use
     * {@code java.io.tmpdir} and delete every file there whose name starts with {@code llama}; the router gives
     * them a folder of its own, and so should a benchmark.
     */
    public static void nativeLibraryDir(Path dir) {
        if (System.getProperty(InProcessEngine.NATIVE_DIR_PROPERTY) != null) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(InProcessEngine.NATIVE_DIR_PROPERTY, dir.toString());
    }

    public LlamaCppModel model() {
        return model;
    }

    /** The prompt the engine makes of one user message: llama.cpp applies the model's chat template. */
    public String prompt(String userMessage) {
        ChatPrompt.Input input = ChatPrompt.of(List.of(UserMessage.from(userMessage)));
        try (LlamaCppModel.Admission admission = model.admit();
                LlamaCppModel.Lease lease = admission.acquire()) {
            return lease.llama().applyTemplate(input.json());
        }
    }

    /** The prompt's tokens as the engine counts them for {@code usage.prompt_tokens} (BOS included). */
    public int promptTokens(String prompt) {
        try (LlamaCppModel.Admission admission = model.admit();
                LlamaCppModel.Lease lease = admission.acquire()) {
            return lease.llama().encode(prompt).length + (lease.info().addsBos() ? 1 : 0);
        }
    }

    /**
     * One bare generation of at most {@code maxTokens} tokens, timed from the call to {@code generate} to the
     * iterator's end.
     *
     * @param temperature {@code null} for llama.cpp's default, as the engine leaves it when a request sets none
     */
    public Timing generate(String prompt, int maxTokens, int seed, Float temperature) {
        try (LlamaCppModel.Admission admission = model.admit();
                LlamaCppModel.Lease lease = admission.acquire()) {
            InferenceParameters parameters = new InferenceParameters(prompt)
                    .setNPredict(maxTokens)
                    .setCachePrompt(true)
                    .setSeed(seed);
            if (temperature != null) {
                parameters.setTemperature(temperature);
            }
            long start = System.nanoTime();
            long first = 0;
            int tokens = 0;
            LlamaIterator iterator = lease.llama().generate(parameters).iterator();
            while (iterator.hasNext()) {
                iterator.next();
                if (!iterator.hasNext()) {
                    break; // the final result carries no token
                }
                if (tokens++ == 0) {
                    first = System.nanoTime();
                }
            }
            return new Timing(start, first, System.nanoTime(), tokens);
        }
    }

    /** One streamed {@link LlamaCppChatModel} call, timed from the call to the complete response. */
    public static Timing streamed(LlamaCppChatModel chat, ChatRequest request) {
        long start = System.nanoTime();
        long[] first = new long[1];
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chat.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                if (first[0] == 0) {
                    first[0] = System.nanoTime();
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response;
        try {
            response = done.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("streamed call failed: " + e, e);
        }
        return new Timing(
                start, first[0], System.nanoTime(), response.tokenUsage().outputTokenCount());
    }
}
