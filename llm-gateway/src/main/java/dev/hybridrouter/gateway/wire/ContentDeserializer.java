package dev.hybridrouter.gateway.wire;

import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;

/** Reads {@link Content} from a string or an array of content parts; anything else is a type error. */
final class ContentDeserializer extends ValueDeserializer<Content> {

    @Override
    public Content deserialize(JsonParser parser, DeserializationContext context) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return Content.of(parser.getString());
        }
        if (token == JsonToken.START_ARRAY) {
            JavaType parts = context.getTypeFactory().constructCollectionType(List.class, ContentPart.class);
            List<ContentPart> list = context.readValue(parser, parts);
            return Content.of(list);
        }
        return (Content) context.handleUnexpectedToken(Content.class, parser);
    }
}
