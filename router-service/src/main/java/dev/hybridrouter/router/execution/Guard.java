package dev.hybridrouter.router.execution;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The protection around every call to one upstream. Each try passes a bulkhead (calls in flight: one for
 * the upstream's own traffic, one for failover traffic that belongs to another model, so that a cloud
 * outage cannot starve a specialist of its own requests) and the circuit breaker, which records it;
 * retries follow with backoff. The upstream's {@code timeout} bounds the whole call the caller waits for,
 * retries and their backoff included; a stream must also deliver its first chunk within {@code
 * firstTokenTimeout}, and is never retried once it has.
 *
 * @param circuitBreaker shared by every call to this upstream, across policy reloads
 * @param ownCalls limits calls in flight that the decision meant for this upstream
 * @param failoverCalls limits calls in flight that fail over to it from another model
 * @param retry tries a failed call again with backoff, honouring {@code Retry-After}
 * @param firstTokenTimeout the longest a stream may take to deliver its first chunk
 * @param timeout the longest the caller waits for the whole call, retries included
 */
public record Guard(
        CircuitBreaker circuitBreaker,
        Bulkhead ownCalls,
        Bulkhead failoverCalls,
        Retry retry,
        Duration firstTokenTimeout,
        Duration timeout) {

    /**
     * How long after the deadline the whole call's backstop fires: it only ends a retry's backoff that would
     * run past the deadline; a try running at the deadline is ended by its own time limit, which the breaker
     * records.
     */
    static final Duration BACKSTOP_GRACE = Duration.ofMillis(1);

    /**
     * One whole answer.
     *
     * @param failover whether the call fails over to this upstream from another model
     */
    <T> Mono<T> complete(Supplier<Mono<T>> call, boolean failover) {
        return Mono.defer(() -> {
            Deadline deadline = new Deadline();
            return Mono.defer(() -> deadline.attempt(left -> call.get().timeout(left, Mono.error(deadline::exceeded))))
                    .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                    .transformDeferred(BulkheadOperator.of(failover ? failoverCalls : ownCalls))
                    .transformDeferred(RetryOperator.of(retry))
                    .timeout(timeout.plus(BACKSTOP_GRACE), Mono.error(deadline::exceeded))
                    .onErrorMap(OutOfTimeException.class, e -> deadline.exceeded());
        });
    }

    /**
     * A stream, chunk by chunk. It is retried only until its first chunk: after that a failure is a {@link
     * StreamBrokenException}, which the breaker counts and retry leaves alone.
     *
     * @param failover whether the call fails over to this upstream from another model
     */
    <T> Flux<T> stream(Supplier<Flux<T>> call, boolean failover) {
        return Flux.defer(() -> {
            Deadline deadline = new Deadline();
            AtomicBoolean started = new AtomicBoolean();
            return Flux.defer(() -> deadline.attemptMany(left -> {
                        boolean firstTokenFirst = firstTokenTimeout.compareTo(left) < 0;
                        Duration firstToken = firstTokenFirst ? firstTokenTimeout : left;
                        return call.get()
                                .timeout(
                                        Mono.delay(firstToken),
                                        chunk -> Mono.never(),
                                        Flux.error(() -> firstTokenFirst
                                                ? new TimeoutException(
                                                        "no first token within " + firstTokenTimeout.toMillis() + " ms")
                                                : deadline.exceeded(started.get())))
                                .takeUntilOther(
                                        Mono.delay(left).then(Mono.error(() -> deadline.exceeded(started.get()))))
                                .doOnNext(chunk -> started.set(true))
                                .onErrorMap(failure -> started.get(), StreamBrokenException::new);
                    }))
                    .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                    .transformDeferred(BulkheadOperator.of(failover ? failoverCalls : ownCalls))
                    .transformDeferred(RetryOperator.of(retry))
                    .takeUntilOther(Mono.delay(timeout.plus(BACKSTOP_GRACE))
                            .then(Mono.error(() -> deadline.exceeded(started.get()))))
                    .onErrorMap(OutOfTimeException.class, e -> deadline.exceeded(started.get()));
        });
    }

    /** How long an open breaker refuses calls: what a refused caller is told to wait. */
    Duration waitInOpen() {
        return Duration.ofMillis(circuitBreaker
                .getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1));
    }

    /**
     * The time one call has, over all its tries. Time is read from Reactor's parallel scheduler, so tests
     * can run it on virtual time.
     */
    private final class Deadline {

        private final long start = now();
        private final AtomicInteger attempts = new AtomicInteger();

        <T> Mono<T> attempt(java.util.function.Function<Duration, Mono<T>> call) {
            Duration left = left();
            attempts.incrementAndGet();
            return left.isZero() ? Mono.error(new OutOfTimeException()) : call.apply(left);
        }

        <T> Flux<T> attemptMany(java.util.function.Function<Duration, Flux<T>> call) {
            Duration left = left();
            attempts.incrementAndGet();
            return left.isZero() ? Flux.error(new OutOfTimeException()) : call.apply(left);
        }

        DeadlineExceededException exceeded() {
            return exceeded(true);
        }

        /** @param started whether a stream's first chunk had come; if not, the message says so */
        DeadlineExceededException exceeded(boolean started) {
            return new DeadlineExceededException(
                    started ? "no answer" : "no first token",
                    timeout,
                    Duration.ofMillis(now() - start),
                    attempts.get());
        }

        private Duration left() {
            long left = timeout.toMillis() - (now() - start);
            return left > 0 ? Duration.ofMillis(left) : Duration.ZERO;
        }

        private static long now() {
            return Schedulers.parallel().now(TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The whole call took the upstream's {@code timeout}.
     *
     * @param elapsed how long the caller waited
     * @param attempts how many times the upstream was called
     */
    static final class DeadlineExceededException extends TimeoutException {

        private final String what;
        private final Duration timeout;
        private final Duration elapsed;
        private final int attempts;

        /** @param what what did not come in time, e.g. {@code no first token} */
        DeadlineExceededException(String what, Duration timeout, Duration elapsed, int attempts) {
            super(what + " within its timeout of " + timeout.toMillis() + " ms (waited " + elapsed.toMillis() + " ms"
                    + (attempts > 1 ? " over " + attempts + " attempts" : "") + ")");
            this.what = what;
            this.timeout = timeout;
            this.elapsed = elapsed;
            this.attempts = attempts;
        }

        Duration elapsed() {
            return elapsed;
        }

        /** What did not come in time: {@code no answer} or {@code no first token}. */
        String what() {
            return what;
        }

        int attempts() {
            return attempts;
        }

        Duration timeout() {
            return timeout;
        }
    }

    /** No time is left for another try; the breaker ignores it, and the caller is told the deadline passed. */
    static final class OutOfTimeException extends RuntimeException {
        OutOfTimeException() {
            super("no time left for another try", null, false, false);
        }
    }

    /** A stream failed after its first chunk had gone to the caller: it must not be retried. */
    static final class StreamBrokenException extends RuntimeException {
        StreamBrokenException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
