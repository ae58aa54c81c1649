package dev.hybridrouter.router.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.router.chat.internal.ChatCompletionRequest;
import dev.hybridrouter.router.error.ApiException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class OpenAiMessagesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void should_translate_every_role_when_the_conversation_uses_tools_and_content_parts() {
        ChatCompletionRequest request = request(
                """
                {"model": "auto", "messages": [
                  {"role": "developer", "content": "be terse"},
                  {"role": "user", "content": [{"type": "text", "text": "what is on "},
                                               {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
                  {"role": "assistant", "content": null,
                   "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
                  {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}
                ]}""");

        List<ChatMessage> conversation = OpenAiMessages.conversation(request.messages());

        assertThat(conversation).hasSize(5);
        assertThat(((SystemMessage) conversation.get(0)).text()).isEqualTo("be terse");
        UserMessage user = (UserMessage) conversation.get(1);
        assertThat(user.contents()).hasSize(2);
        assertThat(((ImageContent) user.contents().get(1)).image().url()).hasToString("https://x/y.png");
        AiMessage toolCall = (AiMessage) conversation.get(2);
        assertThat(toolCall.toolExecutionRequests()).singleElement().satisfies(r -> assertThat(r.name())
                .isEqualTo("lookup"));
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) conversation.get(3);
        assertThat(result.toolName()).isEqualTo("lookup");
        assertThat(result.text()).isEqualTo("a cat");
        assertThat(((AiMessage) conversation.get(4)).text()).isEqualTo("A cat.");
    }

    @Test
    void should_carry_sampling_parameters_when_the_caller_sets_them() {
        ChatCompletionRequest request = request(
                """
                {"model": "auto", "temperature": 0.3, "top_p": 0.9, "max_tokens": 10, "max_completion_tokens": 20,
                 "stop": ["\\n\\n", "END"], "messages": [{"role": "user", "content": "hi"}]}""");

        ChatRequest chat = OpenAiMessages.chatRequest(request, OpenAiMessages.conversation(request.messages()));

        assertThat(chat.temperature()).isEqualTo(0.3);
        assertThat(chat.topP()).isEqualTo(0.9);
        assertThat(chat.maxOutputTokens()).isEqualTo(20);
        assertThat(chat.stopSequences()).containsExactly("\n\n", "END");
    }

    @Test
    void should_reject_a_tool_message_when_it_has_no_tool_call_id() {
        ChatCompletionRequest request =
                request("""
                {"messages": [{"role": "tool", "content": "x"}]}""");

        assertThatThrownBy(() -> OpenAiMessages.conversation(request.messages()))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.param()).isEqualTo("messages[0].tool_call_id"));
    }

    @Test
    void should_reject_stop_when_it_has_more_than_four_sequences() {
        ChatCompletionRequest request = request(
                """
                {"stop": ["a", "b", "c", "d", "e"], "messages": [{"role": "user", "content": "x"}]}""");

        assertThatThrownBy(() -> OpenAiMessages.chatRequest(request, List.of()))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.param()).isEqualTo("stop"));
    }

    @Test
    void should_reject_a_content_part_when_its_type_is_unknown() {
        ChatCompletionRequest request = request(
                """
                {"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}""");

        assertThatThrownBy(() -> OpenAiMessages.conversation(request.messages()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages[0].content[0].type");
                    assertThat(e.getMessage()).contains("input_audio");
                });
    }

    private static ChatCompletionRequest request(String json) {
        return JSON.readValue(json, ChatCompletionRequest.class);
    }
}
