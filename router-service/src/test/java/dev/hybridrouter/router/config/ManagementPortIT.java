package dev.hybridrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The router with a management port of its own, as the Helm chart runs it: the public port answers the
 * probes {@code /livez} and {@code /readyz} with a bare status and has no {@code /actuator}; the management
 * port has the health details (the policy in force) and the Prometheus metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
class ManagementPortIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path POLICY = writePolicy();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    UpstreamResilience resilience;

    WebTestClient publicPort;
    WebTestClient management;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("router.policies.location", POLICY::toString);
    }

    @BeforeEach
    void clients() {
        publicPort = client(port);
        management = client(managementPort);
    }

    @AfterEach
    void closeBreakers() {
        resilience.circuitBreakers().getAllCircuitBreakers().forEach(CircuitBreaker::reset);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/livez", "/readyz"})
    void should_answer_a_bare_up_status_when_a_probe_path_is_called_on_the_public_port(String path) {
        // given the router started and ready

        // when
        WebTestClient.ResponseSpec response = publicPort.get().uri(path).exchange();

        // then: the status and nothing else, no components, no details
        response.expectStatus()
                .isOk()
                .expectBody()
                .json("""
                {"status": "UP"}
                """, JsonCompareMode.STRICT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/livez", "/readyz"})
    void should_keep_the_probes_up_when_an_upstream_breaker_is_open(String path) {
        // given: the specialist's breaker open, which makes the whole health DEGRADED
        resilience.circuitBreakers().circuitBreaker("specialist:slm").transitionToOpenState();
        management
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("DEGRADED");

        // when
        WebTestClient.ResponseSpec response = publicPort.get().uri(path).exchange();

        // then: neither probe group includes the upstreams, so Kubernetes keeps the pod serving and running
        response.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/actuator",
                "/actuator/health",
                "/actuator/health/readiness",
                "/actuator/prometheus",
                "/actuator/info"
            })
    void should_answer_404_when_an_actuator_path_is_called_on_the_public_port(String path) {
        // given the router started with a management port of its own

        // when
        WebTestClient.ResponseSpec response = publicPort.get().uri(path).exchange();

        // then
        response.expectStatus().isNotFound();
    }

    @Test
    void should_show_the_policy_in_force_when_health_is_called_on_the_management_port() {
        // given the router started with the test policy

        // when
        WebTestClient.ResponseSpec response =
                management.get().uri("/actuator/health").exchange();

        // then
        response.expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.policies.status")
                .isEqualTo("UP")
                .jsonPath("$.components.policies.details.policies[0]")
                .isEqualTo("management-test")
                .jsonPath("$.components.policies.details.location")
                .value(String.class, location -> assertThat(location)
                        .contains(POLICY.getFileName().toString()))
                .jsonPath("$.components.upstreams")
                .exists();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health/liveness", "/actuator/health/readiness"})
    void should_answer_the_same_bare_probe_status_when_a_probe_group_is_called_on_the_management_port(String path) {
        // given the router started and ready

        // when
        WebTestClient.ResponseSpec response = management.get().uri(path).exchange();

        // then: the groups hide their components on every path, not only on the public one
        response.expectStatus()
                .isOk()
                .expectBody()
                .json("""
                {"status": "UP"}
                """, JsonCompareMode.STRICT);
    }

    @Test
    void should_serve_the_router_metrics_when_prometheus_is_called_on_the_management_port() {
        // given the router started

        // when
        WebTestClient.ResponseSpec response =
                management.get().uri("/actuator/prometheus").exchange();

        // then
        response.expectStatus().isOk().expectBody(String.class).value(metrics -> assertThat(metrics)
                .contains("router_server_connections_open"));
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(TIMEOUT)
                .build();
    }

    private static Path writePolicy() {
        try {
            Path file = Files.createTempDirectory("router-management").resolve("management.yaml");
            return Files.writeString(
                    file,
                    """
                    version: 1
                    name: management-test
                    classifier:
                      threshold: 0.5
                    domains:
                      - name: it-helpdesk
                        specialist: slm
                        examples: [I forgot my password, my laptop will not connect to the VPN]
                    specialists:
                      slm:
                        provider: openai-compatible
                        base-url: http://127.0.0.1:9/v1
                        model: qwen
                    escalation:
                      large-model: cloud
                    large-models:
                      cloud:
                        provider: openai
                        model: gpt-4o-mini
                        api-key-env: HYBRID_ROUTER_TEST_UNSET_KEY
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
