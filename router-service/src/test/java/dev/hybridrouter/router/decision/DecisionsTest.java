package dev.hybridrouter.router.decision;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DecisionsTest {

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
        var record =
                decisions.start("acme", "support", decision(Target.large("cloud"), Reason.LOW_CONFIDENCE), "req-1", 0);

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
                .isEqualTo("requestId=req-1 tenant=acme policy=support route=helpdesk decided=large:cloud"
                        + " target=large:cloud confidence=0.4200 reason=low-confidence escalated=true degraded=false"
                        + " localOnly=false outcome=ok cache=false latencyMs=45 promptTokens=120 completionTokens=30");
        assertThat(line.getKeyValuePairs())
                .extracting(pair -> pair.key)
                .contains("requestId", "tenant", "target", "outcome", "latencyMs");
    }

    @Test
    void should_count_the_fallback_that_answered_as_degraded_and_a_failure_by_its_code() {
        // given
        var degraded = decisions.start(null, "default", decision(Target.large("cloud"), Reason.OUT_OF_SCOPE), "r2", 0);
        var failed = decisions.start(null, "default", decision(Target.specialist("slm"), Reason.CONFIDENT), "r3", 0);

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
        assertThat(lines.list.get(0).getFormattedMessage()).contains("degradedReason=large-models-unavailable");
        assertThat(meters.find(Decisions.TOKENS).counters()).isEmpty();
    }

    @Test
    void should_count_a_caller_that_went_away_as_cancelled() {
        // given
        var record = decisions.start("acme", "support", decision(Target.specialist("slm"), Reason.FORCED), "r4", 0);

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

    private static RoutingDecision decision(Target target, Reason reason) {
        return new RoutingDecision("helpdesk", target, 0.42, reason, Map.of(), null, List.of(Attempt.of(target)));
    }
}
