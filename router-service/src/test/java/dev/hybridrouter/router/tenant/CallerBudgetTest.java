package dev.hybridrouter.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.policies.Tenants.Budget;
import dev.hybridrouter.policies.Tenants.OverBudget;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerBudgetTest {

    private static final Target CLOUD = Target.large("cloud");
    private static final Target SLM = Target.specialist("slm");

    private static final ActivePolicy UNPRICED = active("");
    private static final ActivePolicy PRICED = active(", price-per-million-tokens: {input: 0.15, output: 0.6}");

    private final MutableClock clock = new MutableClock(); // 2026-11-22T12:00:00Z
    private final TenantBudgets budgets =
            new TenantBudgets(clock, new LocalCounters(new TenantCountersConfig.ClockTime(clock)));

    @Test
    void should_refuse_requests_once_the_days_tokens_are_spent_until_midnight_utc() {
        // given
        Tenants.Tenant tenant = tenant(new Budget(100L, null, null));
        budgets.check(tenant).block();
        budgets.spend(tenant, false, Usage.of(60, 40));

        // when
        ApiException spent = catchThrowableOfType(
                ApiException.class, () -> budgets.check(tenant).block());
        clock.advance(Duration.ofHours(12));

        // then
        assertThat(spent.code()).isEqualTo(ErrorCode.TOKEN_BUDGET_EXCEEDED);
        assertThat(spent.retryAfter()).isEqualTo(Duration.ofHours(12));
        assertThat(spent.getMessage()).contains("acme", "100 tokens");
        assertThat(budgets.check(tenant).block()).isFalse(); // a new day
    }

    @Test
    void should_answer_what_would_escalate_from_the_domains_specialists_once_the_large_model_tokens_are_spent() {
        // given
        Caller caller = spentOnLargeModels(OverBudget.SERVE_LOCALLY);
        RoutingDecision escalating =
                decision(CLOUD, List.of(Attempt.of(CLOUD), new Attempt(SLM, "large-models-unavailable")));

        // when
        RoutingDecision local = caller.withinBudget(escalating);

        // then
        assertThat(local.target()).isEqualTo(SLM);
        assertThat(local.plan()).containsExactly(new Attempt(SLM, Caller.LARGE_MODEL_BUDGET_SPENT));
        assertThat(local.route()).isEqualTo(escalating.route());
    }

    @Test
    void should_drop_the_cascade_of_what_would_escalate_once_the_large_model_tokens_are_spent() {
        // given: the specialist tried first, then the cloud, then the specialist again, degraded
        Caller caller = spentOnLargeModels(OverBudget.SERVE_LOCALLY);
        RoutingDecision cascading = decision(
                CLOUD, List.of(Attempt.cascade(SLM), Attempt.of(CLOUD), new Attempt(SLM, "large-models-unavailable")));

        // when
        RoutingDecision local = caller.withinBudget(cascading);

        // then: the specialist answers once, as it would without a cascade
        assertThat(local.cascades()).isFalse();
        assertThat(local.plan()).containsExactly(new Attempt(SLM, Caller.LARGE_MODEL_BUDGET_SPENT));
    }

    @Test
    void should_refuse_what_would_escalate_when_the_budget_says_so_or_nothing_local_is_left() {
        // given
        Caller refusing = spentOnLargeModels(OverBudget.REFUSE);
        Caller serving = spentOnLargeModels(OverBudget.SERVE_LOCALLY);

        // when
        ApiException refused = catchThrowableOfType(
                ApiException.class,
                () -> refusing.withinBudget(decision(CLOUD, List.of(Attempt.of(CLOUD), new Attempt(SLM, "x")))));
        ApiException nothingLocal = catchThrowableOfType(
                ApiException.class, () -> serving.withinBudget(decision(CLOUD, List.of(Attempt.of(CLOUD)))));

        // then
        assertThat(refused.code()).isEqualTo(ErrorCode.LARGE_MODEL_BUDGET_EXCEEDED);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofHours(12));
        assertThat(nothingLocal.code()).isEqualTo(ErrorCode.LARGE_MODEL_BUDGET_EXCEEDED);
    }

    @Test
    void should_drop_only_the_large_model_failover_of_a_request_a_specialist_answers() {
        // given
        Caller caller = spentOnLargeModels(OverBudget.REFUSE);
        RoutingDecision local = decision(SLM, List.of(Attempt.of(SLM), new Attempt(CLOUD, "specialist-unavailable")));

        // when
        RoutingDecision within = caller.withinBudget(local);

        // then
        assertThat(within.target()).isEqualTo(SLM);
        assertThat(within.plan()).containsExactly(Attempt.of(SLM));
    }

    @Test
    void should_leave_decisions_alone_while_the_budget_lasts_and_count_only_large_model_tokens_against_it() {
        // given
        Tenants.Tenant tenant = tenant(new Budget(null, 50L, OverBudget.REFUSE));
        RoutingDecision escalating = decision(CLOUD, List.of(Attempt.of(CLOUD)));
        Caller before = caller(tenant);

        // when
        before.spend(SLM, Usage.of(500, 500));
        before.spend(CLOUD, Usage.of(20, 20));
        Caller within = caller(tenant);
        within.spend(CLOUD, Usage.of(5, 5));
        Caller over = caller(tenant);

        // then
        assertThat(within.withinBudget(escalating)).isSameAs(escalating);
        assertThat(catchThrowableOfType(ApiException.class, () -> over.withinBudget(escalating)))
                .isNotNull();
    }

    /** The caller of a request that comes now: the filter checks the budget as it admits one. */
    private Caller caller(Tenants.Tenant tenant) {
        return Caller.of(tenant, UNPRICED, budgets, budgets.check(tenant).block(), () -> {});
    }

    @Test
    void should_ask_for_usage_of_a_budgeted_tenants_stream_and_hide_it_when_the_caller_did_not() {
        // given
        Caller budgeted = caller(tenant(new Budget(100L, null, null)));
        Caller unlimited = caller(tenant(null));
        ChatCompletionRequest streamed = WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatCompletionRequest.class);

        // when
        ChatCompletionRequest sent = budgeted.counted(streamed);

        // then
        assertThat(sent.includeUsage()).isTrue();
        assertThat(budgeted.hidesUsage(streamed)).isTrue();
        assertThat(budgeted.hidesUsage(sent)).isFalse();
        assertThat(unlimited.counted(streamed)).isSameAs(streamed);
        assertThat(Caller.anyone(UNPRICED).counted(streamed)).isSameAs(streamed);
    }

    @Test
    void should_ask_for_usage_of_every_stream_when_the_policy_prices_tokens() {
        // given
        Caller anyone = Caller.anyone(PRICED);
        ChatCompletionRequest streamed = WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatCompletionRequest.class);
        ChatCompletionRequest whole = WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatCompletionRequest.class);

        // when
        ChatCompletionRequest sent = anyone.counted(streamed);

        // then
        assertThat(sent.includeUsage()).isTrue();
        assertThat(anyone.hidesUsage(streamed)).isTrue();
        assertThat(anyone.counted(whole)).isSameAs(whole);
    }

    /** A policy with one specialist and one large model; {@code cloudPrice} is added to the large model's fields. */
    private static ActivePolicy active(String cloudPrice) {
        Policy policy = PolicyLoader.parse(
                "test.yaml",
                """
                version: 1
                domains:
                  - {name: notes, specialist: slm, examples: [patient notes]}
                specialists:
                  slm: {provider: openai-compatible, base-url: 'http://localhost:1/v1', model: m}
                escalation: {large-model: cloud}
                large-models:
                  cloud: {provider: openai, model: gpt, api-key-env: KEY%s}
                """
                        .formatted(cloudPrice));
        return new ActivePolicy(
                new Router(policy, conversation -> null, Set.of("auto"), 10),
                Map.of(),
                Map.of(),
                null,
                new ResponseCache(policy.cache(), Clock.systemUTC()),
                null);
    }

    private Caller spentOnLargeModels(OverBudget over) {
        Tenants.Tenant tenant = tenant(new Budget(null, 10L, over));
        budgets.spend(tenant, true, Usage.of(5, 5));
        return caller(tenant);
    }

    private static Tenants.Tenant tenant(Budget budget) {
        return new Tenants.Tenant("acme", List.of("a".repeat(64)), "support", null, budget);
    }

    private static RoutingDecision decision(Target target, List<Attempt> plan) {
        return new RoutingDecision("helpdesk", target, 0.3, Reason.LOW_CONFIDENCE, Map.of(), null, plan);
    }
}
