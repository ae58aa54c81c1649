package dev.hybridrouter.router.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.ToolCall;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StreamUnmaskerTest {

    private static final Masking MASKING = new Masking(
            ChatCompletionRequest.of("auto", List.of()),
            Map.of("<EMAIL_1>", "jane@example.com", "<PHONE_1>", "(650) 253-0000"),
            Set.of());

    @Test
    void should_restore_content_split_across_chunks_and_flush_what_it_held_back_with_the_finish() {
        StreamUnmasker unmasker = MASKING.streamUnmasker();

        List<ChatCompletionChunk> restored =
                List.of(content("Write to <EM"), content("AIL_1> or <PHO"), finish("stop")).stream()
                        .map(unmasker::accept)
                        .toList();

        assertThat(restored.stream()
                        .map(chunk -> chunk.choices().get(0).delta().content())
                        .filter(Objects::nonNull)
                        .map(content -> content.text())
                        .collect(Collectors.joining()))
                .isEqualTo("Write to jane@example.com or <PHO");
        assertThat(restored.get(2).choices().get(0).finishReason()).isEqualTo("stop");
    }

    @Test
    void should_restore_tool_call_arguments_split_across_chunks_per_call() {
        StreamUnmasker unmasker = MASKING.streamUnmasker();

        List<ChatCompletionChunk> restored = List.of(
                        toolCall(0, "call_1", "send", "{\"to\":\"<EMA"),
                        toolCall(1, "call_2", "dial", "{\"n\":\"<PHONE_1>\"}"),
                        toolCall(0, null, null, "IL_1>\"}"),
                        finish("tool_calls"))
                .stream()
                .map(unmasker::accept)
                .toList();

        assertThat(arguments(restored, 0)).isEqualTo("{\"to\":\"jane@example.com\"}");
        assertThat(arguments(restored, 1)).isEqualTo("{\"n\":\"(650) 253-0000\"}");
    }

    @Test
    void should_pass_chunks_through_untouched_when_nothing_was_masked() {
        var nothing = new Masking(ChatCompletionRequest.of("auto", List.of()), Map.of(), Set.of());
        ChatCompletionChunk chunk = content("a <b> c");

        assertThat(nothing.streamUnmasker().accept(chunk)).isSameAs(chunk);
    }

    private static String arguments(List<ChatCompletionChunk> chunks, int index) {
        return chunks.stream()
                .map(chunk -> chunk.choices().get(0).delta().toolCalls())
                .filter(Objects::nonNull)
                .flatMap(List::stream)
                .filter(call -> Objects.equals(call.index(), index))
                .map(call -> call.function().arguments())
                .collect(Collectors.joining());
    }

    private static ChatCompletionChunk content(String text) {
        return chunk(ChatMessage.assistant(text), null);
    }

    private static ChatCompletionChunk toolCall(int index, String id, String name, String arguments) {
        ToolCall call = ToolCall.function(id, name, arguments);
        return chunk(
                new ChatMessage(
                        null,
                        null,
                        null,
                        null,
                        List.of(new ToolCall(index, id, id == null ? null : "function", call.function(), null)),
                        null,
                        null,
                        null,
                        null),
                null);
    }

    private static ChatCompletionChunk finish(String reason) {
        return chunk(new ChatMessage(null, null, null, null, null, null, null, null, null), reason);
    }

    private static ChatCompletionChunk chunk(ChatMessage delta, String finishReason) {
        return new ChatCompletionChunk(
                "c",
                ChatCompletionChunk.OBJECT,
                1L,
                "m",
                List.of(new ChatCompletionChunk.Choice(0, delta, null, finishReason, null)),
                null,
                null,
                null,
                null);
    }
}
