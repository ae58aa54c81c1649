package dev.hybridrouter.router.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.evaluation.CalibrationReport.CurvePoint;
import dev.hybridrouter.router.evaluation.CalibrationReport.OperatingPoint;
import dev.hybridrouter.router.evaluation.EvaluationReport.DomainMetrics;
import dev.hybridrouter.router.evaluation.LabeledDataset.MalformedLine;
import dev.hybridrouter.router.routing.DomainClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterEvaluatorTest {

    static final String POLICY =
            """
            version: 1
            name: two
            classifier: {embedding-model: all-minilm-l6-v2-q, threshold: 0.5}
            domains:
              - {name: a, specialist: slm, examples: [a one, a two]}
              - {name: b, specialist: slm, examples: [b one, b two]}
            specialists:
              slm: {provider: openai-compatible, base-url: "http://localhost:8000/v1", model: slm}
            escalation: {large-model: large}
            large-models:
              large: {provider: openai, model: large, api-key-env: OPENAI_API_KEY}
            """;

    @TempDir
    Path dir;

    private Policy policy;
    private final Map<String, DomainClassifier.Classification> answers = new HashMap<>();
    private final List<LabeledConversation> data = new ArrayList<>();

    /** Answers by the last user message's text. */
    private final DomainClassifier classifier = conversation ->
            answers.get(conversation.get(conversation.size() - 1).text());

    @BeforeEach
    void loadPolicy() throws IOException {
        Path file = dir.resolve("two.yaml");
        Files.writeString(file, POLICY);
        policy = PolicyLoader.load(file);
    }

    @Test
    void should_compute_every_metric_when_routing_a_hand_made_set() {
        // given: threshold 0.5; line 8 names no domain
        item(1, "a1", "a", 0.9, 0.1, false); // a, right
        item(2, "a2", "a", 0.4, 0.6, false); // b, wrong
        item(3, "a3", "a", 0.45, 0.3, false); // escalated: low confidence
        item(4, "b1", "b", 0.2, 0.8, false); // b, right
        item(5, "b2", "b", 0.1, 0.9, true); // escalated: out of scope
        item(6, "x1", "escalate", 0.3, 0.2, false); // escalated, right
        item(7, "x2", "escalate", 0.7, 0.3, false); // a, wrong
        item(8, "c1", "c", 0.9, 0.1, false);
        long[] ticks = {0, 1, 10, 12, 20, 23, 30, 34, 40, 45, 50, 56, 60, 67};
        AtomicLong tick = new AtomicLong();
        RouterEvaluator evaluator =
                new RouterEvaluator(policy, classifier, () -> ticks[(int) tick.getAndIncrement()] * 1_000_000L);

        // when
        EvaluationReport report = evaluator.evaluate(data);

        // then
        assertThat(report.messages()).isEqualTo(7);
        assertThat(report.inScope()).isEqualTo(5);
        assertThat(report.shouldEscalate()).isEqualTo(2);
        assertThat(report.accuracy()).isEqualTo(2 / 5.0);
        assertThat(report.inScopeEscalationShare()).isEqualTo(2 / 5.0);
        assertThat(report.escalationRecall()).isEqualTo(1 / 2.0);
        assertThat(report.domains())
                .containsExactly(
                        Map.entry("a", new DomainMetrics(3, 2, 1 / 2.0, 1 / 3.0)),
                        Map.entry("b", new DomainMetrics(2, 2, 1 / 2.0, 1 / 2.0)));
        assertThat(report.confusion())
                .isEqualTo(Map.of(
                        "a", Map.of("a", 1, "b", 1, "escalate", 1),
                        "b", Map.of("b", 1, "escalate", 1),
                        "escalate", Map.of("escalate", 1, "a", 1)));
        // latencies 1..7 ms: 28 ms in all
        assertThat(report.latencyP50Millis()).isEqualTo(4.0);
        assertThat(report.latencyP99Millis()).isEqualTo(7.0);
        assertThat(report.messagesPerSecond()).isCloseTo(7 / 0.028, within(1e-9));
        assertThat(report.skipped()).containsExactly(new MalformedLine(8, "label 'c' is no domain of policy two"));
    }

    @Test
    void should_leave_shares_null_when_there_is_nothing_to_divide_by() {
        // given
        item(1, "a1", "a", 0.9, 0.1, false);

        // when
        EvaluationReport report = new RouterEvaluator(policy, classifier).evaluate(data);

        // then
        assertThat(report.escalationRecall()).isNull();
        assertThat(report.domains().get("b")).isEqualTo(new DomainMetrics(0, 0, null, null));
    }

    @Test
    void should_find_thresholds_that_escalate_the_target_share_when_calibrating() {
        // given: ten in-scope conversations, all routed to their label; one flagged out of scope
        item(1, "a1", "a", 0.1, 0, false);
        item(2, "a2", "a", 0.3, 0, false);
        item(3, "a3", "a", 0.5, 0, false);
        item(4, "a4", "a", 0.7, 0, false);
        item(5, "a5", "a", 0.9, 0, false);
        item(6, "b1", "b", 0, 0.2, false);
        item(7, "b2", "b", 0, 0.4, false);
        item(8, "b3", "b", 0, 0.6, false);
        item(9, "b4", "b", 0, 0.8, false);
        item(10, "b5", "b", 0, 0.95, true);
        item(11, "x1", "escalate", 0.25, 0, false);
        item(12, "x2", "escalate", 0, 0.95, false);

        // when
        CalibrationReport report = new RouterEvaluator(policy, classifier).calibrate(data, 0.3);

        // then: three may escalate; the flagged one does anyway, so the third-lowest confidence stays
        assertThat(report.threshold()).isEqualTo(0.3);
        assertThat(report.atThreshold()).isEqualTo(new OperatingPoint(0.3, 0.7, 0.5));
        // per domain, one of five may escalate: a keeps 0.3; b's flagged one uses up its share
        assertThat(report.domainThresholds()).containsExactly(Map.entry("a", 0.3), Map.entry("b", 0.2));
        assertThat(report.atDomainThresholds()).isEqualTo(new OperatingPoint(0.2, 0.8, 0.5));
        assertThat(report.curve()).hasSize(21);
        assertThat(report.curve().get(0)).isEqualTo(new CurvePoint(0.0, 0.1, 0.9, 0.0));
        assertThat(report.curve().get(20)).isEqualTo(new CurvePoint(1.0, 1.0, 0.0, 1.0));
    }

    @Test
    void should_return_threshold_zero_when_out_of_scope_flags_alone_exceed_the_target() {
        // given
        item(1, "a1", "a", 0.9, 0, true);
        item(2, "a2", "a", 0.8, 0, false);

        // when
        CalibrationReport report = new RouterEvaluator(policy, classifier).calibrate(data, 0.2);

        // then
        assertThat(report.threshold()).isZero();
        assertThat(report.atThreshold().inScopeEscalationShare()).isEqualTo(0.5);
    }

    @Test
    void should_reject_a_target_outside_zero_to_one_when_calibrating() {
        item(1, "a1", "a", 0.9, 0, false);
        RouterEvaluator evaluator = new RouterEvaluator(policy, classifier);

        assertThatThrownBy(() -> evaluator.calibrate(data, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    private void item(int line, String text, String label, double a, double b, boolean outOfScope) {
        answers.put(text, new DomainClassifier.Classification(Map.of("a", a, "b", b), outOfScope));
        data.add(new LabeledConversation(line, List.of(ChatMessage.user(text)), label));
    }
}
