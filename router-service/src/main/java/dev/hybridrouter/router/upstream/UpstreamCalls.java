package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.privacy.Masking;
import dev.hybridrouter.router.privacy.StreamingUnmasker;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Calls upstream models — the only way to — without blocking an event-loop thread. A call to a large
 * model first applies the request's {@link Egress}: a local-only request is refused, personal data is
 * masked. Every call runs inside its upstream's {@link Guard}. Failures arrive as {@link dev.hybridrouter.router.error.ApiException}s that name the
 * upstream.
 */
public final class UpstreamCalls {

    /**
     * Threads for blocking model calls, at most {@value #MAX_BLOCKING_CALLS} at once: enough for every
     * bulkhead's calls in flight, so a call never waits for a thread while its time limit runs (the
     * shared bounded elastic scheduler has ten per core, and queueing there was counted as upstream
     * slowness under load).
     */
    static final int MAX_BLOCKING_CALLS = 512;

    private static final Scheduler CALLS =
            Schedulers.newBoundedElastic(MAX_BLOCKING_CALLS, Integer.MAX_VALUE, "upstream-call", 60, true);

    private UpstreamCalls() {}

    /**
     * One whole answer. LangChain4j's call blocks, so it runs on a thread of its own. For a large
     * model the conversation is masked first (off the event loop too: it is CPU work that grows with the
     * text) and the answer restored.
     */
    public static Mono<ChatResponse> complete(Upstream upstream, ChatRequest request, Egress egress) {
        return Mono.defer(() -> {
                    if (!Egress.leaves(upstream)) {
                        return call(upstream, request);
                    }
                    Masking masking = egress.maskFor(upstream, request.messages());
                    ChatRequest sent =
                            request.toBuilder().messages(masking.conversation()).build();
                    return call(upstream, sent).map(response -> {
                        egress.onEscalated()
                                .answered(
                                        upstream,
                                        sent.messages(),
                                        response.aiMessage().text());
                        return unmasked(response, masking);
                    });
                })
                .subscribeOn(CALLS);
    }

    /**
     * The answer token by token, then the complete response. For a large model the conversation is masked
     * first and the tokens restored, a placeholder split across tokens included. Cancelling the
     * subscription (the client went away) cancels the upstream stream.
     */
    public static Flux<StreamEvent> stream(Upstream upstream, ChatRequest request, Egress egress) {
        return Flux.defer(() -> {
                    if (!Egress.leaves(upstream)) {
                        return callStreaming(upstream, request);
                    }
                    Masking masking = egress.maskFor(upstream, request.messages());
                    ChatRequest sent =
                            request.toBuilder().messages(masking.conversation()).build();
                    StreamingUnmasker unmasker = masking.streamingUnmasker();
                    return callStreaming(upstream, sent).concatMapIterable(event -> {
                        List<StreamEvent> restored = new ArrayList<>(2);
                        if (event instanceof StreamEvent.Token token) {
                            addToken(restored, unmasker.accept(token.text()));
                        } else if (event instanceof StreamEvent.Completed completed) {
                            ChatResponse response = completed.response();
                            egress.onEscalated()
                                    .answered(
                                            upstream,
                                            sent.messages(),
                                            response.aiMessage().text());
                            addToken(restored, unmasker.finish());
                            restored.add(new StreamEvent.Completed(unmasked(response, masking)));
                        }
                        return restored;
                    });
                })
                .subscribeOn(CALLS);
    }

    private static Mono<ChatResponse> call(Upstream upstream, ChatRequest request) {
        return Mono.fromCallable(() -> upstream.chatModel().chat(withPreamble(upstream, request)))
                .subscribeOn(CALLS)
                .transform(upstream.guard()::protect)
                .onErrorMap(failure -> UpstreamErrors.toApiException(failure, upstream));
    }

    private static Flux<StreamEvent> callStreaming(Upstream upstream, ChatRequest request) {
        return Flux.<StreamEvent>create(sink ->
                        upstream.streamingChatModel().chat(withPreamble(upstream, request), new SinkHandler(sink)))
                .subscribeOn(CALLS)
                .transform(upstream.guard()::protect)
                .onErrorMap(failure -> UpstreamErrors.toApiException(failure, upstream));
    }

    private static void addToken(List<StreamEvent> events, String text) {
        if (!text.isEmpty()) {
            events.add(new StreamEvent.Token(text));
        }
    }

    private static ChatResponse unmasked(ChatResponse response, Masking masking) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(masking.unmask(response.aiMessage().text())))
                .metadata(response.metadata())
                .build();
    }

    private static ChatRequest withPreamble(Upstream upstream, ChatRequest request) {
        if (upstream.preamble().isEmpty()) {
            return request;
        }
        List<ChatMessage> messages = new ArrayList<>(upstream.preamble());
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
