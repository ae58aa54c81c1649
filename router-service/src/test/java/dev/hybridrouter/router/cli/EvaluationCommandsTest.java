package dev.hybridrouter.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code eval} and {@code calibrate}, with the real in-process classifier on a small policy. */
class EvaluationCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private Path policy;
    private Path data;

    @BeforeEach
    void files() throws IOException {
        policy = Files.writeString(
                dir.resolve("shop.yaml"),
                """
                version: 1
                domains:
                  - name: billing
                    specialist: slm
                    examples: [why was I charged twice, I need a copy of my invoice, refund my last payment,
                               my card was declined, update my billing address, cancel my subscription]
                  - name: shipping
                    specialist: slm
                    examples: [where is my parcel, my order has not arrived, change my delivery address,
                               the package arrived damaged, how long does shipping take, track my order]
                specialists:
                  slm: {provider: ollama, base-url: 'http://localhost:11434', model: llama3.2:1b}
                """);
        data = Files.writeString(
                dir.resolve("data.jsonl"),
                """
                {"text": "I was billed twice this month", "label": "billing"}
                {"text": "my parcel is late", "label": "shipping"}
                {"text": "this line is broken
                {"messages": [{"role": "user", "content": "where is my order"}], "label": "shipping"}
                {"text": "what is the capital of France", "label": "escalate"}
                {"text": "tell me a joke about penguins", "label": "escalate"}
                """);
    }

    @Test
    void should_print_metrics_and_report_malformed_lines_when_evaluating() throws IOException {
        Path out = dir.resolve("eval.json");

        CommandRun run = CommandRun.of(
                "eval", "--policy", policy.toString(), "--data", data.toString(), "--out", out.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains(data + ":3: skipped");
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("messages").asInt()).isEqualTo(5);
        assertThat(report.path("inScope").asInt()).isEqualTo(3);
        assertThat(report.path("shouldEscalate").asInt()).isEqualTo(2);
        assertThat(report.path("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.path("confusion").path("shipping").isObject()).isTrue();
        assertThat(report.path("domains").path("billing").path("support").asInt())
                .isEqualTo(1);
        assertThat(JSON.readTree(Files.readString(out))).isEqualTo(report);
    }

    @Test
    void should_find_thresholds_that_escalate_at_most_the_target_share_when_calibrating() {
        CommandRun run = CommandRun.of(
                "calibrate", "--policy", policy.toString(), "--data", data.toString(), "--target-escalation", "0.34");

        assertThat(run.exitCode()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("threshold").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.path("atThreshold").path("inScopeEscalationShare").asDouble())
                .isLessThanOrEqualTo(0.34);
        assertThat(report.path("curve")).isEmpty();
    }

    @Test
    void should_print_the_curve_when_asked() {
        CommandRun run = CommandRun.of(
                "calibrate",
                "--policy",
                policy.toString(),
                "--data",
                data.toString(),
                "--target-escalation",
                "0.1",
                "--curve");

        assertThat(run.exitCode()).isZero();
        assertThat(JSON.readTree(run.out()).path("curve")).hasSize(21);
    }

    @Test
    void should_exit_2_when_the_target_is_not_a_share() {
        CommandRun run = CommandRun.of(
                "calibrate", "--policy", policy.toString(), "--data", data.toString(), "--target-escalation", "1.5");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--target-escalation must be in [0,1]");
    }
}
