package dev.hybridrouter.router.chat;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.capture.CaptureWriter;
import dev.hybridrouter.router.capture.CapturedExchange;
import dev.hybridrouter.router.chat.internal.ChatCompletion;
import dev.hybridrouter.router.chat.internal.ChatCompletionChunk;
import dev.hybridrouter.router.chat.internal.ChatCompletionChunk.Delta;
import dev.hybridrouter.router.chat.internal.ChatCompletionRequest;
import dev.hybridrouter.router.chat.internal.ModelList;
import dev.hybridrouter.router.chat.internal.RouteExplanation;
import dev.hybridrouter.router.chat.internal.Usage;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.policy.PolicyRegistry;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.upstream.Attempt;
import dev.hybridrouter.router.upstream.Egress;
import dev.hybridrouter.router.upstream.Failover;
import dev.hybridrouter.router.upstream.UpstreamCalls.StreamEvent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import jakarta.validation.Valid;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible endpoint. Each request takes the policy in force once, is routed off the event
 * loop, and is answered by the model the decision names. Routing headers are set before the answer, so
 * an error response carries them too.
 */
@RestController
class ChatController {

    static final String ROUTE = "x-router-route";
    static final String TARGET = "x-router-target";
    static final String CONFIDENCE = "x-router-confidence";
    static final String ESCALATED = "x-router-escalated";
    static final String DEGRADED = "x-router-degraded";
    static final String RESIDENCY = "x-router-residency";
    static final String DEGRADED_REASON = "x-router-degraded-reason";

    private final PolicyRegistry policies;
    private final JsonMapper json;
    private final Clock clock;

