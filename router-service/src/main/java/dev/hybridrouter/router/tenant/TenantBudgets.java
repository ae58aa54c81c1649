package dev.hybridrouter.router.tenant;

import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import reactor.core.publisher.Mono;

/**
 * Each tenant's tokens spent today (UTC) against its {@code budget}, counted where {@link TenantCounters} holds them.
 * A budget is checked before a request and charged after its answer, so requests in flight when it runs out still
 * finish.
 */
final class TenantBudgets {

    private final Clock clock;
    private final TenantCounters counts;

    TenantBudgets(Clock clock, TenantCounters counts) {
        this.clock = clock;
        this.counts = counts;
    }

    /**
     * Checks the tenant's day before a request: whether its large-model tokens are spent, or an {@link ApiException}
     * 429 {@code token_budget_exceeded}, waiting until midnight UTC, when all its tokens are.
     */
    Mono<Boolean> check(Tenants.Tenant tenant) {
        Tenants.Budget budget = tenant.budget();
        if (budget == null) {
            return Mono.just(false);
        }
        return counts.spent(tenant.name(), today()).flatMap(spent -> {
            if (budget.tokensPerDay() != null && spent.all() >= budget.tokensPerDay()) {
                return Mono.error(ApiException.of(
                                ErrorCode.TOKEN_BUDGET_EXCEEDED,
                                "Tenant '" + tenant.name() + "' has spent its budget.tokens-per-day of "
                                        + budget.tokensPerDay() + " tokens; it is renewed at midnight UTC")
                        .withRetryAfter(untilMidnight()));
            }
            return Mono.just(
                    budget.largeModelTokensPerDay() != null && spent.large() >= budget.largeModelTokensPerDay());
        });
    }

    /** The error for a request that would escalate once the large-model tokens are spent. */
    ApiException largeModelsRefused(Tenants.Tenant tenant) {
        return ApiException.of(
                        ErrorCode.LARGE_MODEL_BUDGET_EXCEEDED,
                        "Tenant '" + tenant.name() + "' has spent its budget.large-model-tokens-per-day of "
                                + tenant.budget().largeModelTokensPerDay()
                                + " tokens, and this request needs a large model; it is renewed at midnight UTC")
                .withRetryAfter(untilMidnight());
    }

    /** Charges an answer's tokens to its tenant's day. */
    void spend(Tenants.Tenant tenant, boolean largeModel, Usage usage) {
        if (tenant.budget() == null || usage == null) {
            return;
        }
        long tokens = count(usage.promptTokens()) + count(usage.completionTokens());
        if (tokens > 0) {
            counts.spend(tenant.name(), today(), tokens, largeModel);
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private Duration untilMidnight() {
        var now = clock.instant();
        var midnight = LocalDate.ofInstant(now, ZoneOffset.UTC)
                .plusDays(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        return Duration.between(now, midnight);
    }

    private static long count(Integer tokens) {
        return tokens == null ? 0 : Math.max(0, tokens);
    }
}
