package dev.hybridrouter.router.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.hybridrouter.router.upstream.UpstreamCalls.StreamEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class GuardTest {

    private static final Policy.Resilience SETTINGS = new Policy.Resilience(
            new Policy.CircuitBreaker(50, 100, Duration.ofSeconds(30), 4, 4, Duration.ofSeconds(30), 1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            8,
            new Policy.Retry(3, Duration.ofSeconds(1), 2.0, 0.0, Duration.ofSeconds(10)));

    private final UpstreamResilience resilience = new UpstreamResilience(new SimpleMeterRegistry(), Clock.systemUTC());
    private final Guard guard = resilience.guard(Target.large("cloud"), SETTINGS, Duration.ofSeconds(60));

    @Test
    void should_wait_as_long_as_retry_after_says_when_the_upstream_rate_limits() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> call = Mono.defer(() -> calls.incrementAndGet() == 1
                ? Mono.error(new UpstreamHttpException(429, "slow down", Duration.ofSeconds(7)))
                : Mono.just("answer"));

        StepVerifier.withVirtualTime(() -> guard.protect(call))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(6_999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("answer")
                .verifyComplete();
        assertThat(calls).hasValue(2);
    }

    @Test
    void should_back_off_exponentially_when_the_upstream_keeps_failing() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> call = Mono.defer(() -> {
            calls.incrementAndGet();
            return Mono.error(new UpstreamHttpException(503, "down", null));
        });

        StepVerifier.withVirtualTime(() -> guard.protect(call))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(calls).hasValue(1))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> assertThat(calls).hasValue(2))
                .expectNoEvent(Duration.ofMillis(1_999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(UpstreamHttpException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(3);
    }

    @Test
    void should_not_retry_when_the_upstream_rejects_the_request() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> call = Mono.defer(() -> {
            calls.incrementAndGet();
            return Mono.error(new UpstreamHttpException(400, "context too long", null));
        });

        StepVerifier.create(guard.protect(call))
                .expectError(UpstreamHttpException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(1);
        assertThat(guard.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void should_not_retry_when_retry_after_is_longer_than_allowed() {
        AtomicInteger calls = new AtomicInteger();
        Mono<String> call = Mono.defer(() -> {
            calls.incrementAndGet();
            return Mono.error(new UpstreamHttpException(429, "come back tomorrow", Duration.ofHours(1)));
        });

        StepVerifier.create(guard.protect(call))
                .expectError(UpstreamHttpException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(1);
    }

    @Test
    void should_refuse_calls_without_subscribing_when_the_breaker_is_open() {
        AtomicInteger subscriptions = new AtomicInteger();
        Mono<String> call = Mono.defer(() -> {
            subscriptions.incrementAndGet();
            return Mono.just("answer");
        });
        guard.circuitBreaker().transitionToOpenState();

        StepVerifier.create(guard.protect(call))
                .expectError(CallNotPermittedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(subscriptions).hasValue(0);
    }

    @Test
    void should_time_out_a_stream_when_its_first_event_is_late() {
        Flux<StreamEvent> late = Mono.<StreamEvent>just(new StreamEvent.Token("hi"))
                .delayElement(Duration.ofSeconds(3))
                .flux();

        StepVerifier.withVirtualTime(() -> guard.protect(late))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(60))
                .expectErrorSatisfies(error ->
                        assertThat(error).isInstanceOf(TimeoutException.class).hasMessageContaining("first token"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void should_not_retry_a_stream_when_it_fails_after_its_first_event() {
        AtomicInteger subscriptions = new AtomicInteger();
        Flux<StreamEvent> breaking = Flux.defer(() -> {
            subscriptions.incrementAndGet();
            return Flux.<StreamEvent>just(new StreamEvent.Token("partial"))
                    .concatWith(Flux.error(new UpstreamHttpException(502, "cut", null)));
        });

        StepVerifier.create(guard.protect(breaking))
                .expectNext(new StreamEvent.Token("partial"))
                .expectError(Guard.StreamBrokenException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(subscriptions).hasValue(1);
        assertThat(guard.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void should_keep_the_breaker_across_reloads_when_the_settings_are_unchanged() {
        guard.circuitBreaker().transitionToOpenState();

        Guard same = resilience.guard(Target.large("cloud"), SETTINGS, Duration.ofSeconds(60));
        Guard changed = resilience.guard(Target.large("cloud"), Policy.Resilience.DEFAULTS, Duration.ofSeconds(60));

        assertThat(same.circuitBreaker()).isSameAs(guard.circuitBreaker());
        assertThat(changed.circuitBreaker()).isNotSameAs(guard.circuitBreaker());
        assertThat(changed.circuitBreaker().getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
    }
}