    ChatController(PolicyRegistry policies, JsonMapper json, Clock clock) {
        this.policies = policies;
        this.json = json;
        this.clock = clock;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> chatCompletions(
            @Valid @RequestBody ChatCompletionRequest body, ServerHttpResponse response) {
        return route(body).flatMap(routed -> {
            ActivePolicy policy = routed.policy();
            RoutingDecision decision = routed.decision();
            HttpHeaders headers = response.getHeaders();
            routingHeaders(headers, decision);
            Failover failover = new Failover(
                    policy.plan(decision),
                    attempt -> policy.upstream(attempt.target()),
                    OpenAiMessages.chatRequest(body, routed.conversation()),
                    egress(policy, decision));
            return body.streaming()
                    ? Mono.just(stream(failover, headers, body.includeUsage()))
                    : complete(failover, headers);
        });
    }

    /** The decision for a chat request, explained, without calling any model. */
    @PostMapping(path = "/v1/route", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<RouteExplanation> explainRoute(@Valid @RequestBody ChatCompletionRequest body) {
        return route(body).map(routed -> explanation(routed.policy(), routed.decision()));
    }

    /**
     * Routes a request under the policy in force, taken once. Classifying is CPU work (an embedding per
     * new message), so it runs off the event loop.
     */
    private Mono<Routed> route(ChatCompletionRequest body) {
        ActivePolicy policy = policies.active();
        List<ChatMessage> conversation = OpenAiMessages.conversation(body.messages());
        return Mono.fromCallable(
                        () -> new Routed(policy, conversation, policy.router().route(body.model(), conversation)))
                .subscribeOn(Schedulers.parallel());
    }

    /** A request's conversation and where it goes, under one policy snapshot. */
    private record Routed(ActivePolicy policy, List<ChatMessage> conversation, RoutingDecision decision) {}

    private static RouteExplanation explanation(ActivePolicy policy, RoutingDecision decision) {
        return new RouteExplanation(
                decision.route(),
                decision.target().toString(),
                decision.confidence(),
                decision.escalate(),
                decision.reason().label(),
                decision.scores(),
                decision.localOnly(),
                decision.localOnlyReason(),
                policy.plan(decision).stream()
                        .map(attempt -> attempt.target().toString())
                        .toList());
    }

    @GetMapping("/v1/models")
    ModelList models() {
        var policy = policies.active().policy();
        long created = clock.instant().getEpochSecond();
        Map<String, ModelList.Model> models = new LinkedHashMap<>();
        policies.autoModels().forEach(id -> models.put(id, new ModelList.Model(id, created, "hybrid-router")));
        policy.domains()
                .forEach(d ->
                        models.putIfAbsent(d.name(), new ModelList.Model(d.name(), created, "hybrid-router:domain")));
        policy.specialists().keySet().stream()
                .sorted()
                .forEach(name ->
                        models.putIfAbsent(name, new ModelList.Model(name, created, "hybrid-router:specialist")));
        policy.largeModels().keySet().stream()
                .sorted()
                .forEach(name ->
                        models.putIfAbsent(name, new ModelList.Model(name, created, "hybrid-router:large-model")));
        return new ModelList(new ArrayList<>(models.values()));
    }

    private Mono<ResponseEntity<?>> complete(Failover failover, HttpHeaders headers) {
        String id = completionId();
        long created = clock.instant().getEpochSecond();
        return failover.complete().map(answer -> {
            answeredHeaders(headers, answer.attempt());
            ChatResponse response = answer.response();
            return ResponseEntity.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(new ChatCompletion(
                            id,
                            created,
                            answer.attempt().target().name(),
                            response.aiMessage().text(),
                            finishReason(response.finishReason()),
                            usage(response.tokenUsage())));
        });
    }

    /**
     * An SSE stream of chunks ending in {@code [DONE]}. The first chunk goes out with the first token, so
     * an upstream that fails before answering gets a plain error response with the right status; after
     * that, a failure ends the stream with an {@code error} event.
     */
    private ResponseEntity<Flux<ServerSentEvent<String>>> stream(
            Failover failover, HttpHeaders headers, boolean includeUsage) {
        String id = completionId();
        long created = clock.instant().getEpochSecond();
        AtomicReference<String> answering = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        Flux<ServerSentEvent<String>> events = failover.stream(attempt -> {
                    answeredHeaders(headers, attempt);
                    answering.set(attempt.target().name());
                })
                .concatMapIterable(event -> {
                    String model = answering.get();
                    List<ChatCompletionChunk> chunks = new ArrayList<>(3);
                    String role = started.compareAndSet(false, true) ? "assistant" : null;
                    if (event instanceof StreamEvent.Token token) {
                        chunks.add(ChatCompletionChunk.delta(id, created, model, new Delta(role, token.text()), null));
                    } else if (event instanceof StreamEvent.Completed completed) {
                        ChatResponse answer = completed.response();
                        if (role != null) {
                            chunks.add(ChatCompletionChunk.delta(id, created, model, new Delta(role, ""), null));
                        }
                        chunks.add(ChatCompletionChunk.delta(
                                id, created, model, new Delta(null, null), finishReason(answer.finishReason())));
                        if (includeUsage) {
                            chunks.add(ChatCompletionChunk.usage(id, created, model, usage(answer.tokenUsage())));
                        }
                    }
                    return chunks;
                })
                .map(chunk ->
                        ServerSentEvent.builder(json.writeValueAsString(chunk)).build())
                .concatWith(Mono.just(ServerSentEvent.builder("[DONE]").build()))
                .onErrorResume(failure -> started.get() ? Mono.just(errorEvent(failure)) : Mono.error(failure));
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(events);
    }

    private ServerSentEvent<String> errorEvent(Throwable failure) {
        ApiException error = failure instanceof ApiException api
                ? api
                : new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "server_error",
                        "stream_failed",
                        null,
                        "The answer stream failed: " + failure.getMessage());
        return ServerSentEvent.builder(json.writeValueAsString(error.body()))
                .event("error")
                .build();
    }

    /**
     * What may leave with this request: nothing, for a local-only one; otherwise the conversation with
     * personal data masked, and — for a domain that captures — the escalated exchange, still masked.
     */
    private Egress egress(ActivePolicy policy, RoutingDecision decision) {
        CaptureWriter capture = policy.capture();
        boolean captured = capture != null
                && policy.policy()
                        .domain(decision.route())
                        .map(Policy.Domain::capture)
                        .orElse(false);
        Egress.EscalationListener onEscalated = !captured
                ? Egress.EscalationListener.NONE
                : (upstream, sent, answer) -> capture.offer(new CapturedExchange(
                        clock.instant(),
                        policy.policy().name(),
                        decision.route(),
                        decision.confidence(),
                        decision.reason().label(),
                        upstream.target().name(),
                        CapturedExchange.messages(sent),
                        answer,
                        null));
        return new Egress(decision.localOnlyReason(), policy.router().pii(), onEscalated);
    }

    /** The decision, before any model is called: an error response carries these too. */
    private static void routingHeaders(HttpHeaders headers, RoutingDecision decision) {
        headers.set(ROUTE, decision.route());
        headers.set(TARGET, decision.target().toString());
        headers.set(CONFIDENCE, String.format(Locale.ROOT, "%.4f", decision.confidence()));
        headers.set(ESCALATED, Boolean.toString(decision.escalate()));
        if (decision.localOnly()) {
            headers.set(RESIDENCY, "local-only");
        }
    }

    /** The model that actually answers, which failover may have changed. */
    private static void answeredHeaders(HttpHeaders headers, Attempt attempt) {
        headers.set(TARGET, attempt.target().toString());
        headers.set(ESCALATED, Boolean.toString(attempt.target().kind() == RoutingDecision.Target.Kind.LARGE));
        headers.set(DEGRADED, Boolean.toString(attempt.degraded()));
        if (attempt.degraded()) {
            headers.set(DEGRADED_REASON, attempt.degradedReason());
        }
    }

    private static String completionId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String finishReason(FinishReason reason) {
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

    private static Usage usage(TokenUsage usage) {
        if (usage == null) {
            return Usage.of(0, 0);
        }
        return Usage.of(zeroIfNull(usage.inputTokenCount()), zeroIfNull(usage.outputTokenCount()));
    }

    private static int zeroIfNull(Integer count) {
        return count == null ? 0 : count;
    }
}
