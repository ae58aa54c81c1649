package dev.hybridrouter.router.chat.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The OpenAI {@code chat.completion} object. */
public record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {

    public ChatCompletion(String id, long created, String model, String content, String finishReason, Usage usage) {
        this(
                id,
                "chat.completion",
                created,
                model,
                List.of(new Choice(0, new Message("assistant", content), finishReason)),
                usage);
    }

    public record Choice(int index, Message message, @JsonProperty("finish_reason") String finishReason) {}

    public record Message(String role, String content) {}
}
