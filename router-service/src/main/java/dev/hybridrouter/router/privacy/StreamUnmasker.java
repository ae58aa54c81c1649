package dev.hybridrouter.router.privacy;

import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.FunctionCall;
import dev.hybridrouter.gateway.wire.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores placeholders in a streamed answer, chunk by chunk: each choice's content and refusal, and each
 * tool call's arguments, is one text restored by its own {@link StreamingUnmasker}, so a placeholder split
 * across chunks is put back whole. What is held back is emitted with the choice's finishing chunk.
 * Log-probabilities describe the tokens the model produced and keep their placeholders. One per stream;
 * not thread-safe.
 */
public final class StreamUnmasker {

    private final Masking masking;
    private final Map<String, StreamingUnmasker> texts = new HashMap<>();

    StreamUnmasker(Masking masking) {
        this.masking = masking;
    }

    /** The chunk with its pieces of text restored as far as they can be yet. */
    public ChatCompletionChunk accept(ChatCompletionChunk chunk) {
        if (masking.vault().isEmpty()) {
            return chunk;
        }
        List<ChatCompletionChunk.Choice> choices =
                new ArrayList<>(chunk.choices().size());
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
            choices.add(choice.delta() == null ? choice : choice.withDelta(restore(choice)));
        }
        return chunk.withChoices(choices);
    }

    private ChatMessage restore(ChatCompletionChunk.Choice choice) {
        ChatMessage delta = choice.delta();
        int index = choice.index() == null ? 0 : choice.index();
        boolean last = choice.finishReason() != null;
        String content = delta.content() == null ? null : delta.content().text();
        String restoredContent = restore(index + ":content", content, last);
        String restoredRefusal = restore(index + ":refusal", delta.refusal(), last);
        List<ToolCall> calls = delta.toolCalls() == null
                ? null
                : delta.toolCalls().stream()
                        .map(call -> call.function() == null
                                ? call
                                : new ToolCall(
                                        call.index(),
                                        masking.unmask(call.id()),
                                        call.type(),
                                        new FunctionCall(
                                                masking.unmask(call.function().name()),
                                                restore(
                                                        index + ":tool:" + call.index(),
                                                        call.function().arguments(),
                                                        false),
                                                call.function().extra()),
                                        call.extra()))
                        .toList();
        if (last) {
            calls = withHeldBackArguments(index, calls);
        }
        return new ChatMessage(
                delta.role(),
                restoredContent == null ? null : Content.of(restoredContent),
                delta.name(),
                restoredRefusal,
                calls,
                delta.toolCallId(),
                delta.functionCall(),
                delta.audio(),
                delta.extra());
    }

    /**
     * @param last whether the choice finishes with this chunk: what was held back is emitted now
     * @return the text to emit now; {@code null} when there is none and nothing was held back
     */
    private String restore(String key, String piece, boolean last) {
        StreamingUnmasker unmasker = texts.get(key);
        if (piece == null && unmasker == null) {
            return null;
        }
        if (unmasker == null) {
            unmasker = new StreamingUnmasker(masking);
            texts.put(key, unmasker);
        }
        String ready = piece == null ? "" : unmasker.accept(piece);
        if (last) {
            ready += unmasker.finish();
        }
        return ready.isEmpty() && piece == null ? null : ready;
    }

    /** The tool calls of a finishing chunk, with every call's held-back arguments added. */
    private List<ToolCall> withHeldBackArguments(int choice, List<ToolCall> calls) {
        List<ToolCall> result = calls == null ? new ArrayList<>() : new ArrayList<>(calls);
        String prefix = choice + ":tool:";
        texts.forEach((key, unmasker) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String rest = unmasker.finish();
            if (!rest.isEmpty()) {
                Integer callIndex = key.endsWith("null") ? null : Integer.valueOf(key.substring(prefix.length()));
                result.add(new ToolCall(callIndex, null, null, new FunctionCall(null, rest, null), null));
            }
        });
        return result.isEmpty() ? calls : result;
    }
}
