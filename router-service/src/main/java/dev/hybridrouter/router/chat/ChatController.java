package dev.hybridrouter.router.chat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.chat.internal.ModelList;
import dev.hybridrouter.router.chat.internal.RouteExplanation;
import dev.hybridrouter.router.decision.Decisions;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.execution.Execution;
import dev.hybridrouter.router.execution.Execution.StreamEvent;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.policy.PolicyRegistry;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.tenant.Caller;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * The OpenAI-compatible API. It maps the wire format and nothing else: what happens to a request is, in
 * order, {@link ChatRequests#read} (parse and check), {@link dev.hybridrouter.router.routing.Router#route}
 * (the decision and its plan, under the policy in force, taken once), and {@link Execution} (the plan run
 * against the models). Routing headers are set before the answer, so an error response carries them too.
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
    static final String CACHE = "x-router-cache";
    static final String CACHE_SIMILARITY = "x-router-cache-similarity";
    static final String REASON = "x-router-reason";
    static final String CASCADE_SCORE = "x-router-cascade-score";

    /** The observation of a request's classification: a span, and the timer router_classification_seconds. */
    static final String CLASSIFICATION = "router.classification";

    private final PolicyRegistry policies;
    private final Execution execution;
    private final ChatRequests requests;
    private final Clock clock;
    private final Decisions decisions;
    private final ObservationRegistry observations;

    ChatController(
            PolicyRegistry policies,
            Execution execution,
            RouterProperties properties,
            Clock clock,
            Decisions decisions,
            ObservationRegistry observations) {
        this.policies = policies;
        this.execution = execution;
        this.decisions = decisions;
        this.requests = new ChatRequests(properties.limits());
        this.clock = clock;
        this.observations = observations;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> chatCompletions(@RequestBody(required = false) byte[] body, ServerWebExchange exchange) {
        Caller caller = Caller.of(exchange);
        ActivePolicy policy = caller.policy();
        long start = System.nanoTime();
        return Mono.deferContextual(context -> route(caller, body, context).flatMap(routed -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            routingHeaders(headers, routed.decision());
            String requestId = RequestIds.of(exchange);
            Decisions.Recording record = decisions.start(
                    caller.tenant(), policy.policy(), routed.decision(), requestId, start, requestObservation(context));
            var call = new Execution.Call(
                    caller.counted(routed.request()),
                    routed.decision(),
                    policy,
                    requestId,
                    cascaded -> cascaded(cascaded, headers, record, caller));
            if (routed.request().streaming()) {
                return Mono.just(stream(call, headers, record, caller, caller.hidesUsage(routed.request())));
            }
            Optional<ResponseCache.Lookup> lookup =
                    policy.cache().lookup(caller.tenant(), routed.request(), routed.decision());
            if (lookup.isEmpty()) {
                return complete(call, headers, record, caller, lookup);
            }
            return policy.cache()
                    .get(lookup.get())
                    .<ResponseEntity<?>>map(hit -> {
                        headers.set(CACHE, hit.similarity() == null ? "hit" : "semantic-hit");
                        if (hit.similarity() != null) {
                            headers.set(CACHE_SIMILARITY, String.format(Locale.ROOT, "%.4f", hit.similarity()));
                        }
                        return cachedAnswer(hit.cached(), headers, record);
                    })
                    .switchIfEmpty(Mono.defer(() -> {
                        headers.set(CACHE, "miss");
                        return complete(call, headers, record, caller, lookup);
                    }));
        }));
    }

    /** The decision for a chat request, explained, without calling any model. */
    @PostMapping(path = "/v1/route", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<RouteExplanation> explainRoute(@RequestBody(required = false) byte[] body, ServerWebExchange exchange) {
        return Mono.deferContextual(context -> route(Caller.of(exchange), body, context))
                .map(routed -> explanation(routed.decision()));
    }

    @GetMapping("/v1/models")
    ModelList models(ServerWebExchange exchange) {
        return new ModelList(
                new ArrayList<>(models(Caller.of(exchange).policy()).values()));
    }

    @GetMapping("/v1/models/{id}")
    ModelList.Model model(@PathVariable String id, ServerWebExchange exchange) {
        ModelList.Model model = models(Caller.of(exchange).policy()).get(id);
        if (model == null) {
            throw ApiException.of(
                            ErrorCode.MODEL_NOT_FOUND,
                            "The model '" + id + "' does not exist; GET /v1/models lists the models this router serves")
                    .withParam("model");
        }
        return model;
    }

    /** A request and where it goes. */
    private record Routed(ChatCompletionRequest request, RoutingDecision decision) {}

    /**
     * Reads and routes a request, within the caller's budget. Classifying is CPU work (an embedding per new message), so it runs off the
     * event loop; it is observed as {@value #CLASSIFICATION}, by policy.
     */
    private Mono<Routed> route(Caller caller, byte[] body, ContextView context) {
        Observation parent = requestObservation(context);
        return Mono.fromCallable(() -> {
                    ChatCompletionRequest request = requests.read(body);
                    RoutingDecision decision = Observation.createNotStarted(CLASSIFICATION, observations)
                            .parentObservation(parent)
                            .lowCardinalityKeyValue(
                                    "policy", caller.policy().policy().name())
                            .observe(() -> caller.policy().router().route(request));
                    return new Routed(request, caller.withinBudget(decision));
                })
                .subscribeOn(Schedulers.parallel());
    }

    /**
     * A whole answer from the plan's models; kept in the policy's cache when the request has a {@code lookup}.
     */
    private Mono<ResponseEntity<?>> complete(
            Execution.Call call,
            HttpHeaders headers,
            Decisions.Recording record,
            Caller caller,
            Optional<ResponseCache.Lookup> lookup) {
        return execution
                .complete(call)
                .<ResponseEntity<?>>map(answer -> {
                    answeredHeaders(headers, answer.attempt());
                    record.answeredBy(answer.attempt());
                    record.usage(answer.completion().usage());
                    caller.spend(answer.attempt().target(), answer.completion().usage());
                    byte[] body = WireJson.MAPPER.writeValueAsBytes(answer.completion());
                    lookup.ifPresent(l -> call.policy()
                            .cache()
                            .put(
                                    l,
                                    new ResponseCache.Cached(
                                            body,
                                            answer.attempt(),
                                            answer.completion().usage())));
                    return ResponseEntity.ok()
                            .contentType(MediaType.APPLICATION_JSON)
                            .body(body);
                })
                .doOnError(record::failed)
                .doOnCancel(record::cancelled)
                .doFinally(signal -> record.finish(System.nanoTime()));
    }

    /**
     * What the cascade made of the specialist's answer, before anything is sent: the reason and the score in the
     * headers and the record; the tokens of an answer that was not kept charged to the tenant and counted.
     */
    private static void cascaded(
            Execution.Cascaded cascaded, HttpHeaders headers, Decisions.Recording record, Caller caller) {
        headers.set(REASON, cascaded.reason());
        if (cascaded.score() != null) {
            headers.set(CASCADE_SCORE, String.format(Locale.ROOT, "%.4f", cascaded.score()));
        }
        record.cascaded(cascaded);
        if (cascaded.rejectedUsage() != null) {
            caller.spend(cascaded.attempt().target(), cascaded.rejectedUsage());
        }
    }

    /** An answer given before to the same tenant for the same request: no model is called, no token is spent. */
    private ResponseEntity<?> cachedAnswer(
            ResponseCache.Cached cached, HttpHeaders headers, Decisions.Recording record) {
        answeredHeaders(headers, cached.attempt());
        record.answeredBy(cached.attempt());
        record.cacheHit();
        record.finish(System.nanoTime());
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(cached.body());
    }

    /**
     * An SSE stream of chunks ending in {@code [DONE]}. Headers go out with the first chunk, so a plan that
     * fails before answering gets a plain error response with the right status; a failure after that ends
     * the stream with an {@code error} event and no {@code [DONE]}.
     */
    private ResponseEntity<Flux<ServerSentEvent<String>>> stream(
            Execution.Call call, HttpHeaders headers, Decisions.Recording record, Caller caller, boolean hideUsage) {
        AtomicReference<Attempt> answering = new AtomicReference<>();
        Flux<ServerSentEvent<String>> events = execution.stream(call, attempt -> {
                    answeredHeaders(headers, attempt);
                    record.answeredBy(attempt);
                    answering.set(attempt);
                })
                .doOnNext(event -> {
                    if (event instanceof StreamEvent.Chunk chunk) {
                        record.usage(chunk.chunk().usage());
                        if (chunk.chunk().usage() != null && answering.get() != null) {
                            caller.spend(answering.get().target(), chunk.chunk().usage());
                        }
                    } else {
                        record.failed(((StreamEvent.Failed) event).error());
                    }
                })
                // the usage chunk the router asked for, to count a budget's tokens, and the caller did not
                .filter(event -> !(hideUsage
                        && event instanceof StreamEvent.Chunk chunk
                        && chunk.chunk().usage() != null
                        && chunk.chunk().choices().isEmpty()))
                .doOnError(record::failed)
                .doOnCancel(record::cancelled)
                .doFinally(signal -> record.finish(System.nanoTime()))
                .map(event -> event instanceof StreamEvent.Chunk chunk
                        ? ServerSentEvent.builder(WireJson.MAPPER.writeValueAsString(chunk.chunk()))
                                .build()
                        : ServerSentEvent.builder(WireJson.MAPPER.writeValueAsString(
                                        ((StreamEvent.Failed) event).error().body()))
                                .event("error")
                                .build())
                .concatWith(Flux.defer(
                        () -> Flux.just(ServerSentEvent.builder("[DONE]").build())))
                .takeUntil(event -> "error".equals(event.event()))
                .doOnNext(event -> {
                    if (event.event() != null || "[DONE]".equals(event.data())) {
                        caller.answered(); // the last event: an error or [DONE]
                    }
                });
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(events);
    }

    /**
     * The request's own observation (the server span), which the framework keeps in the Reactor context; its
     * children name it as their parent explicitly, so that no operator restores thread-locals on every signal.
     */
    private static Observation requestObservation(ContextView context) {
        return context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
    }

    private static RouteExplanation explanation(RoutingDecision decision) {
        return new RouteExplanation(
                decision.route(),
                decision.target().toString(),
                decision.confidence(),
                decision.escalate(),
                decision.reason().label(),
                decision.scores(),
                decision.localOnly(),
                decision.localOnlyReason(),
                decision.plan().stream()
                        .map(attempt -> attempt.target().toString())
                        .toList(),
                decision.cascades());
    }

    /** The auto names, then every domain, specialist and large model of the policy in force. */
    private Map<String, ModelList.Model> models(ActivePolicy active) {
        var policy = active.policy();
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
        return models;
    }

    /** The decision, before any model is called: an error response carries these too. */
    private static void routingHeaders(HttpHeaders headers, RoutingDecision decision) {
        headers.set(ROUTE, decision.route());
        headers.set(TARGET, decision.target().toString());
        headers.set(CONFIDENCE, decision.confidenceText());
        headers.set(REASON, decision.reason().label());
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
}
