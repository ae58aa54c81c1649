package dev.hybridrouter.router.policy;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code policies}: the policy in force and, when the last change was
 * rejected, why. Always up: a rejected change leaves the last good policy serving.
 */
@Component("policies")
class PolicyHealthIndicator implements HealthIndicator {

    private final PolicyRegistry registry;

    PolicyHealthIndicator(PolicyRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        PolicyRegistry.Status status = registry.status();
        Health.Builder health = Health.up()
                .withDetail("location", status.location())
                .withDetail("policy", status.policy())
                .withDetail("loadedAt", status.loadedAt().toString());
        if (status.lastError() != null) {
            health.withDetail("rejectedAt", status.checkedAt().toString())
                    .withDetail("rejectedChange", status.lastError());
        }
        return health.build();
    }
}
