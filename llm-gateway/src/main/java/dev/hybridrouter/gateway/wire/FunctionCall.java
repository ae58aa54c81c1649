package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * @param name the function's name
 * @param arguments the arguments, a JSON object as text (in a streamed delta, a piece of it)
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionCall(
        String name,
        String arguments,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public FunctionCall {
        extra = Extra.of(extra);
    }
}
