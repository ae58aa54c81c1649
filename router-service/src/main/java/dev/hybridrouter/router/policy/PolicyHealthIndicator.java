package dev.hybridrouter.router.policy;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code policies}: the policies in force, who may call (the tenants file,
 * or single-user mode) and, when the last change was rejected, why. Always up: a rejected change leaves what
 * served before serving.
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
                .withDetail("policies", status.policies())
                .withDetail(
                        "access",
                        status.tenantsFile() == null
                                ? "single-user mode: no tenants file, every caller is served without a key"
                                : status.tenants() + " tenants from " + status.tenantsFile())
                .withDetail("loadedAt", status.loadedAt().toString());
        if (status.lastError() != null) {
            health.withDetail("rejectedAt", status.checkedAt().toString())
                    .withDetail("rejectedChange", status.lastError());
        }
        return health.build();
    }
}
