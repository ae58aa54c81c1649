package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A tool the model may call.
 *
 * @param type {@code function}
 * @param function the function's name, description and parameters
 * @param extra fields the schema does not name (e.g. other tool types' settings)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tool(
        String type,
        Function function,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public Tool {
        extra = Extra.of(extra);
    }

    public static Tool function(String name, String description, JsonNode parameters) {
        return new Tool("function", new Function(name, description, parameters, null, null), null);
    }

    /**
     * @param name the function's name, as tool calls name it
     * @param description what it does, for the model
     * @param parameters a JSON Schema of its arguments
     * @param strict whether calls must follow the schema exactly
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Function(
            String name,
            String description,
            JsonNode parameters,
            Boolean strict,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public Function {
            extra = Extra.of(extra);
        }
    }
}
