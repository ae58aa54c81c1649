package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A tool call of an assistant message, or a piece of one in a streamed delta.
 *
 * @param index the call's position, in streamed deltas only
 * @param id the call's id; a tool message answers it by {@code tool_call_id}
 * @param type {@code function}
 * @param function the function and its arguments (in a delta, a piece of the arguments)
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCall(
        Integer index,
        String id,
        String type,
        FunctionCall function,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public ToolCall {
        extra = Extra.of(extra);
    }

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new FunctionCall(name, arguments, null), null);
    }
}
