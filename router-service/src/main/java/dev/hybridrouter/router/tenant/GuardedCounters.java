package dev.hybridrouter.router.tenant;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import io.github.bucket4j.BucketConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Counts held in a store that can fail (Redis), behind a deadline and a circuit breaker: while the store fails, a
 * request is either served without the limits and budgets it would have been held to ({@code open}, the default:
 * the router keeps answering) or refused with 503 {@code limits_unavailable} ({@code closed}: no request goes
 * uncounted). An open breaker answers at once instead of waiting for the deadline on every request.
 */
final class GuardedCounters implements TenantCounters {

    private static final Logger log = LoggerFactory.getLogger(GuardedCounters.class);

    private final TenantCounters store;
    private final Duration timeout;
    private final boolean failOpen;
    private final CircuitBreaker breaker;

    GuardedCounters(TenantCounters store, Duration timeout, boolean failOpen, CircuitBreaker breaker) {
        this.store = store;
        this.timeout = timeout;
        this.failOpen = failOpen;
        this.breaker = breaker;
        breaker.getEventPublisher()
                .onStateTransition(event -> log.warn(
                        "Tenant counts in {}: breaker {}; while it is open, requests are {}",
                        store.where(),
                        event.getStateTransition(),
                        failOpen ? "served without their limits and budgets" : "refused (limits_unavailable)"));
    }

    @Override
    public Mono<Long> takeRequestToken(String tenant, BucketConfiguration bucket) {
        return guarded(store.takeRequestToken(tenant, bucket), 0L);
    }

    @Override
    public Mono<TenantLimits.Permit> takeSlot(String tenant, int most) {
        return guarded(store.takeSlot(tenant, most), TenantLimits.Permit.NONE);
    }

    @Override
    public Mono<Spent> spent(String tenant, LocalDate day) {
        return guarded(store.spent(tenant, day), Spent.NONE);
    }

    /**
     * Fire and forget, so it tells the breaker nothing; while the breaker is open (the store fails), tokens are
     * not sent, rather than trying to reconnect once per answer.
     */
    @Override
    public void spend(String tenant, LocalDate day, long tokens, boolean largeModel) {
        if (breaker.getState() != CircuitBreaker.State.OPEN) {
            store.spend(tenant, day, tokens, largeModel);
        }
    }

    @Override
    public void retain(Set<String> tenants) {
        store.retain(tenants);
    }

    @Override
    public String where() {
        return store.where();
    }

    /** The breaker's state, for health. */
    CircuitBreaker.State state() {
        return breaker.getState();
    }

    private <T> Mono<T> guarded(Mono<T> call, T whenUnavailable) {
        return call.timeout(timeout)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorResume(failure -> {
                    if (failure instanceof ApiException) {
                        return Mono.error(failure);
                    }
                    if (failOpen) {
                        return Mono.just(whenUnavailable);
                    }
                    return Mono.error(ApiException.of(
                                    ErrorCode.LIMITS_UNAVAILABLE,
                                    "The store of tenants' limits and budgets (" + store.where()
                                            + ") does not answer, and router.redis.on-failure is closed")
                            .withRetryAfter(Duration.ofSeconds(10)));
                });
    }
}
