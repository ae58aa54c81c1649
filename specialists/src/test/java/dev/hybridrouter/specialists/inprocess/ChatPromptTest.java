package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatPromptTest {

    @Test
    void should_write_the_conversation_as_template_input_with_a_content_string_per_message() {
        List<ChatMessage> messages = List.of(
                SystemMessage.from("Be \"brief\"."),
                UserMessage.from("Hi"),
                AiMessage.builder().build());

        ChatPrompt.Input input = ChatPrompt.of(messages);

        assertThat(input.json())
                .isEqualTo(
                        """
                        {"messages":[{"role":"system","content":"Be \\"brief\\"."},\
                        {"role":"user","content":"Hi"},{"role":"assistant","content":""}]}""");
        assertThat(input.texts()).containsExactly("Be \"brief\".", "Hi", "");
    }

    @Test
    void should_accept_a_prompt_that_expresses_every_message_in_order() {
        List<ChatMessage> messages = List.of(SystemMessage.from("Rules."), UserMessage.from("Question?"));
        ChatPrompt.Input input = ChatPrompt.of(messages);

        // Gemma's template has no system role: it merges the system text into the first user turn.
        ChatPrompt.checkExpressed(
                "<start_of_turn>user\nRules.\n\nQuestion?<end_of_turn>\n<start_of_turn>model\n", input, messages);
    }

    @Test
    void should_refuse_a_prompt_from_which_the_template_dropped_a_message() {
        List<ChatMessage> messages = List.of(SystemMessage.from("Rules."), UserMessage.from("Question?"));
        ChatPrompt.Input input = ChatPrompt.of(messages);

        assertThatThrownBy(() -> ChatPrompt.checkExpressed("[INST] Question? [/INST]", input, messages))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("cannot express message 0 (system");
    }

    @Test
    void should_refuse_an_empty_conversation() {
        assertThatThrownBy(() -> ChatPrompt.of(List.of())).isInstanceOf(InvalidRequestException.class);
    }
}
