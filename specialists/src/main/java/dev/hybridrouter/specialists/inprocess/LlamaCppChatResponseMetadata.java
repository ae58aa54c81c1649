package dev.hybridrouter.specialists.inprocess;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Response metadata of the in-process engine: LangChain4j's (id, model name, token usage, finish reason) plus
 * token log-probabilities and timings.
 */
public class LlamaCppChatResponseMetadata extends ChatResponseMetadata {

    private final List<TokenLogprob> logprobs;
    private final Duration queueTime;
    private final Duration timeToFirstToken;
    private final Duration generationTime;

    protected LlamaCppChatResponseMetadata(Builder builder) {
        super(builder);
        this.logprobs = builder.logprobs == null ? List.of() : List.copyOf(builder.logprobs);
        this.queueTime = builder.queueTime;
        this.timeToFirstToken = builder.timeToFirstToken;
        this.generationTime = builder.generationTime;
    }

    /** Log-probabilities of the answer tokens; empty unless asked for (and always empty with 4.2.0). */
    public List<TokenLogprob> logprobs() {
        return logprobs;
    }

    /** How long the call waited for the model to load and for a free slot. */
    public Duration queueTime() {
        return queueTime;
    }

    /** From getting a slot to the first answer token (prompt processing), or {@code null} if none came. */
    public Duration timeToFirstToken() {
        return timeToFirstToken;
    }

    /** From getting a slot to the end of generation. */
    public Duration generationTime() {
        return generationTime;
    }

    @Override
    public Builder toBuilder() {
        return ((Builder) toBuilder(builder()))
                .logprobs(logprobs)
                .queueTime(queueTime)
                .timeToFirstToken(timeToFirstToken)
                .generationTime(generationTime);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        LlamaCppChatResponseMetadata that = (LlamaCppChatResponseMetadata) o;
        return logprobs.equals(that.logprobs)
                && Objects.equals(queueTime, that.queueTime)
                && Objects.equals(timeToFirstToken, that.timeToFirstToken)
                && Objects.equals(generationTime, that.generationTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), logprobs, queueTime, timeToFirstToken, generationTime);
    }

    @Override
    public String toString() {
        return "LlamaCppChatResponseMetadata{" + super.toString() + ", logprobs=" + logprobs.size()
                + ", queueTime=" + queueTime + ", timeToFirstToken=" + timeToFirstToken + ", generationTime="
                + generationTime + '}';
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends ChatResponseMetadata.Builder<Builder> {

        private List<TokenLogprob> logprobs;
        private Duration queueTime;
        private Duration timeToFirstToken;
        private Duration generationTime;

        public Builder logprobs(List<TokenLogprob> logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        public Builder queueTime(Duration queueTime) {
            this.queueTime = queueTime;
            return this;
        }

        public Builder timeToFirstToken(Duration timeToFirstToken) {
            this.timeToFirstToken = timeToFirstToken;
            return this;
        }

        public Builder generationTime(Duration generationTime) {
            this.generationTime = generationTime;
            return this;
        }

        @Override
        public LlamaCppChatResponseMetadata build() {
            return new LlamaCppChatResponseMetadata(this);
        }
    }
}
