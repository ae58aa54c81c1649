package dev.hybridrouter.gateway.wire;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI Chat Completions request, complete. Values are as the caller sent them: {@code
 * max_tokens} and {@code max_completion_tokens} stay apart, {@code developer} stays {@code developer}.
 *
 * @param model {@code auto}, a domain, a specialist or a large model; rewritten to the upstream's own
 *     model name before the request leaves
 * @param stop a string or an array of strings
 * @param toolChoice {@code "none"}, {@code "auto"}, {@code "required"} or {@code {"type":"function",...}}
 * @param extra fields the schema does not name, forwarded unchanged
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        Integer n,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        JsonNode stop,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("logit_bias") JsonNode logitBias,
        Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        Long seed,
        String user,
        List<Tool> tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
        @JsonProperty("response_format") ResponseFormat responseFormat,
        JsonNode metadata,
        Boolean store,
        @JsonProperty("service_tier") String serviceTier,
        @JsonProperty("reasoning_effort") String reasoningEffort,
        JsonNode prediction,
        JsonNode audio,
        JsonNode modalities,
        @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

    public ChatCompletionRequest {
        messages = Extra.list(messages);
        tools = Extra.list(tools);
        extra = Extra.of(extra);
    }

    /** A request with only a model and messages, as tests and tools build them. */
    public static ChatCompletionRequest of(String model, List<ChatMessage> messages) {
        return new ChatCompletionRequest(
                model, messages, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    /** Whether the caller asked for a last chunk with the token counts of a streamed answer. */
    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** The answer length limit: {@code max_completion_tokens}, else the older {@code max_tokens}. */
    public Integer maxOutputTokens() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    public ChatCompletionRequest withModel(String model) {
        return with(model, messages, streamOptions);
    }

    public ChatCompletionRequest withMessages(List<ChatMessage> messages) {
        return with(model, messages, streamOptions);
    }

    /** The same request asking for a last chunk with the token counts of its streamed answer. */
    public ChatCompletionRequest withUsageIncluded() {
        return with(model, messages, new StreamOptions(true, streamOptions == null ? null : streamOptions.extra()));
    }

    /** Whether the caller asked for the answer's token log-probabilities. */
    public boolean asksForLogprobs() {
        return Boolean.TRUE.equals(logprobs);
    }

    /** The same request asking for the answer's token log-probabilities. */
    public ChatCompletionRequest withLogprobs() {
        return with(model, messages, streamOptions, true);
    }

    /** This request with the fields the router rewrites replaced, every other field as it was. */
    private ChatCompletionRequest with(String model, List<ChatMessage> messages, StreamOptions streamOptions) {
        return with(model, messages, streamOptions, logprobs);
    }

    private ChatCompletionRequest with(
            String model, List<ChatMessage> messages, StreamOptions streamOptions, Boolean logprobs) {
        return new ChatCompletionRequest(
                model,
                messages,
                temperature,
                topP,
                n,
                stream,
                streamOptions,
                stop,
                maxTokens,
                maxCompletionTokens,
                presencePenalty,
                frequencyPenalty,
                logitBias,
                logprobs,
                topLogprobs,
                seed,
                user,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat,
                metadata,
                store,
                serviceTier,
                reasoningEffort,
                prediction,
                audio,
                modalities,
                extra);
    }

    /**
     * @param include_usage whether a streamed answer ends with a chunk of token counts
     * @param extra fields the schema does not name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StreamOptions(
            @JsonProperty("include_usage") Boolean includeUsage,
            @JsonAnySetter @JsonAnyGetter @JsonProperty(Extra.KEY) Map<String, JsonNode> extra) {

        public StreamOptions {
            extra = Extra.of(extra);
        }
    }
}
