package dev.hybridrouter.router.capture;

import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first choice of a streamed answer, put back together from its chunks: text, refusal and tool
 * calls (their pieces of arguments joined by call index), for capture. One per stream; not thread-safe.
 */
public final class StreamedAnswer {

    private final StringBuilder content = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final Map<Integer, Call> calls = new TreeMap<>();
    private boolean hasContent;

    /** One tool call being put together. */
    private static final class Call {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    public void accept(ChatCompletionChunk chunk) {
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
            ChatMessage delta = choice.delta();
            if (delta == null || (choice.index() != null && choice.index() != 0)) {
                continue;
            }
            if (delta.content() != null) {
                content.append(delta.content().text());
                hasContent = true;
            }
            if (delta.refusal() != null) {
                refusal.append(delta.refusal());
            }
            if (delta.toolCalls() != null) {
                for (ToolCall piece : delta.toolCalls()) {
                    Call call = calls.computeIfAbsent(piece.index() == null ? 0 : piece.index(), i -> new Call());
                    if (piece.id() != null) {
                        call.id = piece.id();
                    }
                    if (piece.function() != null) {
                        if (piece.function().name() != null) {
                            call.name = piece.function().name();
                        }
                        if (piece.function().arguments() != null) {
                            call.arguments.append(piece.function().arguments());
                        }
                    }
                }
            }
        }
    }

    /** The assistant message the chunks so far make up. */
    public ChatMessage message() {
        List<ToolCall> toolCalls = new ArrayList<>();
        calls.values().forEach(call -> toolCalls.add(ToolCall.function(call.id, call.name, call.arguments.toString())));
        return new ChatMessage(
                "assistant",
                hasContent || toolCalls.isEmpty() ? Content.of(content.toString()) : null,
                null,
                refusal.isEmpty() ? null : refusal.toString(),
                toolCalls.isEmpty() ? null : toolCalls,
                null,
                null,
                null,
                null);
    }
}
