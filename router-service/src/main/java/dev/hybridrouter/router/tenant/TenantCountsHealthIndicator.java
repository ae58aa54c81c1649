package dev.hybridrouter.router.tenant;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code tenantCounts}: where tenants' limits and budgets are counted, and,
 * with Redis, its breaker. DEGRADED (still answering) while the breaker is open: requests are then served without
 * their limits, or refused, as {@code router.redis.on-failure} says.
 */
@Component("tenantCounts")
class TenantCountsHealthIndicator implements HealthIndicator {

    private final TenantCounters counters;

    TenantCountsHealthIndicator(TenantCounters counters) {
        this.counters = counters;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("where", counters.where());
        if (counters instanceof GuardedCounters guarded) {
            CircuitBreaker.State state = guarded.state();
            health.withDetail("breaker", state.toString());
            if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
                health.status(new Status("DEGRADED")); // answers 200: management.endpoint.health.status
            }
        }
        return health.build();
    }
}
