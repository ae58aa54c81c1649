package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The plan's execution with clients of its own: egress, failover, skipped attempts, the stream's start, and
 * what each attempt records.
 */
class ExecutionTest {

    private static final Policy POLICY = PolicyLoader.parse(
            "test.yaml",
            """
            version: 1
            domains:
              - {name: notes, specialist: slm, examples: [patient notes]}
            specialists:
              slm: {provider: openai-compatible, base-url: 'http://localhost:1/v1', model: m}
            escalation: {large-model: cloud, fallbacks: [claude]}
            large-models:
              cloud: {provider: openai, model: gpt, api-key-env: KEY}
              claude: {provider: anthropic, model: claude, api-key-env: KEY}
            """);

    private final UpstreamResilience resilience = new UpstreamResilience(new SimpleMeterRegistry(), Clock.systemUTC());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Execution execution = new Execution(Clock.systemUTC(), new UpstreamObservations(metered(), meters));
    private final FakeClient slm = new FakeClient("slm");
    private final FakeClient cloud = new FakeClient("cloud");
    private final FakeClient claude = new FakeClient("claude");

    @Test
    void should_refuse_to_send_a_local_only_request_to_a_large_model_even_when_its_plan_holds_one() {
        RoutingDecision decision = decision(
                "it was judged local-only", Attempt.of(Target.large("cloud")), Attempt.of(Target.specialist("slm")));
        slm.fails = true;

        StepVerifier.create(execution.complete(call(decision)))
                .expectErrorSatisfies(error -> {
                    assertThat(((ApiException) error).code()).isEqualTo(ErrorCode.LOCAL_ONLY);
                    assertThat(error).hasMessageContaining("it was judged local-only");
                })
                .verify(Duration.ofSeconds(5));
        assertThat(cloud.calls).isZero();
    }

