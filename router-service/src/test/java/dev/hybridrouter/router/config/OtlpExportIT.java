package dev.hybridrouter.router.config;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hybridrouter.router.RouterTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spans leave the router only when Spring Boot's OTLP endpoint property names a collector: here a fake
 * one, which gets the request's spans over OTLP/HTTP (protobuf, in batches), with its trace id and the
 * service's name.
 * The other tests' router, without the property, exports nothing (TracingIT reads its spans in process).
 */
@DirtiesContext
class OtlpExportIT extends RouterTestSupport {

    private static final WireMockServer COLLECTOR =
            new WireMockServer(wireMockConfig().dynamicPort());
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @DynamicPropertySource
    static void collector(DynamicPropertyRegistry registry) {
        COLLECTOR.start();
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> COLLECTOR.baseUrl() + "/v1/traces");
        registry.add("management.opentelemetry.tracing.export.schedule-delay", () -> "100ms");
    }

    @AfterAll
    static void stopCollector() {
        COLLECTOR.stop();
    }

    @Test
    void should_send_the_requests_spans_to_the_otlp_endpoint() {
        // given
        COLLECTOR.stubFor(post("/v1/traces").willReturn(aResponse().withStatus(200)));
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("ok")));

        // when
        web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
                .bodyValue("{\"model\": \"helpdesk-slm\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
                .exchange()
                .expectStatus()
                .isOk();

        // then
        byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<LoggedRequest> exports = COLLECTOR.findAll(postRequestedFor(urlEqualTo("/v1/traces")));
            assertThat(exports)
                    .extracting(export -> export.getHeader("Content-Type"))
                    .containsOnly("application/x-protobuf");
            String exported = exports.stream()
                    .map(export -> new String(export.getBody(), StandardCharsets.ISO_8859_1))
                    .collect(Collectors.joining());
            assertThat(exported)
                    .contains(new String(traceId, StandardCharsets.ISO_8859_1))
                    .contains("hybrid-router", "router.upstream", "router.classification");
        });
    }
}
