package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI {@code chat.completion.chunk} object: one server-sent event of a streamed answer.
 *
 * @param choices the deltas; empty in the last chunk that carries {@code usage}
 * @param usage token counts, in the last chunk when the caller asked for them
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(
        String id,
        String object,
        Long created,
        String model,
        List<Choice> choices,
        Usage usage,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        @JsonProperty("service_tier") String serviceTier,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public static final String OBJECT = "chat.completion.chunk";

    public ChatCompletionChunk {
        choices = choices == null ? List.of() : Extra.list(choices);
        extra = Extra.of(extra);
    }

    public ChatCompletionChunk withModel(String model) {
        return new ChatCompletionChunk(
                id, object, created, model, choices, usage, systemFingerprint, serviceTier, extra);
    }

    public ChatCompletionChunk withChoices(List<Choice> choices) {
        return new ChatCompletionChunk(
                id, object, created, model, choices, usage, systemFingerprint, serviceTier, extra);
    }

    /**
     * One delta of an answer.
     *
     * @param delta what this chunk adds: role, a piece of content, pieces of tool calls
     * @param logprobs the log-probabilities of this chunk's tokens, when asked for
     * @param finishReason set on the answer's last delta, else {@code null}
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(
            Integer index,
            ChatMessage delta,
            @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public Choice {
            extra = Extra.of(extra);
        }

        public Choice withDelta(ChatMessage delta) {
            return new Choice(index, delta, logprobs, finishReason, extra);
        }

        /** This choice without its token log-probabilities. */
        public Choice withoutLogprobs() {
            return new Choice(index, delta, null, finishReason, extra);
        }
    }
}