    @Test
    void should_fail_over_in_plan_order_and_say_which_attempt_answered() {
        cloud.fails = true;
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));

        Execution.Answer answer = execution.complete(call(decision)).block(Duration.ofSeconds(5));

        assertThat(answer.attempt().target()).isEqualTo(Target.large("claude"));
        assertThat(answer.completion().model()).isEqualTo("claude");
        assertThat(cloud.calls).isEqualTo(2);
    }

    @Test
    void should_answer_400_naming_the_fields_the_decisions_own_model_cannot_honour() {
        cloud.unsupported = List.of("logprobs");
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));

        StepVerifier.create(execution.complete(call(decision)))
                .expectErrorSatisfies(error -> {
                    ApiException api = (ApiException) error;
                    assertThat(api.code()).isEqualTo(ErrorCode.UNSUPPORTED_PARAMETER);
                    assertThat(api.param()).isEqualTo("logprobs");
                    assertThat(api).hasMessageContaining("large model 'cloud' cannot honour logprobs");
                })
                .verify(Duration.ofSeconds(5));
        assertThat(cloud.calls + claude.calls).isZero();
    }

    @Test
    void should_skip_a_fallback_that_cannot_honour_the_request_and_name_it_when_all_else_fails() {
        cloud.fails = true;
        claude.unsupported = List.of("seed");
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));

        StepVerifier.create(execution.complete(call(decision)))
                .expectErrorSatisfies(error -> assertThat(error)
                        .hasMessageContaining("large model 'claude' was not tried: it cannot honour seed"))
                .verify(Duration.ofSeconds(5));
        assertThat(claude.calls).isZero();
    }

    @Test
    void should_tell_which_attempt_starts_a_stream_before_its_first_chunk_and_end_a_broken_one_with_a_failure() {
        cloud.fails = true;
        claude.breaksAfterFirstChunk = true;
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));
        List<Attempt> started = new ArrayList<>();

        StepVerifier.create(execution.stream(call(decision), started::add))
                .assertNext(event -> {
                    assertThat(started).containsExactly(Attempt.of(Target.large("claude")));
                    assertThat(((Execution.StreamEvent.Chunk) event).chunk().model())
                            .isEqualTo("claude");
                })
                .assertNext(event -> assertThat(
                                ((Execution.StreamEvent.Failed) event).error().code())
                        .isEqualTo(ErrorCode.UPSTREAM_ERROR))
                .verifyComplete();
    }

    @Test
    void should_time_each_attempt_by_target_and_outcome_and_send_the_request_id_with_it() {
        cloud.fails = true;
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));

        execution.complete(call(decision)).block(Duration.ofSeconds(5));

        assertThat(upstreamTimer("large:cloud", "upstream_error", "false").count())
                .as("one attempt, however many tries its guard made")
                .isEqualTo(1);
        assertThat(cloud.calls).isEqualTo(2);
        assertThat(upstreamTimer("large:claude", "ok", "false").count()).isEqualTo(1);
        assertThat(claude.headers).containsEntry("x-request-id", "req-1");
        assertThat(meters.find(UpstreamObservations.FIRST_TOKEN).timers()).isEmpty();
    }

    @Test
    void should_time_a_streams_first_chunk_for_the_attempt_that_gave_one() {
        cloud.fails = true;
        RoutingDecision decision =
                decision(null, Attempt.of(Target.large("cloud")), Attempt.of(Target.large("claude")));

        execution.stream(call(decision), attempt -> {}).blockLast(Duration.ofSeconds(5));

        assertThat(upstreamTimer("large:cloud", "upstream_error", "true").count())
                .isEqualTo(1);
        assertThat(upstreamTimer("large:claude", "ok", "true").count()).isEqualTo(1);
        assertThat(meters.find(UpstreamObservations.FIRST_TOKEN)
                        .tag("target", "large:claude")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(meters.find(UpstreamObservations.FIRST_TOKEN)
                        .tag("target", "large:cloud")
                        .timer())
                .isNull();
        assertThat(claude.headers).containsEntry("x-request-id", "req-1");
    }

    private Timer upstreamTimer(String target, String outcome, String stream) {
        Timer timer = meters.find(UpstreamObservations.UPSTREAM)
                .tags("target", target, "outcome", outcome, "stream", stream)
                .timer();
        assertThat(timer)
                .as("timer of %s, %s, stream=%s", target, outcome, stream)
                .isNotNull();
        return timer;
    }

    /** An observation registry whose observations are timers in {@link #meters}, as the service's are. */
    private ObservationRegistry metered() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        return registry;
    }

    private Execution.Call call(RoutingDecision decision) {
        Router router = new Router(
                POLICY, c -> new DomainClassifier.Classification(Map.of("notes", 0.9), false), Set.of("auto"), 10);
        Map<String, Upstream> upstreams = Map.of(
                "specialist:slm", upstream(Target.specialist("slm"), slm),
                "large:cloud", upstream(Target.large("cloud"), cloud),
                "large:claude", upstream(Target.large("claude"), claude));
        return new Execution.Call(
                ChatCompletionRequest.of("auto", List.of(ChatMessage.user("hello"))),
                decision,
                new ActivePolicy(
                        router,
                        upstreams,
                        Map.of(),
                        null,
                        new ResponseCache(Policy.Cache.DEFAULTS, Clock.systemUTC()),
                        null),
                "req-1");
    }

    private Upstream upstream(Target target, ChatClient client) {
        return new Upstream(target, client, resilience.guard(target.toString(), fastRetries(), Duration.ofSeconds(5)));
    }

    private static Policy.Resilience fastRetries() {
        Policy.Resilience defaults = Policy.Resilience.DEFAULTS;
        return new Policy.Resilience(
                defaults.circuitBreaker(),
                defaults.connectTimeout(),
                defaults.firstTokenTimeout(),
                defaults.maxConcurrentCalls(),
                defaults.maxConcurrentFailoverCalls(),
                new Policy.Retry(2, Duration.ofMillis(1), 1.0, 0.0, Duration.ofSeconds(1)));
    }

    private static RoutingDecision decision(String localOnlyReason, Attempt... plan) {
        return new RoutingDecision(
                "notes", plan[0].target(), 0.3, Reason.LOW_CONFIDENCE, Map.of(), localOnlyReason, List.of(plan));
    }

    /** A model that answers, fails, or refuses fields, as the test sets it. */
    private static final class FakeClient implements ChatClient {

        private final String name;
        boolean fails;
        boolean breaksAfterFirstChunk;
        List<String> unsupported = List.of();
        int calls;
        Map<String, String> headers;

        FakeClient(String name) {
            this.name = name;
        }

        @Override
        public List<String> unsupported(ChatCompletionRequest request) {
            return unsupported;
        }

        @Override
        public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
            return Mono.defer(() -> {
                calls++;
                this.headers = headers;
                if (fails) {
                    return Mono.error(new UpstreamException(UpstreamException.Kind.UNAVAILABLE, name + " is down"));
                }
                return Mono.just(new ChatCompletion(
                        "c",
                        ChatCompletion.OBJECT,
                        1L,
                        "upstream-" + name,
                        List.of(new ChatCompletion.Choice(
                                0, ChatMessage.assistant("from " + name), null, "stop", null)),
                        null,
                        null,
                        null,
                        null));
            });
        }

        @Override
        public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
            return Flux.defer(() -> {
                calls++;
                this.headers = headers;
                if (fails) {
                    return Flux.error(new UpstreamException(UpstreamException.Kind.UNAVAILABLE, name + " is down"));
                }
                ChatCompletionChunk chunk = new ChatCompletionChunk(
                        "c",
                        ChatCompletionChunk.OBJECT,
                        1L,
                        "upstream-" + name,
                        List.of(new ChatCompletionChunk.Choice(0, ChatMessage.assistant("Hel"), null, null, null)),
                        null,
                        null,
                        null,
                        null);
                return breaksAfterFirstChunk
                        ? Flux.just(chunk)
                                .concatWith(Flux.error(
                                        new UpstreamException(UpstreamException.Kind.UNAVAILABLE, name + " broke off")))
                        : Flux.just(chunk);
            });
        }
    }
}
