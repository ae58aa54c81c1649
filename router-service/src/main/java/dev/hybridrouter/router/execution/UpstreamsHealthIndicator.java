package dev.hybridrouter.router.execution;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code upstreams}: every upstream's circuit breaker. An open
 * breaker makes the component {@value #DEGRADED}, never {@code DOWN}: the pod still serves what its
 * other upstreams can answer, so liveness and readiness do not include this component.
 */
@Component("upstreams")
class UpstreamsHealthIndicator implements HealthIndicator {

    static final String DEGRADED = "DEGRADED";

    private final UpstreamResilience resilience;

    UpstreamsHealthIndicator(UpstreamResilience resilience) {
        this.resilience = resilience;
    }

    @Override
    public Health health() {
        Map<String, Object> breakers = new TreeMap<>();
        boolean anyOpen = false;
        for (CircuitBreaker breaker : resilience.circuitBreakers().getAllCircuitBreakers()) {
            CircuitBreaker.Metrics metrics = breaker.getMetrics();
            breakers.put(
                    breaker.getName(),
                    Map.of(
                            "state", breaker.getState().name(),
                            "failureRate", metrics.getFailureRate(),
                            "slowCallRate", metrics.getSlowCallRate(),
                            "bufferedCalls", metrics.getNumberOfBufferedCalls(),
                            "notPermittedCalls", metrics.getNumberOfNotPermittedCalls()));
            anyOpen |= breaker.getState() == CircuitBreaker.State.OPEN
                    || breaker.getState() == CircuitBreaker.State.FORCED_OPEN;
        }
        return Health.status(anyOpen ? new Status(DEGRADED) : Status.UP)
                .withDetail("circuitBreakers", breakers)
                .build();
    }
}
