package dev.hybridrouter.router.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.router.evaluation.LabeledDataset.MalformedLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabeledDatasetTest {

    @Test
    void should_read_text_and_message_lines_when_they_are_well_formed() throws IOException {
        // given
        String jsonl =
                """
                {"text": "will it rain", "label": "weather"}

                {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}, \
                {"role": "assistant", "content": null}, {"role": "tool", "tool_call_id": "1", "name": "f", "content": "42"}, \
                {"role": "user", "content": [{"type": "text", "text": "and"}, {"type": "image_url"}, {"type": "text", "text": "now"}]}], \
                "label": "escalate"}
                """;

        // when
        LabeledDataset dataset = read(jsonl);

        // then
        assertThat(dataset.malformed()).isEmpty();
        assertThat(dataset.conversations())
                .containsExactly(
                        new LabeledConversation(1, List.of(ChatMessage.user("will it rain")), "weather"),
                        new LabeledConversation(
                                3,
                                List.of(
                                        ChatMessage.system("be brief"),
                                        ChatMessage.user("hi"),
                                        ChatMessage.assistant(""),
                                        new ChatMessage(
                                                "tool", Content.of("42"), null, null, null, "1", null, null, null),
                                        ChatMessage.user("and\nnow")),
                                "escalate"));
        assertThat(dataset.conversations().get(1).inScope()).isFalse();
    }

    @Test
    void should_report_malformed_lines_with_their_numbers_and_go_on_when_some_are_broken() throws IOException {
        // given
        String jsonl =
                """
                {"text": "fine", "label": "a"}
                {"text": "no label"}
                {"text": "broken", "label": "a"
                [1, 2]
                {"text": "both", "messages": [], "label": "a"}
                {"messages": [{"role": "wizard", "content": "hi"}], "label": "a"}
                {"messages": [], "label": "a"}
                {"text": "   ", "label": "a"}
                {"text": 7, "label": "a"}
                {"text": "also fine", "label": "b"}
                """;

        // when
        LabeledDataset dataset = read(jsonl);

        // then
        assertThat(dataset.conversations())
                .extracting(LabeledConversation::line)
                .containsExactly(1, 10);
        assertThat(dataset.malformed()).extracting(MalformedLine::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(dataset.malformed().get(0).reason()).isEqualTo("'label' must be a string");
        assertThat(dataset.malformed().get(1).reason()).startsWith("not valid JSON");
        assertThat(dataset.malformed().get(3).reason()).isEqualTo("needs exactly one of 'text' and 'messages'");
        assertThat(dataset.malformed().get(4).reason()).isEqualTo("unknown role 'wizard'");
    }

    private static LabeledDataset read(String jsonl) throws IOException {
        return LabeledDataset.read(new BufferedReader(new StringReader(jsonl)));
    }
}
