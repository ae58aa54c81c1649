package dev.hybridrouter.router.tenant;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.util.List;
import java.util.Objects;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who a request comes from and the policy that serves it, decided once by {@link TenantFilter} before the request
 * is read; and what the tenant's token budgets mean for the request.
 */
public final class Caller {

    /** Why a specialist answers what would have escalated: the tenant's large-model tokens are spent. */
    public static final String LARGE_MODEL_BUDGET_SPENT = "large-model-budget-spent";

    private static final String ATTRIBUTE = Caller.class.getName();

    private final Tenants.Tenant tenant;
    private final ActivePolicy policy;
    private final TenantBudgets budgets;
    private final boolean largeModelsSpent;
    private final Runnable answered;

    private Caller(
            Tenants.Tenant tenant,
            ActivePolicy policy,
            TenantBudgets budgets,
            boolean largeModelsSpent,
            Runnable answered) {
        this.tenant = tenant;
        this.policy = policy;
        this.budgets = budgets;
        this.largeModelsSpent = largeModelsSpent;
        this.answered = answered;
    }

    /** The caller in single-user mode: no tenant, no budget, no limit. */
    static Caller anyone(ActivePolicy policy) {
        return new Caller(null, policy, null, false, () -> {});
    }

    /**
     * @param largeModelsSpent whether the tenant's large-model tokens were spent when the request came
     * @param answered frees the request's place under the tenant's limits
     */
    static Caller of(
            Tenants.Tenant tenant,
            ActivePolicy policy,
            TenantBudgets budgets,
            boolean largeModelsSpent,
            Runnable answered) {
        return new Caller(tenant, policy, budgets, largeModelsSpent, answered);
    }

    /** The caller of a request that passed {@link TenantFilter}. */
    public static Caller of(ServerWebExchange exchange) {
        return Objects.requireNonNull(exchange.getAttribute(ATTRIBUTE), "the request did not pass TenantFilter");
    }

    void attachTo(ServerWebExchange exchange) {
        exchange.getAttributes().put(ATTRIBUTE, this);
    }

    /** The tenant's name, or {@code null} in single-user mode. */
    public String tenant() {
        return tenant == null ? null : tenant.name();
    }

    /** The policy that serves the request. */
    public ActivePolicy policy() {
        return policy;
    }

    /**
     * The decision within the tenant's large-model budget: unchanged while it lasts; once it is spent, without its
     * large models (and without a cascade, which could only escalate), what would have escalated answered by the
     * domain's specialists (marked degraded), or refused.
     *
     * @throws dev.hybridrouter.router.error.ApiException 429 {@code large_model_budget_exceeded} when nothing local
     *     is left to answer, or the tenant's budget says refuse
     */
    public RoutingDecision withinBudget(RoutingDecision decision) {
        if (!largeModelsSpent
                || decision.plan().stream().noneMatch(a -> a.target().kind() == Target.Kind.LARGE)) {
            return decision;
        }
        if (decision.escalate() && tenant.budget().overLargeModelBudget() == Tenants.OverBudget.REFUSE) {
            throw budgets.largeModelsRefused(tenant);
        }
        List<Attempt> local = decision.plan().stream()
                .filter(attempt -> attempt.target().kind() == Target.Kind.SPECIALIST && !attempt.cascade())
                .map(attempt -> decision.escalate() ? new Attempt(attempt.target(), LARGE_MODEL_BUDGET_SPENT) : attempt)
                .toList();
        if (local.isEmpty()) {
            throw budgets.largeModelsRefused(tenant);
        }
        return new RoutingDecision(
                decision.route(),
                decision.escalate() ? local.get(0).target() : decision.target(),
                decision.confidence(),
                decision.reason(),
                decision.scores(),
                decision.localOnlyReason(),
                local);
    }

    /**
     * The request as sent upstream: a streamed one asks for usage when its tokens count (the tenant has a budget, or
     * the policy prices tokens); {@link #hidesUsage} then says to keep that chunk from the caller, who did not ask
     * for it.
     */
    public ChatCompletionRequest counted(ChatCompletionRequest request) {
        return hidesUsage(request) ? request.withUsageIncluded() : request;
    }

    /** Whether the router asked for the usage of this (caller's) request, and the caller did not. */
    public boolean hidesUsage(ChatCompletionRequest request) {
        return request.streaming()
                && !request.includeUsage()
                && (budgets != null && tenant.budget() != null
                        || policy.policy().pricesTokens());
    }

    /**
     * Says the answer is complete, its last event about to be sent: the request no longer counts against the
     * tenant's {@code max-concurrent}, so a caller that sends its next request as soon as it has read the last
     * event finds the slot free. Whole answers need not call it: their response frees the slot before its body is
     * written.
     */
    public void answered() {
        answered.run();
    }

    /** Charges an answer's tokens to the tenant's budget. */
    public void spend(Target answeredBy, Usage usage) {
        if (budgets != null) {
            budgets.spend(tenant, answeredBy.kind() == Target.Kind.LARGE, usage);
        }
    }
}
