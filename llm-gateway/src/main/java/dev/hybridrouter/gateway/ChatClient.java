package dev.hybridrouter.gateway;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One model the router can call, whatever API it speaks: requests and answers are the OpenAI wire
 * format. The client writes its own model name into the request and leaves everything else as the
 * caller sent it, or, for a provider with another wire format, maps it completely. Calls never block;
 * they fail with {@link UpstreamException}. Cancelling a call's subscription cancels the upstream call.
 *
 * <p>Each call carries the HTTP headers the caller wants sent with it, as they are: the router's {@code
 * x-request-id} and the W3C trace context ({@code traceparent}, {@code tracestate}). A model reached
 * without HTTP (in process) has nowhere to send them.
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
     * @param headers sent upstream with the call
     */
    Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers);

    /**
     * The answer of a request that asks for a stream, chunk by chunk; completes after the last chunk (the
     * {@code [DONE]} marker is not a chunk).
     *
     * @param headers sent upstream with the call
     */
    Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers);
}
