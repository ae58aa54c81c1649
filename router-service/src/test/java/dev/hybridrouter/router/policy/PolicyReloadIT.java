package dev.hybridrouter.router.policy;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.router.execution.UpstreamResilience;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A policy of its own, changed while the router serves: a local-only policy keeps every request local,
 * an invalid change is rejected with file:line:column while the last good policy keeps answering, and a
 * valid change keeps the breakers of the upstreams it does not change.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class PolicyReloadIT {

    @RegisterExtension
    static WireMockExtension local = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final Path DIRECTORY = directory();
    private static final Path FILE = DIRECTORY.resolve("default.yaml");

    @Autowired
    WebTestClient web;

    @Autowired
    UpstreamResilience resilience;

    @Autowired
    PolicyRegistry policies;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        write(policy("local-only", "notes", "patient notes"));
        registry.add("router.policies.location", DIRECTORY::toString);
        registry.add("router.policies.reload-interval", () -> "100ms");
    }

    @BeforeEach
    void answer() {
        local.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("From the local model.")));
    }

    @AfterEach
    void restore() {
        write(policy("local-only", "notes", "patient notes"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> policies.status().lastError() == null
                        && policies.active()
                                .policy()
                                .domains()
                                .get(0)
                                .examples()
                                .contains("patient notes"));
        resilience.circuitBreakers().getAllCircuitBreakers().forEach(CircuitBreaker::reset);
    }

    @Test
    void should_refuse_a_large_model_and_keep_low_confidence_requests_local_when_the_policy_is_local_only() {
        chat("cloud", "anything at all")
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("local_only")
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message).contains("policy 'default' is local-only"));
        chat("auto", "write me a poem about the sea")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-residency", "local-only")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:slm");
    }

    @Test
    void should_keep_the_last_good_policy_answering_and_show_why_when_a_change_is_invalid() {
        write(policy("local-only", "notes", "patient notes").replace("threshold: 0.5", "threshold: 7"));

        await().atMost(Duration.ofSeconds(10)).until(() -> policies.status().lastError() != null);
        web.get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.components.policies.details.rejectedChange")
                .value(String.class, error -> assertThat(error).containsPattern("default\\.yaml:\\d+:\\d+: "));
        chat("notes", "my patient notes").expectStatus().isOk();
    }

    @Test
    void should_keep_the_breaker_of_an_upstream_whose_settings_a_valid_change_keeps() {
        CircuitBreaker breaker = resilience.circuitBreakers().circuitBreaker("specialist:slm");
        breaker.transitionToOpenState();

        write(policy("local-only", "notes", "clinical notes"));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        policies.active().policy().domains().get(0).examples().contains("clinical notes"));

        assertThat(resilience.circuitBreakers().circuitBreaker("specialist:slm"))
                .isSameAs(breaker);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private WebTestClient.ResponseSpec chat(String model, String text) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                .exchange();
    }

    private static String policy(String residency, String domain, String example) {
        return """
                version: 1
                name: default
                residency: %1$s
                classifier:
                  threshold: 0.5
                domains:
                  - name: %2$s
                    specialist: slm
                    examples: [%3$s, a question about %2$s]
                specialists:
                  slm:
                    provider: openai-compatible
                    base-url: %4$s/v1
                    model: qwen
                escalation:
                  large-model: cloud
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                    api-key-env: HYBRID_ROUTER_TEST_UNSET_KEY
                """
                .formatted(residency, domain, example, local.baseUrl());
    }

    private static void write(String yaml) {
        try {
            Path next = Files.writeString(DIRECTORY.resolve("next.tmp"), yaml);
            Files.move(
                    next,
                    FILE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path directory() {
        try {
            return Files.createTempDirectory("router-reload");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
