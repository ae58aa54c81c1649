package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.upstream.UpstreamCalls.StreamEvent;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The protection around every call to one upstream, innermost first: bulkhead (calls in flight), time
 * limits, circuit breaker, retry. An open breaker refuses a call without touching the upstream.
 *
 * @param circuitBreaker shared by every call to this upstream, across policy reloads
 * @param bulkhead limits calls in flight to this upstream
 * @param retry tries a failed call again with backoff, honouring {@code Retry-After}
 * @param firstTokenTimeout the longest a stream may take to deliver its first event
 * @param totalTimeout the longest a whole call or stream may take
 */
public record Guard(
        CircuitBreaker circuitBreaker,
        Bulkhead bulkhead,
        Retry retry,
        Duration firstTokenTimeout,
        Duration totalTimeout) {

    /** One whole answer, within the total time limit. */
    <T> Mono<T> protect(Mono<T> call) {
        return call.transformDeferred(BulkheadOperator.of(bulkhead))
                .timeout(totalTimeout, Mono.error(() -> timeout("answer", totalTimeout)))
                .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                .transformDeferred(RetryOperator.of(retry));
    }

    /**
     * A stream, within the first-token and total time limits. It is retried only until its first event:
     * after that a failure is a {@link StreamBrokenException}, which the breaker counts and retry leaves alone.
     */
    Flux<StreamEvent> protect(Flux<StreamEvent> call) {
        return Flux.defer(() -> {
                    AtomicBoolean started = new AtomicBoolean();
                    return call.transformDeferred(BulkheadOperator.of(bulkhead))
                            .timeout(
                                    Mono.delay(firstTokenTimeout),
                                    event -> Mono.never(),
                                    Flux.error(() -> timeout("first token", firstTokenTimeout)))
                            .takeUntilOther(
                                    Mono.delay(totalTimeout).then(Mono.error(() -> timeout("answer", totalTimeout))))
                            .doOnNext(event -> started.set(true))
                            .onErrorMap(failure -> started.get(), StreamBrokenException::new);
                })
                .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                .transformDeferred(RetryOperator.of(retry));
    }

    /** How long an open breaker refuses calls: what a refused caller is told to wait. */
    Duration waitInOpen() {
        return Duration.ofMillis(circuitBreaker
                .getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1));
    }

    private static TimeoutException timeout(String what, Duration limit) {
        return new TimeoutException("no " + what + " within " + limit.toMillis() + " ms");
    }

    /** A stream failed after its first event had gone to the caller: it must not be retried. */
    static final class StreamBrokenException extends RuntimeException {
        StreamBrokenException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
