package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI {@code chat.completion} object: a whole answer.
 *
 * @param model the model that answered; the router writes its own name for it
 * @param systemFingerprint the upstream's backend configuration, passed on
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(
        String id,
        String object,
        Long created,
        String model,
        List<Choice> choices,
        Usage usage,
        @JsonProperty("system_fingerprint") String systemFingerprint,
        @JsonProperty("service_tier") String serviceTier,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public static final String OBJECT = "chat.completion";

    public ChatCompletion {
        choices = choices == null ? List.of() : Extra.list(choices);
        extra = Extra.of(extra);
    }

    public ChatCompletion withModel(String model) {
        return new ChatCompletion(id, object, created, model, choices, usage, systemFingerprint, serviceTier, extra);
    }

    public ChatCompletion withChoices(List<Choice> choices) {
        return new ChatCompletion(id, object, created, model, choices, usage, systemFingerprint, serviceTier, extra);
    }

    /**
     * One answer of the {@code n} asked for.
     *
     * @param message the assistant's message
     * @param logprobs the answer's token log-probabilities, when asked for; written as {@code null} otherwise
     * @param finishReason {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(
            Integer index,
            ChatMessage message,
            @JsonInclude(JsonInclude.Include.ALWAYS) Logprobs logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public Choice {
            extra = Extra.of(extra);
        }

        public Choice withMessage(ChatMessage message) {
            return new Choice(index, message, logprobs, finishReason, extra);
        }

        /** This choice without its token log-probabilities. */
        public Choice withoutLogprobs() {
            return new Choice(index, message, null, finishReason, extra);
        }
    }
}
