package dev.hybridrouter.router.chat.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI Chat Completions request, as far as the router reads it. Unknown fields are ignored.
 *
 * @param model {@code auto}, a domain, a specialist or a large model
 * @param messages the conversation
 * @param stop a string or an array of up to four strings
 */
public record ChatCompletionRequest(
        String model,
        @NotEmpty List<@NotNull @Valid Message> messages,
        @DecimalMin("0") @DecimalMax("2") Double temperature,
        @JsonProperty("top_p") @DecimalMin("0") @DecimalMax("1") Double topP,
        @JsonProperty("max_tokens") @Min(1) Integer maxTokens,
        @JsonProperty("max_completion_tokens") @Min(1) Integer maxCompletionTokens,
        JsonNode stop,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        String user,
        @Min(1) @Max(value = 1, message = "only n=1 is supported") Integer n) {

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** The answer length limit: {@code max_completion_tokens}, else the older {@code max_tokens}. */
    public Integer maxOutputTokens() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    /**
     * One message. {@code content} is a string or an array of content parts.
     *
     * @param role {@code system}, {@code developer}, {@code user}, {@code assistant} or {@code tool}
     */
    public record Message(
            @NotNull String role,
            JsonNode content,
            String name,
            @JsonProperty("tool_calls") List<ToolCall> toolCalls,
            @JsonProperty("tool_call_id") String toolCallId) {}

    /** A tool call made by the assistant earlier in the conversation. */
    public record ToolCall(String id, String type, Function function) {

        public record Function(String name, String arguments) {}
    }

    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}
}
