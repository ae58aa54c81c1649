package dev.hybridrouter.router.execution;

import dev.hybridrouter.policies.Policy;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The circuit breakers, bulkheads and retries of every upstream, by upstream name. They outlive policy
 * reloads: a reload that keeps an upstream's settings keeps its breaker, state and counts; one that
 * changes them starts afresh. Each breaker state change is logged once.
 */
@Component
public class UpstreamResilience {

    private static final Logger log = LoggerFactory.getLogger(UpstreamResilience.class);

    private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.ofDefaults();
    private final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    private final RetryRegistry retries = RetryRegistry.ofDefaults();
    private final Map<String, Policy.Resilience> settingsByName = new ConcurrentHashMap<>();
    private final Clock clock;

    public UpstreamResilience(MeterRegistry meters, Clock clock) {
        this.clock = clock;
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuitBreakers).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    }

    /** Every circuit breaker, for health and tests. */
    public CircuitBreakerRegistry circuitBreakers() {
        return circuitBreakers;
    }

    /**
     * The guard for one upstream, reusing its breaker while its settings are unchanged.
     *
     * @param name the upstream's name among all served: its target, e.g. {@code specialist:billing-slm}, prefixed
     *     by its policy's name when several policies are served, e.g. {@code support/specialist:billing-slm}
     * @param timeout the longest the caller waits for a whole call to it, retries included
     */
    public synchronized Guard guard(String name, Policy.Resilience settings, Duration timeout) {
        String failoverName = name + ":failover";
        if (!settings.equals(settingsByName.put(name, settings))) {
            circuitBreakers.remove(name);
            bulkheads.remove(name);
            bulkheads.remove(failoverName);
            retries.remove(name);
        }
        CircuitBreaker breaker = circuitBreakers.find(name).orElseGet(() -> {
            CircuitBreaker created =
                    circuitBreakers.circuitBreaker(name, circuitBreakerConfig(settings.circuitBreaker()));
            created.getEventPublisher()
                    .onStateTransition(
                            event -> log.warn("Circuit breaker of {}: {}", name, event.getStateTransition()));
            return created;
        });
        Retry retry = retries.find(name).orElseGet(() -> {
            Retry created = retries.retry(name, retryConfig(settings.retry()));
            created.getEventPublisher()
                    .onRetry(event -> log.info(
                            "Retrying {} (attempt {}) in {} ms: {}",
                            name,
                            event.getNumberOfRetryAttempts() + 1,
                            event.getWaitInterval().toMillis(),
                            event.getLastThrowable() == null
                                    ? "failed"
                                    : event.getLastThrowable().getMessage()));
            return created;
        });
        return new Guard(
                breaker,
                bulkhead(name, settings.maxConcurrentCalls()),
                bulkhead(failoverName, settings.maxConcurrentFailoverCalls()),
                retry,
                settings.firstTokenTimeout(),
                timeout);
    }

    private Bulkhead bulkhead(String name, int maxConcurrentCalls) {
        return bulkheads.bulkhead(
                name,
                BulkheadConfig.custom()
                        .maxConcurrentCalls(maxConcurrentCalls)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
    }

    private CircuitBreakerConfig circuitBreakerConfig(Policy.CircuitBreaker settings) {
        return CircuitBreakerConfig.custom()
                .slidingWindow(
                        settings.slidingWindowSize(),
                        settings.minimumCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(settings.failureRateThreshold())
                .slowCallRateThreshold(settings.slowCallRateThreshold())
                .slowCallDurationThreshold(settings.slowCallDuration())
                .waitDurationInOpenState(settings.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .recordException(UpstreamFailures::isUpstreamFault)
                .ignoreException(failure -> !UpstreamFailures.isUpstreamFault(failure))
                .clock(clock)
                .build();
    }

    private static RetryConfig retryConfig(Policy.Retry settings) {
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
                settings.initialBackoff(), settings.multiplier(), settings.jitter());
        return RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalBiFunction(honouringRetryAfter(backoff))
                .retryOnException(failure -> UpstreamFailures.isRetryable(failure, settings.maxRetryAfter()))
                .build();
    }

    /** The upstream's {@code Retry-After} when it sent one, else exponential backoff with jitter. */
    private static IntervalBiFunction<Object> honouringRetryAfter(IntervalFunction backoff) {
        return (attempt, outcome) -> {
            Duration retryAfter = outcome.isLeft() ? UpstreamFailures.retryAfter(outcome.getLeft()) : null;
            return retryAfter != null ? retryAfter.toMillis() : backoff.apply(attempt);
        };
    }
}
