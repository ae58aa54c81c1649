package dev.hybridrouter.specialists.inprocess;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;

/**
 * LangChain4j's common parameters plus what the in-process engine adds: a sampling {@code seed}, and
 * {@code logprobs} / {@code topLogprobs} in OpenAI's sense.
 *
 * <p>{@code logprobs} cannot be served by de.kherud:llama 4.2.0 (asking llama.cpp for probabilities aborts the
 * JVM inside the bindings, see {@code docs/in-process.md}); {@link LlamaCppChatModel} answers a request that
 * sets {@code logprobs=true} or {@code topLogprobs > 0} with an {@code UnsupportedFeatureException} naming
 * {@code logprobs}. The fields exist so the caller's request maps completely and nothing is dropped unseen.
 */
public class LlamaCppChatRequestParameters extends DefaultChatRequestParameters {

    public static final LlamaCppChatRequestParameters EMPTY = builder().build();

    private final Integer seed;
    private final Boolean logprobs;
    private final Integer topLogprobs;

    protected LlamaCppChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.logprobs = builder.logprobs;
        this.topLogprobs = builder.topLogprobs;
    }

    /** The sampler's random seed (0 to 2^31-1); the same seed, prompt and parameters give the same answer. */
    public Integer seed() {
        return seed;
    }

    /** Whether to return the log-probability of each answer token. */
    public Boolean logprobs() {
        return logprobs;
    }

    /** How many most likely alternatives to return per token (0 to 20). */
    public Integer topLogprobs() {
        return topLogprobs;
    }

    @Override
    public LlamaCppChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public LlamaCppChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        LlamaCppChatRequestParameters that = (LlamaCppChatRequestParameters) o;
        return Objects.equals(seed, that.seed)
                && Objects.equals(logprobs, that.logprobs)
                && Objects.equals(topLogprobs, that.topLogprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, logprobs, topLogprobs);
    }

    @Override
    public String toString() {
        return "LlamaCppChatRequestParameters{" + super.toString() + ", seed=" + seed + ", logprobs=" + logprobs
                + ", topLogprobs=" + topLogprobs + '}';
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {

        private Integer seed;
        private Boolean logprobs;
        private Integer topLogprobs;

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof LlamaCppChatRequestParameters llama) {
                seed(llama.seed() != null ? llama.seed() : seed);
                logprobs(llama.logprobs() != null ? llama.logprobs() : logprobs);
                topLogprobs(llama.topLogprobs() != null ? llama.topLogprobs() : topLogprobs);
            }
            return this;
        }

        public Builder seed(Integer seed) {
            this.seed = seed;
            return this;
        }

        public Builder logprobs(Boolean logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        public Builder topLogprobs(Integer topLogprobs) {
            this.topLogprobs = topLogprobs;
            return this;
        }

        @Override
        public LlamaCppChatRequestParameters build() {
            return new LlamaCppChatRequestParameters(this);
        }
    }
}
