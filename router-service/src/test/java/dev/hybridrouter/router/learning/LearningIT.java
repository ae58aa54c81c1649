package dev.hybridrouter.router.learning;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiScoredCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.router.KeywordClassifier;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.RouterTestSupport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A policy whose escalated requests are labelled by its large model, off the request path: what the teacher is
 * asked, what is written, and what is never labelled. The classifier is the test's {@link KeywordClassifier}:
 * {@code unsure:billing} escalates with billing as the classifier's guess.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(RouterTestSupport.TestBeans.class)
class LearningIT {

    @RegisterExtension
    static WireMockExtension models = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final Path LABELS = directory("router-labels");
    private static final String LABEL_REQUEST = "domain_label";
    private static final String CLOUD = "/cloud/v1/chat/completions";

    @Autowired
    WebTestClient web;

    @Autowired
    MeterRegistry meters;

    @Autowired
    MutableClock clock;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Path directory = directory("router-learning");
        Path key = write(directory.resolve("cloud.key"), "sk-test");
        registry.add("router.policies.location", () -> write(
                        directory.resolve("learn.yaml"),
                        """
                version: 1
                classifier: {threshold: 0.5}
                domains:
                  - name: billing
                    description: invoices, charges and refunds
                    specialist: slm
                    examples: [billing]
                  - name: shipping
                    specialist: slm
                    examples: [shipping]
                  - name: records
                    specialist: slm
                    examples: [records]
                    residency: local-only
                  - name: returns
                    specialist: slm
                    examples: [returns]
                    cascade: {band: [0.3, 0.5], min-score: 0.5}
                specialists:
                  slm: {provider: openai-compatible, base-url: '%1$s/slm/v1', model: qwen}
                large-models:
                  cloud: {provider: openai-compatible, base-url: '%1$s/cloud/v1', model: gpt, api-key-file: %3$s}
                escalation: {large-model: cloud}
                privacy:
                  pii: {phone: keep-local}
                learning:
                  directory: %2$s
                  labels-per-day: 3
                  timeout: 1s
                """
                                .formatted(models.baseUrl(), LABELS, key))
                .toString());
    }

    @BeforeEach
    void answer() {
        clock.advance(Duration.ofDays(1)); // a new day: the budget of labels is whole again
        models.stubFor(post(urlEqualTo("/slm/v1/chat/completions")).willReturn(openAiCompletion("From the SLM.")));
        models.stubFor(post(urlEqualTo(CLOUD))
                .withRequestBody(notContaining(LABEL_REQUEST))
                .willReturn(openAiCompletion("From the cloud.")));
        teacherSays("{\\\"domain\\\": \\\"shipping\\\"}");
    }

    @Test
    void should_label_an_escalated_request_off_its_path_with_its_masked_text_and_the_domains_as_a_schema() {
        // when
        chat("unsure:billing where is the parcel I paid for? mail me at jane@example.com")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("From the cloud.");

        // then
        Label label = awaitLabel("unsure:billing where is the parcel I paid for? mail me at <EMAIL_1>");
        assertThat(label.label()).isEqualTo("shipping");
        assertThat(label.guess()).isEqualTo("billing");
        assertThat(label.confidence()).isEqualTo(0.4);
        assertThat(label.reason()).isEqualTo("low-confidence");
        assertThat(label.teacher()).isEqualTo("cloud");
        models.verify(postRequestedFor(urlEqualTo(CLOUD))
                .withRequestBody(containing(LABEL_REQUEST))
                .withRequestBody(containing("\"response_format\":{\"type\":\"json_schema\""))
                .withRequestBody(containing("\"enum\":[\"billing\",\"shipping\",\"records\",\"returns\",\"none\"]"))
                .withRequestBody(containing("billing: invoices, charges and refunds"))
                .withRequestBody(notContaining("jane@example.com")));
    }

    @Test
    void should_label_an_escalated_stream_once_it_has_been_answered() {
        // given
        models.stubFor(post(urlEqualTo(CLOUD))
                .withRequestBody(containing("\"stream\":true"))
                .willReturn(openAiStream(1, 2, "From ", "the cloud.")));

        // when
        String stream = web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"auto\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"unsure:billing streamed please\"}]}")
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10))
                .toString();

        // then
        assertThat(stream).contains("the cloud.", "[DONE]");
        assertThat(awaitLabel("unsure:billing streamed please").label()).isEqualTo("shipping");
    }

    @Test
    void should_label_a_cascade_the_specialist_could_not_keep_and_not_one_it_kept() {
        // given: the specialist is sure of one answer (a token probability of 0.9) and unsure of the other (0.1)
        models.stubFor(post(urlEqualTo("/slm/v1/chat/completions"))
                .withRequestBody(containing("keep it"))
                .willReturn(openAiScoredCompletion("Sure thing", Math.log(0.9))));
        models.stubFor(post(urlEqualTo("/slm/v1/chat/completions"))
                .withRequestBody(containing("hand it up"))
                .willReturn(openAiScoredCompletion("Perhaps so", Math.log(0.1))));

        // when
        chat("unsure:returns keep it").expectHeader().valueEquals("x-router-reason", "cascade-accepted");
        chat("unsure:returns hand it up").expectHeader().valueEquals("x-router-reason", "cascade-escalated");

        // then
        assertThat(awaitLabel("unsure:returns hand it up").guess()).isEqualTo("returns");
        assertThat(texts()).doesNotContain("unsure:returns keep it");
    }

    @Test
    void should_write_no_label_when_the_teacher_names_no_domain_or_is_too_slow_and_answer_the_request_meanwhile() {
        // given
        double invalid = labels("invalid");
        double failed = labels("failed");
        teacherSays("{\\\"domain\\\": \\\"pizza\\\"}");

        // when
        chat("unsure:billing is pizza a refund");
        await().atMost(Duration.ofSeconds(10)).until(() -> labels("invalid") == invalid + 1);
        models.stubFor(post(urlEqualTo(CLOUD))
                .withRequestBody(containing(LABEL_REQUEST))
                .willReturn(
                        openAiCompletion("{\\\"domain\\\": \\\"billing\\\"}").withFixedDelay(3_000)));
        chat("unsure:billing a slow teacher")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("From the cloud.");
        double failedWhenAnswered = labels("failed");

        // then: the answer came while its label's call (1 s at most) was still waiting for the teacher
        assertThat(failedWhenAnswered).isEqualTo(failed);
        await().atMost(Duration.ofSeconds(10)).until(() -> labels("failed") == failed + 1);
        assertThat(texts()).doesNotContain("unsure:billing is pizza a refund", "unsure:billing a slow teacher");
    }

    @Test
    void should_stop_asking_the_teacher_when_the_days_labels_are_spent() {
        // given: three labels a day
        double over = labels("over-budget");
        for (int i = 0; i < 3; i++) {
            chat("unsure:billing budget " + i);
        }

        // when
        chat("unsure:billing budget 3");

        // then
        await().atMost(Duration.ofSeconds(10)).until(() -> texts().contains("unsure:billing budget 2"));
        assertThat(labels("over-budget")).isEqualTo(over + 1);
        assertThat(texts()).doesNotContain("unsure:billing budget 3");
    }

    @Test
    void should_never_label_what_stays_local_or_what_the_classifier_was_sure_of() {
        // given
        int before = teacherCalls();

        // when: a local-only domain, a phone number kept local, a confident request, and one that escalates
        chat("unsure:records patient records of Jane");
        chat("unsure:billing call me on +44 20 7946 0958");
        chat("billing my invoice");
        chat("unsure:billing the last one");

        // then: only the last one reaches the teacher
        await().atMost(Duration.ofSeconds(10)).until(() -> texts().contains("unsure:billing the last one"));
        assertThat(teacherCalls()).isEqualTo(before + 1);
        assertThat(texts())
                .noneMatch(text -> text.contains("records") || text.contains("7946") || text.contains("invoice"));
    }

    private WebTestClient.ResponseSpec chat(String text) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                .exchange()
                .expectStatus()
                .isOk();
    }

    private void teacherSays(String content) {
        models.stubFor(post(urlEqualTo(CLOUD))
                .withRequestBody(containing(LABEL_REQUEST))
                .willReturn(openAiCompletion(content)));
    }

    private int teacherCalls() {
        return models.findAll(postRequestedFor(urlEqualTo(CLOUD)).withRequestBody(containing(LABEL_REQUEST)))
                .size();
    }

    private Label awaitLabel(String text) {
        await().atMost(Duration.ofSeconds(10)).until(() -> texts().contains(text));
        return written().stream().filter(l -> l.text().equals(text)).findFirst().orElseThrow();
    }

    private List<String> texts() {
        return written().stream().map(Label::text).toList();
    }

    private List<Label> written() {
        try {
            return LabelFiles.read(LABELS, "learn").labels();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private double labels(String outcome) {
        Counter counter = meters.find("router.learning.labels")
                .tags("policy", "learn", "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static Path directory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
