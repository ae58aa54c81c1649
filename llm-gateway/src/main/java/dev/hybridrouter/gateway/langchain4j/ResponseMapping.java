package dev.hybridrouter.gateway.langchain4j;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.Logprobs;
import dev.hybridrouter.gateway.wire.ToolCall;
import dev.hybridrouter.gateway.wire.Usage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;

/** LangChain4j answers as OpenAI completions and chunks. */
final class ResponseMapping {

    private ResponseMapping() {}

    static ChatCompletion completion(String id, long created, String model, ChatResponse response, Logprobs logprobs) {
        AiMessage ai = response.aiMessage();
        ChatMessage message = new ChatMessage(
                "assistant",
                ai.text() == null ? null : Content.of(ai.text()),
                null,
                null,
                ai.hasToolExecutionRequests() ? toolCalls(ai.toolExecutionRequests(), false) : null,
                null,
                null,
                null,
                null);
        return new ChatCompletion(
                id,
                ChatCompletion.OBJECT,
                created,
                model,
                List.of(new ChatCompletion.Choice(0, message, logprobs, finishReason(response.finishReason()), null)),
                usage(response.tokenUsage()),
                null,
                null,
                null);
    }

    static ChatCompletionChunk delta(String id, long created, String model, ChatMessage delta, Logprobs logprobs) {
        return chunk(id, created, model, new ChatCompletionChunk.Choice(0, delta, logprobs, null, null), null);
    }

    static ChatCompletionChunk finish(String id, long created, String model, FinishReason reason) {
        return chunk(
                id,
                created,
                model,
                new ChatCompletionChunk.Choice(
                        0,
                        new ChatMessage(null, null, null, null, null, null, null, null, null),
                        null,
                        finishReason(reason),
                        null),
                null);
    }

    /** The last chunk when the caller asked for usage: no choices, only the token counts. */
    static ChatCompletionChunk usage(String id, long created, String model, TokenUsage usage) {
        return new ChatCompletionChunk(
                id, ChatCompletionChunk.OBJECT, created, model, List.of(), usage(usage), null, null, null);
    }

    /**
     * @param indexed whether each call carries its position, as streamed deltas do
     */
    static List<ToolCall> toolCalls(List<ToolExecutionRequest> requests, boolean indexed) {
        return java.util.stream.IntStream.range(0, requests.size())
                .mapToObj(i -> {
                    ToolExecutionRequest request = requests.get(i);
                    ToolCall call = ToolCall.function(request.id(), request.name(), request.arguments());
                    return indexed ? new ToolCall(i, call.id(), call.type(), call.function(), null) : call;
                })
                .toList();
    }

    static String finishReason(FinishReason reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case LENGTH -> "length";
            case TOOL_EXECUTION -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            default -> "stop";
        };
    }

    private static ChatCompletionChunk chunk(
            String id, long created, String model, ChatCompletionChunk.Choice choice, Usage usage) {
        return new ChatCompletionChunk(
                id, ChatCompletionChunk.OBJECT, created, model, List.of(choice), usage, null, null, null);
    }

    private static Usage usage(TokenUsage usage) {
        if (usage == null) {
            return null;
        }
        int prompt = usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int completion = usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        return Usage.of(prompt, completion);
    }
}
