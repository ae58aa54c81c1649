package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One part of a message's content.
 *
 * @param type {@code text}, {@code image_url}, {@code input_audio}, {@code file} or {@code refusal}
 * @param text the text of a {@code text} part
 * @param imageUrl the image of an {@code image_url} part
 * @param inputAudio the audio of an {@code input_audio} part, as sent
 * @param file the file of a {@code file} part, as sent
 * @param refusal the refusal of a {@code refusal} part (assistant history)
 * @param extra fields the schema does not name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContentPart(
        String type,
        String text,
        @JsonProperty("image_url") ImageUrl imageUrl,
        @JsonProperty("input_audio") JsonNode inputAudio,
        JsonNode file,
        String refusal,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public ContentPart {
        extra = Extra.of(extra);
    }

    public static ContentPart text(String text) {
        return new ContentPart("text", text, null, null, null, null, null);
    }

    public static ContentPart image(String url) {
        return new ContentPart("image_url", null, new ImageUrl(url, null, null), null, null, null, null);
    }

    /**
     * Whether the part carries something other than text (an image, audio, a file, or a kind of part the
     * router does not know), which the router cannot read.
     */
    public boolean opaque() {
        return !"text".equals(type) && !"refusal".equals(type)
                || imageUrl != null
                || inputAudio != null
                || file != null;
    }

    /**
     * @param url an {@code https:} or {@code data:} URL
     * @param detail {@code low}, {@code high} or {@code auto}, only when the caller gave it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImageUrl(
            String url,
            String detail,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public ImageUrl {
            extra = Extra.of(extra);
        }
    }
}
