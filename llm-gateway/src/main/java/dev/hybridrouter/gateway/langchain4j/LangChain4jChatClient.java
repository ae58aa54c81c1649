package dev.hybridrouter.gateway.langchain4j;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.FunctionCall;
import dev.hybridrouter.gateway.wire.ToolCall;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A model behind LangChain4j's {@link StreamingChatModel}, speaking the OpenAI wire format: requests are
 * mapped completely ({@link RequestMapping}), and a request with a field the provider cannot honour is
 * refused before any call. Whole answers are streamed too and gathered, so no call ever holds a thread
 * while it waits. Streamed tool calls arrive as OpenAI tool-call deltas. A call's headers reach the
 * provider's HTTP request through {@link #callHeaders()}.
 */
public final class LangChain4jChatClient implements ChatClient {

    /** The headers of the call this thread is starting; set only while {@link #start} runs. */
    private static final ThreadLocal<Map<String, String>> STARTING = ThreadLocal.withInitial(Map::of);

    private final String name;
    private final String model;
    private final StreamingChatModel chatModel;
    private final Dialect dialect;
    private final int defaultMaxTokens;
    private final Clock clock;

    /**
     * @param name how errors name the upstream, e.g. {@code large model 'claude'}
     * @param model the provider's model name
     * @param defaultMaxTokens the answer length limit when the caller sets none, or 0 for none
     */
    public LangChain4jChatClient(
            String name,
            String model,
            StreamingChatModel chatModel,
            Dialect dialect,
            int defaultMaxTokens,
            Clock clock) {
        this.name = name;
        this.model = model;
        this.chatModel = chatModel;
        this.dialect = dialect;
        this.defaultMaxTokens = defaultMaxTokens;
        this.clock = clock;
    }

    /**
     * The headers of the call being started, for a provider builder's {@code customHeaders}. LangChain4j
     * has no headers per request, but its providers build a call's HTTP request, asking this supplier, on
     * the thread that starts the call, which is where this client sets them.
     */
    public static Supplier<Map<String, String>> callHeaders() {
        return STARTING::get;
    }

    @Override
    public List<String> unsupported(ChatCompletionRequest request) {
        return RequestMapping.problems(request, dialect, model);
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
        return Mono.defer(() -> {
            ChatRequest mapped = mapped(request);
            String id = newId();
            long created = clock.instant().getEpochSecond();
            return Mono.<ChatCompletion>create(sink -> {
                Handler handler = new Handler(
                        partial -> {},
                        response -> sink.success(
                                ResponseMapping.completion(id, created, model, response, dialect.logprobs(response))),
                        failure -> sink.error(failure));
                sink.onCancel(handler::cancel);
                start(mapped, headers, handler);
            });
        });
    }

