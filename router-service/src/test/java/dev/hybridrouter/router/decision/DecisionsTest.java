package dev.hybridrouter.router.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.execution.Execution;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DecisionsTest {

    /** A cloud at 2.50 / 10.00 per million tokens, an unpriced backup, and a specialist at 0.10 / 0.20. */
    private static final Policy SUPPORT =
            policy("support", new Policy.Price(0.10, 0.20), new Policy.Price(2.50, 10.00));

    /** Nothing priced. */
    private static final Policy DEFAULT = policy("default", null, null);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Decisions decisions = new Decisions(meters);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(Decisions.LOGGER);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void should_count_an_escalated_answer_with_its_tokens_and_log_one_line_without_text() {
        // given
        var record = decisions.start(
                "acme", SUPPORT, decision(Target.large("cloud"), Reason.LOW_CONFIDENCE), "req-1", 0, null);

        // when
        record.answeredBy(Attempt.of(Target.large("cloud")));
        record.usage(Usage.of(120, 30));
        record.finish(45_000_000);
        record.finish(90_000_000); // once only

        // then
        assertThat(meters.get(Decisions.REQUESTS)
                        .tags("tenant", "acme", "policy", "support", "route", "helpdesk", "target", "large:cloud")
                        .tags("reason", "low-confidence", "escalated", "true", "degraded", "false", "outcome", "ok")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(Decisions.TOKENS)
                        .tags("tenant", "acme", "kind", "prompt")
                        .counter()
                        .count())
                .isEqualTo(120);
        assertThat(meters.get(Decisions.TOKENS)
                        .tags("kind", "completion")
                        .counter()
                        .count())
                .isEqualTo(30);
        assertThat(lines.list).hasSize(1);
        ILoggingEvent line = lines.list.get(0);
        assertThat(line.getFormattedMessage())
                .isEqualTo("{\"requestId\":\"req-1\",\"tenant\":\"acme\",\"policy\":\"support\",\"route\":\"helpdesk\","
                        + "\"decided\":\"large:cloud\",\"target\":\"large:cloud\",\"confidence\":0.4200,"
                        + "\"reason\":\"low-confidence\",\"escalated\":true,\"degraded\":false,\"localOnly\":false,"
                        + "\"outcome\":\"ok\",\"cache\":false,\"latencyMs\":45,\"promptTokens\":120,"
                        + "\"completionTokens\":30,\"estimatedCost\":0.000600}");
        assertThat(line.getKeyValuePairs())
                .extracting(pair -> pair.key)
                .contains("requestId", "tenant", "target", "outcome", "latencyMs");
    }

    @Test
    void should_count_both_calls_of_a_cascade_that_escalated_and_log_its_outcome_and_score() {
        // given: the specialist's answer scored 0.12 and was not kept; the cloud answered
        var record = decisions.start(
                "acme", SUPPORT, decision(Target.large("cloud"), Reason.LOW_CONFIDENCE), "req-9", 0, null);

        // when
        record.cascaded(new Execution.Cascaded(
                Attempt.cascade(Target.specialist("slm")),
                Execution.CascadeOutcome.ESCALATED,
                0.12,
                Usage.of(100, 20)));
        record.answeredBy(Attempt.of(Target.large("cloud")));
        record.usage(Usage.of(120, 30));
        record.finish(10_000_000);

        // then
        assertThat(meters.get(Decisions.CASCADE)
                        .tags("tenant", "acme", "policy", "support", "route", "helpdesk", "outcome", "escalated")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(Decisions.REQUESTS)
                        .tags("reason", "cascade-escalated", "target", "large:cloud")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(Decisions.TOKENS)
                        .tags("target", "specialist:slm", "kind", "prompt")
                        .counter()
                        .count())
                .isEqualTo(100);
        assertThat(meters.get(Decisions.TOKENS)
                        .tags("target", "large:cloud", "kind", "completion")
                        .counter()
                        .count())
                .isEqualTo(30);
        assertThat(meters.get(Decisions.COST)
                        .tags("target", "specialist:slm")
                        .counter()
                        .count())
                .isCloseTo((100 * 0.10 + 20 * 0.20) / 1e6, within(1e-15));
        assertThat(lines.list.get(0).getFormattedMessage())
                .contains("\"reason\":\"cascade-escalated\"", "\"cascade\":\"escalated\"", "\"cascadeScore\":0.1200")
                .contains("\"cascadePromptTokens\":100,\"cascadeCompletionTokens\":20", "\"estimatedCost\":0.000614");
    }

    @Test
    void should_count_the_fallback_that_answered_as_degraded_and_a_failure_by_its_code() {
        // given
        var degraded =
                decisions.start(null, DEFAULT, decision(Target.large("cloud"), Reason.OUT_OF_SCOPE), "r2", 0, null);
        var failed =
                decisions.start(null, DEFAULT, decision(Target.specialist("slm"), Reason.CONFIDENT), "r3", 0, null);

        // when
        degraded.answeredBy(new Attempt(Target.specialist("slm"), "large-models-unavailable"));
        degraded.finish(1);
        failed.failed(ApiException.of(ErrorCode.UPSTREAM_TIMEOUT, "no answer"));
        failed.cancelled(); // a failure stays the outcome
        failed.finish(1);

        // then
        assertThat(meters.get(Decisions.REQUESTS)
                        .tags("tenant", Decisions.NO_TENANT, "target", "specialist:slm", "degraded", "true")
                        .tags("escalated", "false", "outcome", "ok")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(Decisions.REQUESTS)
                        .tags("outcome", "upstream_timeout", "reason", "confident")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(lines.list.get(0).getFormattedMessage()).contains("\"degradedReason\":\"large-models-unavailable\"");
        assertThat(meters.find(Decisions.TOKENS).counters()).isEmpty();
    }

    @Test
    void should_count_a_caller_that_went_away_as_cancelled() {
        // given
        var record = decisions.start("acme", SUPPORT, decision(Target.specialist("slm"), Reason.FORCED), "r4", 0, null);

        // when
        record.cancelled();
        record.finish(1);

        // then
        assertThat(meters.get(Decisions.REQUESTS)
                        .tags("outcome", "cancelled")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void should_estimate_cost_at_the_answering_models_price_and_the_baseline_at_the_large_models() {
        // given: 120 prompt and 30 completion tokens, answered by the specialist
        var record =
                decisions.start("acme", SUPPORT, decision(Target.specialist("slm"), Reason.CONFIDENT), "r5", 0, null);

        // when
        record.answeredBy(Attempt.of(Target.specialist("slm")));
        record.usage(Usage.of(120, 30));
        record.finish(1);

        // then: (120 × 0.10 + 30 × 0.20) / 10⁶ spent, (120 × 2.50 + 30 × 10.00) / 10⁶ had the cloud answered
        assertThat(meters.get(Decisions.COST)
                        .tags("tenant", "acme", "policy", "support", "target", "specialist:slm")
                        .counter()
                        .count())
                .isCloseTo(0.000018, within(1e-12));
        assertThat(meters.get(Decisions.BASELINE)
                        .tags("tenant", "acme", "policy", "support")
                        .counter()
                        .count())
                .isCloseTo(0.0006, within(1e-12));
    }

    @Test
    void should_count_a_cached_answer_as_saving_its_whole_baseline_and_costing_nothing() {
        // given
        var record =
                decisions.start("acme", SUPPORT, decision(Target.large("cloud"), Reason.OUT_OF_SCOPE), "r6", 0, null);

        // when
        record.answeredBy(Attempt.of(Target.large("cloud")));
        record.usage(Usage.of(1_000, 0));
        record.cacheHit();
        record.finish(1);

        // then
        assertThat(meters.find(Decisions.COST).counters()).isEmpty();
        assertThat(meters.get(Decisions.BASELINE).counter().count()).isCloseTo(0.0025, within(1e-12));
    }

    @Test
    void should_estimate_nothing_for_an_unpriced_model_or_without_a_priced_large_model() {
        // given
        var backup =
                decisions.start("acme", SUPPORT, decision(Target.large("cloud"), Reason.OUT_OF_SCOPE), "r7", 0, null);
        var unpriced =
                decisions.start(null, DEFAULT, decision(Target.specialist("slm"), Reason.CONFIDENT), "r8", 0, null);

        // when: failover to the unpriced backup; a specialist of a policy whose large model has no price
        backup.answeredBy(new Attempt(Target.large("backup"), null));
        backup.usage(Usage.of(500, 50));
        backup.finish(1);
        unpriced.answeredBy(Attempt.of(Target.specialist("slm")));
        unpriced.usage(Usage.of(500, 50));
        unpriced.finish(1);

        // then: the backup's cost is unknown, so it counts in neither; the free specialist costs 0, saves unknown
        assertThat(meters.find(Decisions.BASELINE).counters()).isEmpty();
        assertThat(meters.get(Decisions.COST)
                        .tags("target", "specialist:slm", "policy", "default")
                        .counter()
                        .count())
                .isZero();
        assertThat(meters.find(Decisions.COST).tags("target", "large:backup").counters())
                .isEmpty();
        assertThat(meters.get(Decisions.TOKENS)
                        .tags("target", "large:backup", "kind", "prompt")
                        .counter()
                        .count())
                .isEqualTo(500);
    }

    private static Policy policy(String name, Policy.Price specialist, Policy.Price cloud) {
        var slm = new Policy.Specialist(
                Policy.SpecialistProvider.OPENAI_COMPATIBLE,
                "http://localhost:8000/v1",
                "qwen",
                null,
                null,
                List.of(),
                Duration.ofSeconds(30),
                null,
                Policy.Resilience.DEFAULTS,
                Policy.Residency.ANY,
                null,
                specialist);
        return new Policy(
                name,
                new Policy.Classifier(null, 0.5, List.of(), null),
                List.of(),
                Map.of("slm", slm),
                new Policy.Escalation(
                        "cloud", List.of("backup"), Policy.OnUnavailable.LOCAL, Policy.OnSpecialistUnavailable.FAIL),
                Map.of("cloud", largeModel(cloud), "backup", largeModel(null)));
    }

    private static Policy.LargeModel largeModel(Policy.Price price) {
        return new Policy.LargeModel(
                Policy.LargeModelProvider.OPENAI,
                "gpt-4o-mini",
                null,
                "KEY",
                null,
                Duration.ofSeconds(60),
                Policy.Resilience.DEFAULTS,
                price);
    }

    private static RoutingDecision decision(Target target, Reason reason) {
        return new RoutingDecision("helpdesk", target, 0.42, reason, Map.of(), null, List.of(Attempt.of(target)));
    }
}
