package dev.hybridrouter.specialists.inprocess;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaOutput;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * LangChain4j's chat API over one in-process {@link LlamaCppModel}: whole answers ({@link ChatModel}) and token
 * by token ({@link StreamingChatModel}), so the router can use it like a remote backend.
 *
 * <p>What a request can carry, and what happens to it:
 *
 * <ul>
 *   <li>System, user (text) and assistant messages go through the model's chat template; a message the template
 *       cannot express, non-text content, tool calls and tool results are refused with
 *       {@link UnsupportedFeatureException} (tools are not supported at all: the bindings expose neither tool
 *       templates nor a tool-call parser).
 *   <li>Temperature, top-p, top-k, presence and frequency penalty, max output tokens, stop sequences and
 *       {@link LlamaCppChatRequestParameters#seed() seed} are honoured; a JSON schema response format constrains
 *       the answer with a llama.cpp grammar, plain JSON mode with a grammar for any JSON object.
 *   <li>{@code logprobs} are refused (see {@link LlamaCppChatRequestParameters}).
 * </ul>
 *
 * <p>Whole answers run on the calling thread (a blocking call: keep it off event loops) and stop when the thread
 * is interrupted; streamed answers run on the builder's executor and stop when the handler cancels through its
 * {@link StreamingHandle}. Either stops at the next token: llama.cpp's prompt processing itself cannot be cut
 * short.
 */
public final class LlamaCppChatModel implements ChatModel, StreamingChatModel {

    private static final int MAX_STOP_SEQUENCES = 16;
    private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(new DaemonThreads());

    private final LlamaCppModel model;
    private final String modelName;
    private final LlamaCppChatRequestParameters defaults;
    private final Executor executor;
    private final Duration timeout;
    private final Double loraScale;
    private final List<ChatModelListener> listeners;

    private LlamaCppChatModel(Builder builder) {
        this.model = Objects.requireNonNull(builder.model, "model");
        this.modelName = builder.modelName != null
                ? builder.modelName
                : model.file().getFileName().toString();
        this.defaults = LlamaCppChatRequestParameters.builder()
                .modelName(modelName)
                .build()
                .overrideWith(
                        builder.defaultRequestParameters == null
                                ? LlamaCppChatRequestParameters.EMPTY
                                : builder.defaultRequestParameters);
        this.executor = builder.executor != null ? builder.executor : DEFAULT_EXECUTOR;
        this.timeout = builder.timeout;
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.loraScale = builder.loraScale;
        if (loraScale != null && model.settings().loraAdapter() == null) {
            throw new IllegalArgumentException(
                    "loraScale is set but " + model.file() + " is loaded without a LoRA adapter");
        }
        this.listeners = List.copyOf(builder.listeners);
        validate(defaults, List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The shared model it runs on. */
    public LlamaCppModel model() {
        return model;
    }

    @Override
    public LlamaCppChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Plan plan = plan(request);
        long admittedAt = System.nanoTime();
        try (LlamaCppModel.Admission admission = model.admit()) {
            try (LlamaCppModel.Lease lease = admission.acquire()) {
                StringBuilder text = new StringBuilder();
                Thread caller = Thread.currentThread();
                Outcome outcome = generate(plan, lease, admittedAt, piece -> text.append(piece), caller::isInterrupted);
                if (outcome.end == End.CANCELLED) {
                    throw new CancellationException(
                            "interrupted: generation stopped after " + outcome.completionTokens + " tokens");
                }
                return response(text.toString(), outcome);
            }
        }
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        LlamaCppModel.Admission admission;
        Plan plan;
        try {
            plan = plan(request);
            admission = model.admit();
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        long admittedAt = System.nanoTime();
        Handle handle = new Handle();
        try {
            executor.execute(() -> stream(plan, admission, admittedAt, handler, handle));
        } catch (RejectedExecutionException e) {
            admission.close();
            handler.onError(new ModelBusyException("in-process model "
                    + model.file().getFileName() + " is busy: its streaming executor refused the call"));
        }
    }

    private void stream(
            Plan plan,
            LlamaCppModel.Admission admission,
            long admittedAt,
            StreamingChatResponseHandler handler,
            Handle handle) {
        PartialResponseContext context = new PartialResponseContext(handle);
        RuntimeException[] handlerError = new RuntimeException[1];
        Outcome outcome;
        StringBuilder text = new StringBuilder();
        try (admission;
                LlamaCppModel.Lease lease = admission.acquire()) {
            outcome = generate(
                    plan,
                    lease,
                    admittedAt,
                    piece -> {
                        text.append(piece);
                        try {
                            handler.onPartialResponse(new LlamaCppPartialResponse(piece, null), context);
                        } catch (RuntimeException e) {
                            handlerError[0] = e;
                            handle.cancel();
                        }
                    },
                    handle::isCancelled);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        if (handlerError[0] != null) {
            handler.onError(handlerError[0]);
        } else if (outcome.end != End.CANCELLED) {
            handler.onCompleteResponse(response(text.toString(), outcome));
        }
    }

    /** Why a generation ended. */
    private enum End {
        STOP,
        LENGTH,
        CANCELLED
    }

    private record Outcome(
            End end, int promptTokens, int completionTokens, long queueNanos, Long firstTokenNanos, long totalNanos) {}

    /** What can be decided about a request without the model. */
    private record Plan(
            List<dev.langchain4j.data.message.ChatMessage> messages,
            ChatPrompt.Input input,
            ChatRequestParameters parameters,
            Integer seed,
            String jsonSchema) {}

    private Plan plan(ChatRequest request) {
        ChatRequestParameters parameters = request.parameters();
        validate(parameters, request.messages());
        ChatPrompt.Input input = ChatPrompt.of(request.messages());
        Integer seed = parameters instanceof LlamaCppChatRequestParameters llama ? llama.seed() : null;
        return new Plan(request.messages(), input, parameters, seed, jsonSchema(parameters.responseFormat()));
    }

    private static void validate(ChatRequestParameters p, List<?> messages) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools: the in-process engine does not support tool calling");
        }
        if (p.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("tool_choice 'required': the in-process engine has no tools");
        }
        if (p instanceof LlamaCppChatRequestParameters llama) {
            if (Boolean.TRUE.equals(llama.logprobs()) || (llama.topLogprobs() != null && llama.topLogprobs() > 0)) {
                throw new UnsupportedFeatureException("logprobs: de.kherud:llama 4.2.0 cannot return token"
                        + " probabilities (asking llama.cpp for them aborts the process inside the bindings)");
            }
            if (llama.seed() != null && llama.seed() < 0) {
                throw new InvalidRequestException("seed must not be negative: " + llama.seed());
            }
        }
        range("temperature", p.temperature(), 0, 2);
        range("top_p", p.topP(), 0, 1);
        range("frequency_penalty", p.frequencyPenalty(), -2, 2);
        range("presence_penalty", p.presencePenalty(), -2, 2);
        if (p.topK() != null && p.topK() < 0) {
            throw new InvalidRequestException("top_k must not be negative: " + p.topK());
        }
        if (p.maxOutputTokens() != null && p.maxOutputTokens() < 1) {
            throw new InvalidRequestException("max output tokens must be positive: " + p.maxOutputTokens());
        }
        List<String> stops = p.stopSequences();
        if (stops != null) {
            if (stops.size() > MAX_STOP_SEQUENCES) {
                throw new InvalidRequestException(
                        "at most " + MAX_STOP_SEQUENCES + " stop sequences, got " + stops.size());
            }
            for (String stop : stops) {
                if (stop == null || stop.isEmpty()) {
                    throw new InvalidRequestException("stop sequences must not be empty");
                }
            }
        }
    }

    private static void range(String name, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw new InvalidRequestException(name + " must be between " + min + " and " + max + ": " + value);
        }
    }

    /** The JSON schema text for llama.cpp's grammar, {@code {"type":"object"}} for plain JSON mode, or null. */
    private static String jsonSchema(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) {
            return null;
        }
        JsonSchema schema = format.jsonSchema();
        if (schema == null || schema.rootElement() == null) {
            return "{\"type\":\"object\"}";
        }
        try {
            return ChatPrompt.JSON.writeValueAsString(JsonSchemaElementJsonUtils.toMap(schema.rootElement()));
        } catch (RuntimeException e) {
            throw new InvalidRequestException(
                    "response_format json_schema cannot be written as JSON: " + e.getMessage());
        }
    }

    private Outcome generate(
            Plan plan, LlamaCppModel.Lease lease, long admittedAt, Consumer<String> sink, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        String prompt = lease.llama().applyTemplate(plan.input().json());
        ChatPrompt.checkExpressed(prompt, plan.input(), plan.messages());
        int promptTokens = lease.llama().encode(prompt).length + (lease.info().addsBos() ? 1 : 0);
        if (promptTokens >= lease.contextSize()) {
            throw new InvalidRequestException("context_length_exceeded: the prompt is " + promptTokens
                    + " tokens, the in-process model " + model.file().getFileName() + " has "
                    + lease.contextSize() + " tokens of context per request");
        }
        InferenceParameters inference = inference(plan, prompt);
        StopSequences stops = new StopSequences(
                plan.parameters().stopSequences() == null
                        ? List.of()
                        : plan.parameters().stopSequences());
        long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();

        LlamaIterator iterator;
        try {
            iterator = lease.llama().generate(inference).iterator();
        } catch (RuntimeException e) {
            throw nativeRequestError(e);
        }
        int tokens = 0;
        boolean lastEmpty = false;
        boolean finished = false;
        boolean interrupted = false;
        boolean timedOut = false;
        Long firstToken = null;
        try {
            while (iterator.hasNext()) {
                LlamaOutput output;
                try {
                    output = iterator.next();
                } catch (RuntimeException e) {
                    throw nativeGenerationError(e);
                }
                if (!iterator.hasNext()) {
                    finished = true; // the final result carries no token
                    break;
                }
                tokens++;
                if (firstToken == null) {
                    firstToken = System.nanoTime() - start;
                }
                lastEmpty = output.text.isEmpty();
                stops.accept(output.text).forEach(sink);
                if (stops.matched()) {
                    break;
                }
                if (cancelled.getAsBoolean() || lease.closing()) {
                    interrupted = true;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
            }
        } finally {
            if (iterator.hasNext()) {
                iterator.cancel(); // only ever from this thread: a cancel from elsewhere strands next()
            }
        }
        if (timedOut) {
            throw new TimeoutException(
                    "in-process generation took longer than " + timeout + " (" + tokens + " tokens)");
        }
        if (interrupted && lease.closing()) {
            throw new IllegalStateException("in-process model " + model.file() + " was closed during generation");
        }
        End end;
        if (interrupted) {
            end = End.CANCELLED;
        } else if (stops.matched()) {
            end = End.STOP;
        } else {
            stops.flush().forEach(sink);
            // llama.cpp does not say why it stopped. An end-of-generation token is sent as an empty piece (control
            // tokens have no text); the length and context limits end after a token with text.
            end = finished && lastEmpty ? End.STOP : End.LENGTH;
        }
        long now = System.nanoTime();
        return new Outcome(end, promptTokens, tokens, start - admittedAt, firstToken, now - start);
    }

    private InferenceParameters inference(Plan plan, String prompt) {
        ChatRequestParameters p = plan.parameters();
        InferenceParameters inference = new InferenceParameters(prompt)
                .setNPredict(p.maxOutputTokens() != null ? p.maxOutputTokens() : -1)
                .setCachePrompt(true);
        if (p.temperature() != null) {
            inference.setTemperature(p.temperature().floatValue());
        }
        if (p.topP() != null) {
            inference.setTopP(p.topP().floatValue());
        }
        if (p.topK() != null) {
            inference.setTopK(p.topK());
        }
        if (p.frequencyPenalty() != null) {
            inference.setFrequencyPenalty(p.frequencyPenalty().floatValue());
        }
        if (p.presencePenalty() != null) {
            inference.setPresencePenalty(p.presencePenalty().floatValue());
        }
        if (plan.seed() != null) {
            inference.setSeed(plan.seed());
        }
        if (plan.jsonSchema() != null) {
            NativeAccess.putRaw(inference, "json_schema", plan.jsonSchema());
        }
        if (loraScale != null) {
            NativeAccess.putRaw(inference, "lora", "[{\"id\": 0, \"scale\": " + loraScale.floatValue() + "}]");
        }
        return inference;
    }

    private ChatResponse response(String text, Outcome outcome) {
        LlamaCppChatResponseMetadata metadata = LlamaCppChatResponseMetadata.builder()
                .id("chatcmpl-" + UUID.randomUUID())
                .modelName(modelName)
                .tokenUsage(new TokenUsage(outcome.promptTokens, outcome.completionTokens))
                .finishReason(outcome.end == End.STOP ? FinishReason.STOP : FinishReason.LENGTH)
                .queueTime(Duration.ofNanos(outcome.queueNanos))
                .timeToFirstToken(outcome.firstTokenNanos == null ? null : Duration.ofNanos(outcome.firstTokenNanos))
                .generationTime(Duration.ofNanos(outcome.totalNanos))
                .build();
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(text))
                .metadata(metadata)
                .build();
    }

    /** The bindings' {@code LlamaException} (package-private) thrown when llama.cpp refuses a request. */
    private RuntimeException nativeRequestError(RuntimeException e) {
        if (!isLlamaException(e)) {
            return e;
        }
        String message = e.getMessage();
        try {
            JsonNode json = ChatPrompt.JSON.readTree(message);
            if (json.hasNonNull("message")) {
                message = json.get("message").asString();
            }
        } catch (RuntimeException ignored) {
            // not JSON: keep the text
        }
        return new InvalidRequestException("in-process model refused the request: " + message, e);
    }

    private RuntimeException nativeGenerationError(RuntimeException e) {
        return isLlamaException(e) ? new InternalServerException("in-process generation failed: " + e.getMessage()) : e;
    }

    private static boolean isLlamaException(RuntimeException e) {
        return e.getClass().getName().equals("de.kherud.llama.LlamaException");
    }

    /** A streamed generation's handle: cancelling is noticed by the generating thread at the next token. */
    private static final class Handle implements StreamingHandle {
        private volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "llama-cpp-stream-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }

    public static final class Builder {
        private LlamaCppModel model;
        private String modelName;
        private ChatRequestParameters defaultRequestParameters;
        private Executor executor;
        private Duration timeout;
        private Double loraScale;
        private List<ChatModelListener> listeners = List.of();

        private Builder() {}

        /** The shared model, from {@link LlamaCppModels#model(LlamaCppModelSettings)}. Required. */
        public Builder model(LlamaCppModel model) {
            this.model = model;
            return this;
        }

        /** The name in response metadata; default the file name. */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** Defaults for every request (a {@link LlamaCppChatRequestParameters} may set a seed). */
        public Builder defaultRequestParameters(ChatRequestParameters defaultRequestParameters) {
            this.defaultRequestParameters = defaultRequestParameters;
            return this;
        }

        /**
         * Runs streamed generations; default a shared pool of daemon threads (its size is bounded by the models'
         * {@code maxConcurrent + queueLimit}, since callers beyond that are refused before they get a thread).
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** Longest generation time after a slot is taken; default none. Exceeding it gives {@link TimeoutException}. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Scale of the model's LoRA adapter for this chat model's requests (0 turns it off); default 1. */
        public Builder loraScale(Double loraScale) {
            this.loraScale = loraScale;
            return this;
        }

        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners = listeners == null ? List.of() : listeners;
            return this;
        }

        public LlamaCppChatModel build() {
            return new LlamaCppChatModel(this);
        }
    }
}
