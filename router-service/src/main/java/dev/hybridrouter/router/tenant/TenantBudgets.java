package dev.hybridrouter.router.tenant;

import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each tenant's tokens spent today (UTC), held in this process, against its {@code budget}. A budget is checked
 * before a request and charged after its answer, so requests in flight when it runs out still finish.
 */
final class TenantBudgets {

    private final Clock clock;
    private final Map<String, Day> days = new ConcurrentHashMap<>();

    TenantBudgets(Clock clock) {
        this.clock = clock;
    }

    /** @throws ApiException 429 {@code token_budget_exceeded}, waiting until midnight UTC, when today's are spent */
    void check(Tenants.Tenant tenant) {
        Tenants.Budget budget = tenant.budget();
        if (budget == null || budget.tokensPerDay() == null) {
            return;
        }
        long spent = today(tenant.name()).all.get();
        if (spent >= budget.tokensPerDay()) {
            throw ApiException.of(
                            ErrorCode.TOKEN_BUDGET_EXCEEDED,
                            "Tenant '" + tenant.name() + "' has spent its budget.tokens-per-day of "
                                    + budget.tokensPerDay() + " tokens; it is renewed at midnight UTC")
                    .withRetryAfter(untilMidnight());
        }
    }

    /** Whether the tenant has spent today's large-model tokens. */
    boolean largeModelsSpent(Tenants.Tenant tenant) {
        Tenants.Budget budget = tenant.budget();
        return budget != null
                && budget.largeModelTokensPerDay() != null
                && today(tenant.name()).large.get() >= budget.largeModelTokensPerDay();
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
        Day day = today(tenant.name());
        day.all.addAndGet(tokens);
        if (largeModel) {
            day.large.addAndGet(tokens);
        }
    }

    /** Forgets the days of tenants no longer in the file. */
    void retain(Set<String> tenants) {
        days.keySet().retainAll(tenants);
    }

    private Day today(String tenant) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return days.compute(tenant, (name, day) -> day != null && day.date.equals(today) ? day : new Day(today));
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

    private record Day(LocalDate date, AtomicLong all, AtomicLong large) {
        Day(LocalDate date) {
            this(date, new AtomicLong(), new AtomicLong());
        }
    }
}