    @Override
    public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
        return Flux.defer(() -> {
            ChatRequest mapped = mapped(request);
            String id = newId();
            long created = clock.instant().getEpochSecond();
            return Flux.<ChatCompletionChunk>create(sink -> {
                Chunks chunks = new Chunks(id, created, request.includeUsage(), sink);
                Handler handler = new Handler(chunks::piece, chunks::complete, sink::error);
                sink.onCancel(handler::cancel);
                start(mapped, headers, handler);
            });
        });
    }

    /** A provider may refuse a request before streaming (its own checks); that is a failure like any other. */
    private void start(ChatRequest request, Map<String, String> headers, Handler handler) {
        STARTING.set(headers);
        try {
            chatModel.chat(request, handler);
        } catch (RuntimeException refused) {
            handler.onError(refused);
        } finally {
            STARTING.remove();
        }
    }

    private ChatRequest mapped(ChatCompletionRequest request) {
        RequestMapping mapping = new RequestMapping(dialect, model, defaultMaxTokens);
        ChatRequest mapped = mapping.map(request);
        if (mapped == null) {
            throw new UpstreamException(
                    Kind.REJECTED,
                    name + " (" + dialect.provider() + ") cannot honour " + String.join(", ", mapping.problems()));
        }
        return mapped;
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A piece of a streamed answer: text, or a piece of a tool call. */
    private sealed interface Piece {
        record Text(PartialResponse partial) implements Piece {}

        record Call(PartialToolCall call) implements Piece {}
    }

    /** Turns LangChain4j's callbacks into OpenAI chunks. */
    private final class Chunks {

        private final String id;
        private final long created;
        private final boolean includeUsage;
        private final FluxSink<ChatCompletionChunk> sink;
        private final Set<Integer> callsStarted = new HashSet<>();
        private boolean roleSent;

        Chunks(String id, long created, boolean includeUsage, FluxSink<ChatCompletionChunk> sink) {
            this.id = id;
            this.created = created;
            this.includeUsage = includeUsage;
            this.sink = sink;
        }

        void piece(Piece piece) {
            if (piece instanceof Piece.Text text) {
                sink.next(ResponseMapping.delta(
                        id,
                        created,
                        model,
                        new ChatMessage(
                                role(), Content.of(text.partial().text()), null, null, null, null, null, null, null),
                        dialect.logprobs(text.partial())));
            } else if (piece instanceof Piece.Call call) {
                PartialToolCall partial = call.call();
                boolean first = callsStarted.add(partial.index());
                ToolCall delta = new ToolCall(
                        partial.index(),
                        first ? partial.id() : null,
                        first ? "function" : null,
                        new FunctionCall(first ? partial.name() : null, partial.partialArguments(), null),
                        null);
                sink.next(ResponseMapping.delta(
                        id,
                        created,
                        model,
                        new ChatMessage(role(), null, null, null, List.of(delta), null, null, null, null),
                        null));
            }
        }

        void complete(ChatResponse response) {
            if (callsStarted.isEmpty() && response.aiMessage().hasToolExecutionRequests()) {
                sink.next(ResponseMapping.delta(
                        id,
                        created,
                        model,
                        new ChatMessage(
                                role(),
                                null,
                                null,
                                null,
                                ResponseMapping.toolCalls(response.aiMessage().toolExecutionRequests(), true),
                                null,
                                null,
                                null,
                                null),
                        null));
            }
            if (!roleSent) {
                sink.next(ResponseMapping.delta(id, created, model, ChatMessage.assistant(""), null));
                roleSent = true;
            }
            sink.next(ResponseMapping.finish(id, created, model, response.finishReason()));
            if (includeUsage) {
                sink.next(ResponseMapping.usage(id, created, model, response.tokenUsage()));
            }
            sink.complete();
        }

        private String role() {
            if (roleSent) {
                return null;
            }
            roleSent = true;
            return "assistant";
        }
    }

    /**
     * LangChain4j's callbacks, with failures named as the router names them. Cancelling before the first
     * callback cancels at the first one, since only callbacks carry the handle that stops the stream.
     */
    private final class Handler implements StreamingChatResponseHandler {

        private final java.util.function.Consumer<Piece> onPiece;
        private final java.util.function.Consumer<ChatResponse> onComplete;
        private final java.util.function.Consumer<Throwable> onFailure;
        private final AtomicReference<StreamingHandle> handle = new AtomicReference<>();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        Handler(
                java.util.function.Consumer<Piece> onPiece,
                java.util.function.Consumer<ChatResponse> onComplete,
                java.util.function.Consumer<Throwable> onFailure) {
            this.onPiece = onPiece;
            this.onComplete = onComplete;
            this.onFailure = onFailure;
        }

        void cancel() {
            cancelled.set(true);
            StreamingHandle current = handle.get();
            if (current != null) {
                current.cancel();
            }
        }

        private boolean live(StreamingHandle streamingHandle) {
            handle.set(streamingHandle);
            if (cancelled.get()) {
                streamingHandle.cancel();
                return false;
            }
            return true;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            if (live(context.streamingHandle())) {
                onPiece.accept(new Piece.Text(partial));
            }
        }

        @Override
        public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext context) {
            if (live(context.streamingHandle())) {
                onPiece.accept(new Piece.Call(partial));
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            if (!cancelled.get()) {
                onComplete.accept(response);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (!cancelled.get()) {
                onFailure.accept(failure(error));
            }
        }
    }

    /** A provider's failure as the router reports it; its own message may quote the prompt, so it is not used. */
    private UpstreamException failure(Throwable error) {
        UpstreamException own = dialect.failure(name, error);
        if (own != null) {
            return own;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof UpstreamException upstream) {
                return upstream;
            }
            if (cause instanceof UnsupportedFeatureException) {
                return new UpstreamException(
                        Kind.REJECTED,
                        name + " (" + dialect.provider() + ") cannot honour this request",
                        null,
                        null,
                        error);
            }
        }
        return new UpstreamException(Kind.MALFORMED, name + " failed while answering", null, null, error);
    }
}
