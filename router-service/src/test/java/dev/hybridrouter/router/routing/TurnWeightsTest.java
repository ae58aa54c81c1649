package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.router.routing.TurnWeights.WeightedText;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnWeightsTest {

    @Test
    void should_weigh_the_last_user_turn_fully_and_halve_each_earlier_one_when_there_are_several() {
        // given
        List<ChatMessage> conversation = List.of(
                UserMessage.from("one"),
                UserMessage.from("two"),
                UserMessage.from("three"),
                UserMessage.from("four"),
                UserMessage.from("five"));

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
                SystemMessage.from("You answer questions about cooking"),
                UserMessage.from("is it going to rain"),
                AiMessage.from("Yes, take an umbrella"),
                ToolExecutionResultMessage.from("1", "forecast", "rain 80%"),
                UserMessage.from("and tomorrow"));

        // when
        List<WeightedText> turns = TurnWeights.of(conversation);

        // then
        assertThat(turns)
                .containsExactly(new WeightedText("and tomorrow", 1.0), new WeightedText("is it going to rain", 0.5));
    }

    @Test
    void should_keep_only_the_text_parts_when_a_user_turn_has_several_contents() {
        // given
        var message = UserMessage.from(
                TextContent.from("what is in"),
                ImageContent.from("https://example.com/a.png"),
                TextContent.from("this"));

        // when
        List<WeightedText> turns = TurnWeights.of(List.of(message));

        // then
        assertThat(turns).containsExactly(new WeightedText("what is in\nthis", 1.0));
    }

    @Test
    void should_be_empty_when_no_user_turn_has_text() {
        assertThat(TurnWeights.of(List.of(SystemMessage.from("be brief"), UserMessage.from(" "))))
                .isEmpty();
    }
}
