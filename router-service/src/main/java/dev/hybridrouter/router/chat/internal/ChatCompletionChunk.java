package dev.hybridrouter.router.chat.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The OpenAI {@code chat.completion.chunk} object: one server-sent event of a streamed answer. */
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

    public static ChatCompletionChunk delta(String id, long created, String model, Delta delta, String finishReason) {
        return new ChatCompletionChunk(
                id, "chat.completion.chunk", created, model, List.of(new Choice(0, delta, finishReason)), null);
    }

    /** The last chunk when the caller asked for usage: no choices, only the token counts. */
    public static ChatCompletionChunk usage(String id, long created, String model, Usage usage) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, List.of(), usage);
    }

    public record Choice(int index, Delta delta, @JsonProperty("finish_reason") String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {}
}
