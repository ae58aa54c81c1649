package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A message's content: either a plain string or an array of content parts, written back the way it came.
 *
 * @param string the content when it is a string, else {@code null}
 * @param parts the content parts when it is an array, else {@code null}
 */
@JsonDeserialize(using = ContentDeserializer.class)
public record Content(String string, List<ContentPart> parts) {

    public Content {
        if ((string == null) == (parts == null)) {
            throw new IllegalArgumentException("content is either a string or parts");
        }
        parts = Extra.list(parts);
    }

    public static Content of(String text) {
        return new Content(text, null);
    }

    public static Content of(List<ContentPart> parts) {
        return new Content(null, parts);
    }

    /** The string, or the text parts joined by newlines. */
    public String text() {
        if (string != null) {
            return string;
        }
        return parts.stream()
                .filter(part -> part.text() != null)
                .map(ContentPart::text)
                .collect(Collectors.joining("\n"));
    }

    @JsonValue
    Object value() {
        return string != null ? string : parts;
    }
}
