package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What form the answer takes.
 *
 * @param type {@code text}, {@code json_object} or {@code json_schema}
 * @param jsonSchema the schema, for {@code json_schema}
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResponseFormat(
        String type,
        @JsonProperty("json_schema") JsonSchema jsonSchema,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public static final String TEXT = "text";
    public static final String JSON_OBJECT = "json_object";
    public static final String JSON_SCHEMA = "json_schema";

    public ResponseFormat {
        extra = Extra.of(extra);
    }

    /**
     * @param name the schema's name
     * @param description what the answer is, for the model
     * @param schema the JSON Schema the answer follows
     * @param strict whether the answer must follow it exactly
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JsonSchema(
            String name,
            String description,
            JsonNode schema,
            Boolean strict,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public JsonSchema {
            extra = Extra.of(extra);
        }
    }
}
