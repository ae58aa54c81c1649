package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.ContentPart;
import dev.hybridrouter.router.routing.TurnWeights.WeightedText;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnWeightsTest {

    @Test
    void should_weigh_the_last_user_turn_fully_and_halve_each_earlier_one_when_there_are_several() {
        // given
        List<ChatMessage> conversation = List.of(
                ChatMessage.user("one"),
                ChatMessage.user("two"),
                ChatMessage.user("three"),
                ChatMessage.user("four"),
                ChatMessage.user("five"));

        // when
        List<WeightedText> turns = TurnWeights.of(conversation);

        // then
        assertThat(turns)
                .containsExactly(
                        new WeightedText("five", 1.0),
                        new WeightedText("four", 0.5),
                        new WeightedText("three", 0.25),
                        new WeightedText("two", 0.125));
    }

    @Test
    void should_count_only_user_turns_when_the_conversation_has_other_messages() {
        // given
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("You answer questions about cooking"),
                ChatMessage.user("is it going to rain"),
                ChatMessage.assistant("Yes, take an umbrella"),
                ChatMessage.of("tool", "rain 80%"),
                ChatMessage.user("and tomorrow"));

        // when
        List<WeightedText> turns = TurnWeights.of(conversation);

        // then
        assertThat(turns)
                .containsExactly(new WeightedText("and tomorrow", 1.0), new WeightedText("is it going to rain", 0.5));
    }

    @Test
    void should_keep_only_the_text_parts_when_a_user_turn_has_several_contents() {
        // given
        var message = new ChatMessage(
                "user",
                Content.of(List.of(
                        ContentPart.text("what is in"),
                        ContentPart.image("https://example.com/a.png"),
                        ContentPart.text("this"))),
                null,
                null,
                null,
                null,
                null,
                null,
                null);

        // when
        List<WeightedText> turns = TurnWeights.of(List.of(message));

        // then
        assertThat(turns).containsExactly(new WeightedText("what is in\nthis", 1.0));
    }

    @Test
    void should_be_empty_when_no_user_turn_has_text() {
        assertThat(TurnWeights.of(List.of(ChatMessage.system("be brief"), ChatMessage.user(" "))))
                .isEmpty();
    }

    @Test
    void should_skip_turns_of_only_invisible_characters_and_cut_long_ones() {
        List<String> invisible = List.of(
                "\u200B\u200B", "\uFEFF", "\u0000", "\u00A0", "\u200E\u202E", "\u0301\u0302", "\uD800", " \t\n");
        for (String text : invisible) {
            assertThat(TurnWeights.of(List.of(ChatMessage.user(text)))).as(text).isEmpty();
        }
        List<WeightedText> turns = TurnWeights.of(List.of(ChatMessage.user("x".repeat(10_000) + "\uD800")));
        assertThat(turns.get(0).text()).hasSize(TurnWeights.MAX_CHARACTERS);
        assertThat(TurnWeights.of(List.of(ChatMessage.user("ok \uD800 then")))
                        .get(0)
                        .text())
                .isEqualTo("ok  then");
    }
}
