package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One message of a conversation, an answer's message, or a streamed delta: the same shape in all three.
 *
 * @param role {@code system}, {@code developer}, {@code user}, {@code assistant} or {@code tool}; absent in
 *     most deltas
 * @param content a string or content parts; {@code null} for an assistant turn that only calls tools
 * @param name the participant's name
 * @param refusal the model's refusal, in answers
 * @param toolCalls the tools an assistant turn calls
 * @param toolCallId for a tool message, the call it answers
 * @param functionCall the deprecated single function call
 * @param audio an audio answer, or a reference to one in history
 * @param extra fields the schema does not name (e.g. {@code annotations}, {@code reasoning_content})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        String role,
        Content content,
        String name,
        String refusal,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        @JsonProperty("function_call") FunctionCall functionCall,
        JsonNode audio,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public ChatMessage {
        toolCalls = Extra.list(toolCalls);
        extra = Extra.of(extra);
    }

    public static ChatMessage of(String role, String text) {
        return new ChatMessage(role, Content.of(text), null, null, null, null, null, null, null);
    }

    public static ChatMessage system(String text) {
        return of("system", text);
    }

    public static ChatMessage user(String text) {
        return of("user", text);
    }

    public static ChatMessage assistant(String text) {
        return of("assistant", text);
    }

    /** The text of the content: the string, or the text parts joined by newlines; empty when there is none. */
    public String text() {
        return content == null ? "" : content.text();
    }

    public ChatMessage withContent(Content content) {
        return new ChatMessage(role, content, name, refusal, toolCalls, toolCallId, functionCall, audio, extra);
    }
}
