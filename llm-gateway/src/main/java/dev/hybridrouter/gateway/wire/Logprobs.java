package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The log-probabilities of an answer's tokens.
 *
 * @param content one entry per content token
 * @param refusal one entry per refusal token
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Logprobs(
        List<TokenLogprob> content,
        List<TokenLogprob> refusal,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public Logprobs {
        content = Extra.list(content);
        refusal = Extra.list(refusal);
        extra = Extra.of(extra);
    }

    /**
     * @param token the token's text
     * @param logprob its natural log-probability
     * @param bytes its UTF-8 bytes
     * @param topLogprobs the most likely tokens at its position, when {@code top_logprobs} was asked for
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenLogprob(
            String token,
            Double logprob,
            List<Integer> bytes,
            @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public TokenLogprob {
            bytes = Extra.list(bytes);
            topLogprobs = Extra.list(topLogprobs);
            extra = Extra.of(extra);
        }
    }

    /** One alternative at a token's position. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TopLogprob(
            String token,
            Double logprob,
            List<Integer> bytes,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public TopLogprob {
            bytes = Extra.list(bytes);
            extra = Extra.of(extra);
        }
    }
}
