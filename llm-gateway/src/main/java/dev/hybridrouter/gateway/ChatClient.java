package dev.hybridrouter.gateway;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One model the router can call, whatever API it speaks: requests and answers are the OpenAI wire
 * format. The client writes its own model name into the request and leaves everything else as the
 * caller sent it, or, for a provider with another wire format, maps it completely. Calls never block;
 * they fail with {@link UpstreamException}. Cancelling a call's subscription cancels the upstream call.
 */
public interface ChatClient {

    /**
     * The fields of a request this model cannot honour, named as the caller wrote them (e.g. {@code
     * logprobs}, {@code response_format.type=json_object}); empty when it can answer the request as asked.
     */
    List<String> unsupported(ChatCompletionRequest request);

    /**
     * A whole answer to a request that does not ask for a stream.
     *
     * @param requestId sent upstream as {@code x-request-id}
     */
    Mono<ChatCompletion> complete(ChatCompletionRequest request, String requestId);

    /**
     * The answer of a request that asks for a stream, chunk by chunk; completes after the last chunk (the
     * {@code [DONE]} marker is not a chunk).
     *
     * @param requestId sent upstream as {@code x-request-id}
     */
    Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, String requestId);
}
