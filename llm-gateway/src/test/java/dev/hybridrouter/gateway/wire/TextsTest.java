package dev.hybridrouter.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.TextMapper.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextsTest {

    private final ChatCompletionRequest request =
            WireJson.MAPPER.readValue(WireJsonTest.FULL_REQUEST, ChatCompletionRequest.class);

    @Test
    void should_hand_over_what_people_wrote_as_prose() {
        List<String> prose = new ArrayList<>();
        Texts.map(request, (text, kind) -> {
            if (kind == Kind.PROSE) {
                prose.add(text);
            }
            return text;
        });

        assertThat(prose)
                .contains(
                        "Be brief.",
                        "You help.",
                        "What is in this image?",
                        "{\"city\":\"Paris\"}",
                        "sunny",
                        "It is sunny.",
                        "the tool said so",
                        "Weather of a city",
                        "City",
                        "An answer",
                        "user-7",
                        "\n\n",
                        "END",
                        "support",
                        "draft",
                        "low")
                .doesNotContain("auto", "weather", "call_1", "object", "string", "city", "text", "user", "alloy");
    }

    @Test
    void should_hand_over_names_as_names_and_generated_ids_as_ids() {
        assertThat(of(Kind.NAME))
                .contains("ann", "weather", "city", "answer")
                .doesNotContain("Be brief.", "user", "call_1");
        assertThat(of(Kind.ID)).containsExactlyInAnyOrder("call_1", "call_1", "audio_1");
    }

    @Test
    void should_hand_over_the_values_of_fixed_vocabularies_as_keywords() {
        List<String> keywords = of(Kind.KEYWORD);

        assertThat(keywords)
                .contains("developer", "user", "function", "object", "string", "json_schema", "auto", "low", "alloy")
                .doesNotContain("ann", "Be brief.");
        assertThat(keywords).allMatch(Texts::knownKeyword);
        assertThat(Texts.knownKeyword("patient notes")).isFalse();
    }

    private List<String> of(Kind wanted) {
        List<String> found = new ArrayList<>();
        Texts.map(request, (text, kind) -> {
            if (kind == wanted) {
                found.add(text);
            }
            return text;
        });
        return found;
    }

    @Test
    void should_change_every_string_but_the_model_and_opaque_content() {
        ChatCompletionRequest mapped = Texts.map(request, (text, kind) -> text.isEmpty() ? text : "X");
        String json = WireJson.MAPPER.writeValueAsString(mapped);

        assertThat(mapped.model()).isEqualTo("auto");
        assertThat(json)
                .contains("data:image/png;base64,iVBORw0KGgo=", "UklGRg==", "file-1")
                .doesNotContain("Paris", "sunny", "Weather", "support", "search_context_size\":\"low");
    }

    @Test
    void should_return_the_same_json_when_nothing_changes() {
        ChatCompletionRequest same = Texts.map(request, (text, kind) -> text);

        assertThat(same.tools().get(0).function().parameters())
                .isSameAs(request.tools().get(0).function().parameters());
        assertThat(same).isEqualTo(request);
    }

    @Test
    void should_tell_a_request_with_only_text_from_one_with_an_image() {
        var textOnly = ChatCompletionRequest.of("auto", List.of(ChatMessage.user("hello")));
        var withImage = ChatCompletionRequest.of(
                "auto",
                List.of(new ChatMessage(
                        "user",
                        Content.of(List.of(ContentPart.text("look"), ContentPart.image("https://x/y.png"))),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));

        assertThat(Texts.hasOpaqueContent(textOnly)).isFalse();
        assertThat(Texts.hasOpaqueContent(withImage)).isTrue();
    }
}
