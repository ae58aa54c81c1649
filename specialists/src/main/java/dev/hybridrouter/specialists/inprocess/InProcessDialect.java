package dev.hybridrouter.specialists.inprocess;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.langchain4j.Dialect;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the in-process engine honours: JSON answers with or without a schema (llama.cpp's grammars), seed,
 * penalties, and {@code user} (accepted: no provider is told). Tools, images and log-probabilities (which
 * the 4.2.0 bindings cannot return) get the 400 naming them.
 */
final class InProcessDialect implements Dialect {

    static final InProcessDialect INSTANCE = new InProcessDialect();

    /** llama.cpp's seed is an unsigned 32-bit number and the bindings take a non-negative int. */
    private static final long SEEDS = 1L << 31;

    private static final Set<Feature> SUPPORTED =
            EnumSet.of(Feature.JSON_SCHEMA, Feature.JSON_OBJECT, Feature.SEED, Feature.PENALTIES, Feature.USER);

    private InProcessDialect() {}

    @Override
    public String provider() {
        return "in-process";
    }

    @Override
    public boolean supports(Feature feature) {
        return SUPPORTED.contains(feature);
    }

    /** A seed outside llama.cpp's range is taken modulo 2^31, so the same seed still gives the same answer. */
    @Override
    public ChatRequestParameters parameters(ChatCompletionRequest request, ChatRequestParameters common) {
        Long seed = request.seed();
        return LlamaCppChatRequestParameters.builder()
                .overrideWith(common)
                .seed(seed == null ? null : (int) Math.floorMod(seed, SEEDS))
                .build();
    }

    @Override
    public UpstreamException failure(String upstream, Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ModelBusyException) {
                return new UpstreamException(Kind.BUSY, upstream + ": " + cause.getMessage(), null, null, error);
            }
            if (cause instanceof ModelLoadException) {
                return new UpstreamException(
                        Kind.MODEL_NOT_LOADED, upstream + " cannot run: " + cause.getMessage(), null, null, error);
            }
            if (cause instanceof InvalidRequestException) {
                // the engine's own checks: ranges, context length, a schema llama.cpp cannot turn into a grammar
                return new UpstreamException(
                        Kind.REJECTED,
                        upstream + " (in-process) refused the request: " + cause.getMessage(),
                        null,
                        null,
                        error);
            }
            if (cause instanceof TimeoutException) {
                return new UpstreamException(Kind.TIMEOUT, upstream + " did not finish in time", null, null, error);
            }
        }
        return null;
    }
}
