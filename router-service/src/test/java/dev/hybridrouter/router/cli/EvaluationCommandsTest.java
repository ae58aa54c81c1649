package dev.hybridrouter.router.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code eval} and {@code calibrate}, with the real in-process classifier on a small policy. */
class EvaluationCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static WireMockExtension specialist = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

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
    void should_learn_each_cascade_domains_min_score_from_its_specialist_when_asked() throws IOException {
        // given: every confidence under 1 is in the bands, so every in-scope conversation cascades
        specialist.stubFor(
                post("/v1/chat/completions")
                        .willReturn(
                                okJson(
                                        """
                        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                         "message":{"role":"assistant","content":"Yes"},
                         "logprobs":{"content":[{"token":"Yes","logprob":-0.1}]},"finish_reason":"stop"}]}""")));
        Path cascading = Files.writeString(
                dir.resolve("cascading.yaml"),
                Files.readString(policy)
                        .replace("version: 1\n", "version: 1\nclassifier: {threshold: 1.0}\n")
                        .replace("    specialist: slm\n", "    specialist: slm\n    cascade: {band: [0.0, 1.0]}\n")
                        .replace(
                                "slm: {provider: ollama, base-url: 'http://localhost:11434', model: llama3.2:1b}",
                                "slm: {provider: openai-compatible, base-url: '" + specialist.baseUrl()
                                        + "/v1', model: m}\n"
                                        + "escalation: {large-model: cloud}\n"
                                        + "large-models: {cloud: {provider: openai, model: gpt-4o-mini}}"));

        // when
        CommandRun run = CommandRun.of(
                "calibrate",
                "--policy",
                cascading.toString(),
                "--data",
                data.toString(),
                "--target-escalation",
                "0.1",
                "--cascade");

        // then
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode cascade = JSON.readTree(run.out()).path("cascade");
        int calls = specialist
                .findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))
                .size();
        assertThat(calls).isPositive();
        assertThat(cascade.path("billing").path("conversations").asInt()
                        + cascade.path("shipping").path("conversations").asInt())
                .isEqualTo(calls);
        assertThat(cascade.path("billing").path("band").toString()).isEqualTo("[0.0,1.0]");
        assertThat(cascade.path("billing").path("policyMinScore").asDouble()).isEqualTo(0.3);
    }

    @Test
    void should_exit_2_when_cascade_is_asked_of_a_policy_without_one() {
        CommandRun run = CommandRun.of(
                "calibrate",
                "--policy",
                policy.toString(),
                "--data",
                data.toString(),
                "--target-escalation",
                "0.1",
                "--cascade");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--cascade: policy 'shop' has no domain with a cascade");
    }

    @Test
    void should_exit_2_when_the_target_is_not_a_share() {
        CommandRun run = CommandRun.of(
                "calibrate", "--policy", policy.toString(), "--data", data.toString(), "--target-escalation", "1.5");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--target-escalation must be in [0,1]");
    }
}
