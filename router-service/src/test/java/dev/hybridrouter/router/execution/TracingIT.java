package dev.hybridrouter.router.execution;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hybridrouter.router.UpstreamFakes.anthropicMessage;
import static dev.hybridrouter.router.UpstreamFakes.anthropicStream;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hybridrouter.router.RouterTestSupport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A request's trace: the caller's W3C trace context goes on through the router to every upstream it calls,
 * with the upstream attempt's span as parent; the request's server span has the classification and each
 * attempt as children; the latency timers reach {@code /actuator/prometheus} as histograms; and the
 * decision log line names the trace.
 */
class TracingIT extends RouterTestSupport {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";
    private static final String TRACESTATE = "vendor=opaque";
    private static final Pattern W3C = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    ApplicationContext context;

    private final ListAppender<ILoggingEvent> decisionLines = new ListAppender<>();
    private final Logger decisionLog = (Logger) LoggerFactory.getLogger("dev.hybridrouter.router.decisions");

    @BeforeEach
    void capture() {
        SPANS.reset();
        decisionLines.start();
        decisionLog.addAppender(decisionLines);
    }

    @AfterEach
    void release() {
        decisionLog.detachAppender(decisionLines);
    }

    @ParameterizedTest(name = "{0}, stream={1}")
    @CsvSource({
        "helpdesk-slm, false",
        "helpdesk-slm, true",
        "cloud, false",
        "cloud, true",
        "claude, false",
        "claude, true"
    })
    void should_send_the_callers_trace_upstream_with_the_attempts_span_as_parent(String model, boolean stream) {
        // given
        WireMockServer upstream = answering(model, stream);

        // when
        chat(model, stream, "hello", TRACEPARENT).expectStatus().isOk().expectBody(String.class);

        // then
        LoggedRequest sent = upstream.getAllServeEvents().get(0).getRequest();
        Matcher context = W3C.matcher(sent.getHeader("traceparent"));
        assertThat(context.matches()).as(sent.getHeader("traceparent")).isTrue();
        assertThat(context.group(1)).isEqualTo(TRACE_ID);
        assertThat(context.group(2)).isNotEqualTo(CALLER_SPAN);
        assertThat(sent.getHeader("tracestate")).isEqualTo(TRACESTATE);
        assertThat(sent.getHeader("x-request-id")).startsWith("req_");
        SpanData attempt = await().atMost(WAIT)
                .until(() -> spans("router.upstream"), found -> found.size() == 1)
                .get(0);
        assertThat(attempt.getSpanId()).as("the upstream's parent span").isEqualTo(context.group(2));
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("stream")))
                .isEqualTo(Boolean.toString(stream));
    }

    @Test
    void should_export_spans_nowhere_when_no_otlp_endpoint_is_set() {
        assertThat(context.getBeanNamesForType(SpanExporter.class)).isEmpty();
    }

    @Test
    void should_start_a_trace_for_the_upstream_when_the_caller_sends_none() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("ok")));

        // when
        chat("helpdesk-slm", false, "hello", null).expectStatus().isOk();

        // then
        String sent = LOCAL.getAllServeEvents().get(0).getRequest().getHeader("traceparent");
        assertThat(sent).matches(W3C).doesNotContain(TRACE_ID);
    }

    @Test
    void should_make_one_tree_of_the_request_its_classification_and_each_attempt_when_it_fails_over() {
        // given
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(500)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("From Claude.")));

        // when
        chat("auto", false, "write a sonnet about routers", TRACEPARENT)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "large:claude");

        // then
        SpanData server = await().atMost(WAIT)
                .until(() -> spans(SpanKind.SERVER), found -> found.size() == 1)
                .get(0);
        assertThat(server.getName()).isEqualTo("http post /v1/chat/completions");
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
        assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
        List<SpanData> classification = spans("router.classification");
        assertThat(classification).hasSize(1);
        assertThat(classification.get(0).getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(classification.get(0).getAttributes().get(AttributeKey.stringKey("policy")))
                .isEqualTo("test");
        List<SpanData> attempts = spans("router.upstream");
        assertThat(attempts)
                .extracting(SpanData::getParentSpanId)
                .containsExactly(server.getSpanId(), server.getSpanId());
        assertThat(attempts)
                .extracting(span -> span.getAttributes().get(AttributeKey.stringKey("target")))
                .containsExactly("large:cloud", "large:claude");
        assertThat(attempts)
                .extracting(span -> span.getAttributes().get(AttributeKey.stringKey("outcome")))
                .containsExactly("upstream_error", "ok");
        assertThat(attempts)
                .extracting(span -> span.getStatus().getStatusCode())
                .containsExactly(StatusCode.ERROR, StatusCode.UNSET);
        assertThat(trace())
                .flatExtracting(span -> span.getAttributes().asMap().values())
                .isNotEmpty()
                .noneMatch(value -> value.toString().contains("sonnet"));
        assertThat(trace())
                .flatExtracting(SpanData::getEvents)
                .flatExtracting(event -> event.getAttributes().asMap().values())
                .noneMatch(value -> value.toString().contains("sonnet"));
    }

    @Test
    void should_name_the_callers_trace_in_the_decision_log_line() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiStream(1, 1, "Hi")));

        // when
        chat("helpdesk-slm", true, "hello", TRACEPARENT).expectStatus().isOk().expectBody(String.class);

        // then
        ILoggingEvent line = await().atMost(WAIT)
                .until(this::decisionLines, lines -> !lines.isEmpty())
                .get(0);
        assertThat(line.getMDCPropertyMap()).containsEntry("traceId", TRACE_ID);
        assertThat(line.getMDCPropertyMap().get("spanId"))
                .matches("[0-9a-f]{16}")
                .isNotEqualTo(CALLER_SPAN);
    }

    @Test
    void should_publish_classification_upstream_and_first_token_latency_as_histograms() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiStream(1, 1, "Hi")));

        // when
        chat("helpdesk-slm", true, "hello", null).expectStatus().isOk().expectBody(String.class);

        // then
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = web.get()
                    .uri("/actuator/prometheus")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(metrics)
                    .as("classification buckets from 0.1 ms")
                    .containsPattern(
                            series("router_classification_seconds_bucket", "policy=\"test\"", "le=\"1.0E-4\""));
            assertThat(metrics)
                    .containsPattern(series(
                            "router_upstream_seconds_bucket",
                            "target=\"specialist:helpdesk-slm\"",
                            "outcome=\"ok\"",
                            "stream=\"true\""));
            assertThat(metrics)
                    .containsPattern(
                            series("router_upstream_first_token_seconds_bucket", "target=\"specialist:helpdesk-slm\""));
        });
    }

    /** The lines logged so far; the appender appends under its own lock. */
    private List<ILoggingEvent> decisionLines() {
        synchronized (decisionLines) {
            return List.copyOf(decisionLines.list);
        }
    }

    /** The fake behind a model the test policy names, answering whole or streamed. */
    private static WireMockServer answering(String model, boolean stream) {
        return switch (model) {
            case "helpdesk-slm" -> stubbed(LOCAL, "/v1/chat/completions", stream);
            case "cloud" -> stubbed(OPENAI, "/v1/chat/completions", stream);
            case "claude" -> {
                ANTHROPIC.stubFor(
                        post("/v1/messages").willReturn(stream ? anthropicStream("Hi") : anthropicMessage("Hi")));
                yield ANTHROPIC;
            }
            default -> throw new IllegalArgumentException(model);
        };
    }

    private static WireMockServer stubbed(WireMockServer server, String path, boolean stream) {
        server.stubFor(post(path).willReturn(stream ? openAiStream(1, 1, "Hi") : openAiCompletion("Hi")));
        return server;
    }

    private WebTestClient.ResponseSpec chat(String model, boolean stream, String text, String traceparent) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .headers(headers -> {
                    if (traceparent != null) {
                        headers.set("traceparent", traceparent);
                        headers.set("tracestate", TRACESTATE);
                    }
                })
                .bodyValue(
                        "{\"model\": \"%s\", \"stream\": %s, \"messages\": [{\"role\": \"user\", \"content\": \"%s\"}]}"
                                .formatted(model, stream, text))
                .exchange();
    }

    /** The caller's trace's spans of one name, in the order they started. */
    private static List<SpanData> spans(String name) {
        return trace().stream().filter(span -> span.getName().equals(name)).toList();
    }

    private static List<SpanData> spans(SpanKind kind) {
        return trace().stream().filter(span -> span.getKind() == kind).toList();
    }

    private static List<SpanData> trace() {
        return SPANS.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(TRACE_ID))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .toList();
    }

    /** A Prometheus sample line of the series with all of these labels, in any order. */
    private static Pattern series(String name, String... labels) {
        StringBuilder pattern = new StringBuilder("(?m)^" + Pattern.quote(name) + "\\{");
        for (String label : labels) {
            pattern.append("(?=[^}]*").append(Pattern.quote(label)).append(")");
        }
        return Pattern.compile(pattern.toString());
    }
}
