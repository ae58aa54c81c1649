package dev.hybridrouter.policies;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may call the router, read from a tenants file ({@link TenantsLoader}): each tenant's API keys, as
 * SHA-256 hashes, the policy that serves it and its limits; and the admin keys.
 *
 * @param source the file they were read from
 * @param tenants the tenants by name, in file order
 * @param admin the admin keys, or {@code null} when the file names none (the admin endpoints answer nobody)
 */
public record Tenants(String source, Map<String, Tenant> tenants, Admin admin) {

    public Tenants {
        tenants = Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
    }

    /**
     * @param name the tenant's name, its key in the file
     * @param apiKeySha256 the SHA-256 of each key it may call with, as 64 lowercase hex digits (several while a key
     *     is rotated)
     * @param policy the name of the policy that serves it
     * @param rateLimit its limits, or {@code null} for none
     * @param budget its daily token budgets, or {@code null} for none
     */
    public record Tenant(String name, List<String> apiKeySha256, String policy, RateLimit rateLimit, Budget budget) {
        public Tenant {
            apiKeySha256 = List.copyOf(apiKeySha256);
        }
    }

    /**
     * @param requestsPerSecond requests per second on average, a burst of one second's worth allowed; or null
     * @param maxConcurrent requests answered at once, streams until they end; or null
     */
    public record RateLimit(Double requestsPerSecond, Integer maxConcurrent) {}

    /**
     * Daily token budgets (UTC days), prompt and completion tokens together.
     *
     * @param tokensPerDay tokens of all models, or null
     * @param largeModelTokensPerDay tokens of large models, or null
     * @param overLargeModelBudget what becomes of a request that would escalate once the large-model tokens are spent
     */
    public record Budget(Long tokensPerDay, Long largeModelTokensPerDay, OverBudget overLargeModelBudget) {
        public Budget {
            overLargeModelBudget = overLargeModelBudget != null ? overLargeModelBudget : OverBudget.SERVE_LOCALLY;
        }
    }

    /** What becomes of a request that would escalate once a tenant's large-model tokens are spent. */
    public enum OverBudget {
        /** The domain's specialists answer, marked degraded. */
        SERVE_LOCALLY,
        /** 429 {@code large_model_budget_exceeded}. */
        REFUSE
    }

    /** @param apiKeySha256 the SHA-256 of each admin key, as 64 lowercase hex digits */
    public record Admin(List<String> apiKeySha256) {
        public Admin {
            apiKeySha256 = List.copyOf(apiKeySha256);
        }
    }
}
