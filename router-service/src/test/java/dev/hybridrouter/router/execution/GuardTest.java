package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
            1,
            1,
            new Policy.Retry(3, Duration.ofSeconds(1), 2.0, 0.0, Duration.ofSeconds(10)));

    private final UpstreamResilience resilience = new UpstreamResilience(new SimpleMeterRegistry(), Clock.systemUTC());
    private final Guard guard = resilience.guard(Target.large("cloud").toString(), SETTINGS, Duration.ofSeconds(60));

    @Test
    void should_wait_as_long_as_retry_after_says_when_the_upstream_rate_limits() {
        AtomicInteger calls = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> guard.complete(
                        () -> calls.incrementAndGet() == 1
                                ? Mono.error(failure(Kind.RATE_LIMITED, Duration.ofSeconds(7)))
                                : Mono.just("answer"),
                        false))
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

        StepVerifier.withVirtualTime(() -> guard.complete(
                        () -> {
                            calls.incrementAndGet();
                            return Mono.error(failure(Kind.UNAVAILABLE, null));
                        },
                        false))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(calls).hasValue(1))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> assertThat(calls).hasValue(2))
                .expectNoEvent(Duration.ofMillis(1_999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(UpstreamException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(3);
    }

    @Test
    void should_not_retry_nor_count_it_when_the_upstream_rejects_the_request() {
        AtomicInteger calls = new AtomicInteger();

        StepVerifier.create(guard.complete(
                        () -> {
                            calls.incrementAndGet();
                            return Mono.error(failure(Kind.REJECTED, null));
                        },
                        false))
                .expectError(UpstreamException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(1);
        assertThat(guard.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(guard.circuitBreaker().getMetrics().getNumberOfSuccessfulCalls())
                .isZero();
    }

    @Test
    void should_not_retry_when_retry_after_is_longer_than_allowed() {
        AtomicInteger calls = new AtomicInteger();

        StepVerifier.create(guard.complete(
                        () -> {
                            calls.incrementAndGet();
                            return Mono.error(failure(Kind.RATE_LIMITED, Duration.ofHours(1)));
                        },
                        false))
                .expectError(UpstreamException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(1);
    }

    @Test
    void should_refuse_calls_without_subscribing_when_the_breaker_is_open() {
        AtomicInteger subscriptions = new AtomicInteger();
        guard.circuitBreaker().transitionToOpenState();

        StepVerifier.create(guard.complete(
                        () -> {
                            subscriptions.incrementAndGet();
                            return Mono.just("answer");
                        },
                        false))
                .expectError(CallNotPermittedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(subscriptions).hasValue(0);
    }

    @Test
    void should_end_a_call_that_never_answers_at_exactly_its_timeout_and_count_it_against_the_upstream() {
        Guard quick = resilience.guard(Target.large("quick").toString(), SETTINGS, Duration.ofSeconds(10));

        StepVerifier.withVirtualTime(() -> quick.complete(Mono::<String>never, false))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(Guard.DeadlineExceededException.class)
                        .hasMessage("no answer within its timeout of 10000 ms (waited 10000 ms)"))
                .verify(Duration.ofSeconds(5));
        assertThat(quick.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void should_end_retries_and_their_backoff_at_the_timeout_and_say_how_long_it_waited() {
        // the second backoff (2 s) would end after the timeout: the backstop ends the call one grace tick after it
        Guard quick = resilience.guard(Target.large("retrying").toString(), SETTINGS, Duration.ofMillis(2_500));
        AtomicInteger calls = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> quick.complete(
                        () -> {
                            calls.incrementAndGet();
                            return Mono.<String>error(failure(Kind.UNAVAILABLE, null));
                        },
                        false))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2_500))
                .thenAwait(Guard.BACKSTOP_GRACE)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(Guard.DeadlineExceededException.class)
                        .hasMessage("no answer within its timeout of 2500 ms (waited 2501 ms over 2 attempts)"))
                .verify(Duration.ofSeconds(5));
        assertThat(calls).hasValue(2);
    }

    @Test
    void should_time_out_a_stream_when_its_first_chunk_is_late() {
        Flux<String> late = Mono.just("hi").delayElement(Duration.ofSeconds(3)).flux();

        StepVerifier.withVirtualTime(() -> guard.stream(() -> late, false))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(60))
                .expectErrorSatisfies(error ->
                        assertThat(error).isInstanceOf(TimeoutException.class).hasMessageContaining("first token"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void should_end_a_stream_that_stalls_after_its_first_chunk_at_exactly_its_timeout() {
        Guard quick = resilience.guard(Target.large("stalling").toString(), SETTINGS, Duration.ofSeconds(10));

        StepVerifier.withVirtualTime(() -> quick.stream(() -> Flux.just("one").concatWith(Flux.never()), false))
                .expectSubscription()
                .expectNext("one")
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(Guard.StreamBrokenException.class);
                    assertThat(error.getCause()).isInstanceOf(Guard.DeadlineExceededException.class);
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void should_not_retry_a_stream_when_it_fails_after_its_first_chunk() {
        AtomicInteger subscriptions = new AtomicInteger();

        StepVerifier.create(guard.stream(
                        () -> {
                            subscriptions.incrementAndGet();
                            return Flux.just("partial").concatWith(Flux.error(failure(Kind.UNAVAILABLE, null)));
                        },
                        false))
                .expectNext("partial")
                .expectError(Guard.StreamBrokenException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(subscriptions).hasValue(1);
        assertThat(guard.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void should_keep_failover_calls_out_of_the_bulkhead_of_the_upstream_own_calls() {
        Guard specialist = resilience.guard(Target.specialist("slm").toString(), SETTINGS, Duration.ofSeconds(60));
        var heldOwn = specialist.complete(Mono::<String>never, false).subscribe();
        var heldFailover = specialist.complete(Mono::<String>never, true).subscribe();

        StepVerifier.create(specialist.complete(() -> Mono.just("own"), false))
                .expectError(BulkheadFullException.class)
                .verify(Duration.ofSeconds(5));
        heldFailover.dispose();
        StepVerifier.create(specialist.complete(() -> Mono.just("failover"), true))
                .expectNext("failover")
                .verifyComplete();
        heldOwn.dispose();
        StepVerifier.create(specialist.complete(() -> Mono.just("own"), false))
                .expectNext("own")
                .verifyComplete();
        assertThat(specialist.circuitBreaker().getMetrics().getNumberOfFailedCalls())
                .isZero();
    }

    @Test
    void should_keep_the_breaker_across_reloads_when_the_settings_are_unchanged() {
        guard.circuitBreaker().transitionToOpenState();

        Guard same = resilience.guard(Target.large("cloud").toString(), SETTINGS, Duration.ofSeconds(60));
        Guard changed =
                resilience.guard(Target.large("cloud").toString(), Policy.Resilience.DEFAULTS, Duration.ofSeconds(60));

        assertThat(same.circuitBreaker()).isSameAs(guard.circuitBreaker());
        assertThat(changed.circuitBreaker()).isNotSameAs(guard.circuitBreaker());
        assertThat(changed.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private static UpstreamException failure(Kind kind, Duration retryAfter) {
        return new UpstreamException(kind, "large model 'cloud' failed", null, retryAfter, null);
    }
}
