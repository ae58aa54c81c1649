package dev.hybridrouter.router.upstream;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Calls upstream models — the only way to — without blocking an event-loop thread. Each call first
 * checks the request's {@link Egress} (a local-only request never reaches a large model), then runs
 * inside its upstream's {@link Guard}. Failures arrive as {@link dev.hybridrouter.router.error.ApiException}s that name the
 * upstream.
 */
public final class UpstreamCalls {

    private UpstreamCalls() {}

    /** One whole answer. LangChain4j's call blocks, so it runs on the bounded elastic scheduler. */
    public static Mono<ChatResponse> complete(Upstream upstream, ChatRequest request, Egress egress) {
        return Mono.defer(() -> {
            egress.check(upstream);
            return Mono.fromCallable(() -> upstream.chatModel().chat(withPreamble(upstream, request)))
                    .subscribeOn(Schedulers.boundedElastic())
                    .transform(upstream.guard()::protect)
                    .onErrorMap(failure -> UpstreamErrors.toApiException(failure, upstream));
        });
    }

    /**
     * The answer token by token, then the complete response. Cancelling the subscription (the client went
     * away) cancels the upstream stream.
     */
    public static Flux<StreamEvent> stream(Upstream upstream, ChatRequest request, Egress egress) {
        return Flux.defer(() -> {
            egress.check(upstream);
            return Flux.<StreamEvent>create(sink ->
                            upstream.streamingChatModel().chat(withPreamble(upstream, request), new SinkHandler(sink)))
                    .subscribeOn(Schedulers.boundedElastic())
                    .transform(upstream.guard()::protect)
                    .onErrorMap(failure -> UpstreamErrors.toApiException(failure, upstream));
        });
    }

    private static ChatRequest withPreamble(Upstream upstream, ChatRequest request) {
        if (upstream.preamble().isEmpty()) {
            return request;
        }
        var messages = new java.util.ArrayList<>(upstream.preamble());
        messages.addAll(request.messages());
        return request.toBuilder().messages(messages).build();
    }

    /** What a stream delivers: pieces of text, then the whole response with its usage and finish reason. */
    public sealed interface StreamEvent {

        record Token(String text) implements StreamEvent {}

        record Completed(ChatResponse response) implements StreamEvent {}
    }

    private static final class SinkHandler implements StreamingChatResponseHandler {

        private final FluxSink<StreamEvent> sink;
        private final AtomicReference<StreamingHandle> handle = new AtomicReference<>();

        SinkHandler(FluxSink<StreamEvent> sink) {
            this.sink = sink;
            sink.onCancel(() -> {
                StreamingHandle current = handle.get();
                if (current != null) {
                    current.cancel();
                }
            });
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            handle.set(context.streamingHandle());
            if (sink.isCancelled()) {
                context.streamingHandle().cancel();
                return;
            }
            sink.next(new StreamEvent.Token(partial.text()));
        }

        /** A stream that ends with no token and no finish reason was no answer at all (e.g. not SSE). */
        @Override
        public void onCompleteResponse(ChatResponse response) {
            String text =
                    response.aiMessage() == null ? null : response.aiMessage().text();
            if (handle.get() == null && (text == null || text.isEmpty()) && response.finishReason() == null) {
                sink.error(new IllegalStateException("the stream ended without an answer"));
                return;
            }
            sink.next(new StreamEvent.Completed(response));
            sink.complete();
        }

        @Override
        public void onError(Throwable error) {
            sink.error(error);
        }
    }
}
