package dev.hybridrouter.router.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.hybridrouter.router.RouterTestSupport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The fault matrix: what the client gets, and what each upstream fake received, when upstreams fail.
 * The test policy escalates to {@code cloud} (OpenAI), then {@code claude} (Anthropic), then answers
 * locally; a specialist that is down escalates. Messages that name no domain escalate.
 */
class ResilienceIT extends RouterTestSupport {

    private static final String ESCALATING = "write a sonnet about routers";
    private static final String HELPDESK = "an it-helpdesk question: my VPN drops";

    @Test
    void should_retry_then_fail_over_to_the_next_large_model_when_the_cloud_answers_500() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(500)));
        claudeAnswers("From Claude.");

        chat(ESCALATING)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "large:claude")
                .expectHeader()
                .valueEquals("x-router-escalated", "true")
                .expectHeader()
                .valueEquals("x-router-degraded", "false")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("From Claude.");

        assertThat(calls(OPENAI, "/v1/chat/completions")).isEqualTo(2);
        assertThat(calls(ANTHROPIC, "/v1/messages")).isEqualTo(1);
    }

    @Test
    void should_retry_and_answer_when_the_cloud_rate_limits_once_with_retry_after() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .inScenario("429")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0"))
                .willSetStateTo("cooled down"));
        OPENAI.stubFor(post("/v1/chat/completions")
                .inScenario("429")
                .whenScenarioStateIs("cooled down")
                .willReturn(openAi("After the wait.")));

        chat(ESCALATING)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "large:cloud")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("After the wait.");

        assertThat(calls(OPENAI, "/v1/chat/completions")).isEqualTo(2);
        assertThat(calls(ANTHROPIC, "/v1/messages")).isZero();
    }

    @Test
    void should_fail_over_when_the_cloud_sends_no_headers_before_its_timeout() {
        OPENAI.stubFor(
                post("/v1/chat/completions").willReturn(openAi("too late").withFixedDelay(3_000)));
        claudeAnswers("In time.");

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_answer_504_when_a_stream_sends_no_first_token_in_time() {
        LOCAL.stubFor(post("/slow/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(OpenAiStreams.of("late"))
                        .withChunkedDribbleDelay(2, 3_000)));

        stream("slow", "hello")
                .expectStatus()
                .isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("upstream_timeout")
                .jsonPath("$.error.message")
                .value(String.class, m -> assertThat(m).contains("first token"));
    }

    @Test
    void should_fail_over_when_the_cloud_resets_the_connection() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        claudeAnswers("Still here.");

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_when_the_cloud_sends_an_empty_reply() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        claudeAnswers("Still here.");

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_when_the_cloud_sends_malformed_json() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson("{\"choices\": [ this is not json")));
        claudeAnswers("Well-formed.");

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_a_stream_when_the_cloud_fails_before_its_first_token() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(503)));
        ANTHROPIC.stubFor(post("/v1/messages")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(AnthropicStreams.of("Streamed by Claude."))));

        String body = stream(null, ESCALATING)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "large:claude")
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body)
                .contains("Streamed by Claude.")
                .contains("\"model\":\"claude\"")
                .endsWith("data:[DONE]\n\n");
    }

    @Test
    void should_end_with_an_error_event_and_not_fail_over_when_the_stream_breaks_after_its_first_token() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(OpenAiStreams.chunk("First words") + "data: {broken\n\n")));
        claudeAnswers("never");

        String body = stream(null, ESCALATING)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body).contains("First words").contains("event:error").doesNotContain("[DONE]");
        assertThat(calls(OPENAI, "/v1/chat/completions")).isEqualTo(1);
        assertThat(calls(ANTHROPIC, "/v1/messages")).isZero();
    }

    @Test
    void should_escalate_marked_degraded_when_the_specialist_is_down() {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(openAi("The cloud covers for the helpdesk.")));

        chat(HELPDESK)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-route", "it-helpdesk")
                .expectHeader()
                .valueEquals("x-router-target", "large:cloud")
                .expectHeader()
                .valueEquals("x-router-degraded", "true")
                .expectHeader()
                .valueEquals("x-router-degraded-reason", "specialist-unavailable");
    }

    @Test
    void should_answer_locally_marked_degraded_when_every_large_model_is_down() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(503)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(529)));
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAi("A local best effort.")));

        chat(ESCALATING)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-escalated", "false")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:helpdesk-slm")
                .expectHeader()
                .valueEquals("x-router-degraded", "true")
                .expectHeader()
                .valueEquals("x-router-degraded-reason", "large-models-unavailable")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("A local best effort.");
    }

    @Test
    void should_answer_503_with_retry_after_naming_every_failure_when_everything_is_down() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(500)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(502)));

        chat(ESCALATING)
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader()
                .exists("Retry-After")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("no_model_available")
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message)
                        .contains("large model 'cloud'", "large model 'claude'", "specialist 'helpdesk-slm'"));

        assertThat(calls(OPENAI, "/v1/chat/completions")).isEqualTo(2);
        assertThat(calls(ANTHROPIC, "/v1/messages")).isEqualTo(2);
        assertThat(calls(LOCAL, "/v1/chat/completions")).isEqualTo(2);
    }

    @Test
    void should_stop_calling_an_upstream_once_its_breaker_opens_and_recover_after_the_wait() {
        // given: a specialist whose breaker opens after 2 failed calls out of 2
        LOCAL.stubFor(post("/flaky/v1/chat/completions").willReturn(aResponse().withStatus(500)));
        chatForced("flaky").expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY);
        chatForced("flaky").expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY);
        CircuitBreaker breaker = resilience.circuitBreakers().circuitBreaker("specialist:flaky-slm");
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // when: called while open
        chatForced("flaky")
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader()
                .valueEquals("Retry-After", "30")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("upstream_circuit_open");

        // then: the upstream was not called
        assertThat(calls(LOCAL, "/flaky/v1/chat/completions")).isEqualTo(2);

        // when: the wait is over and the upstream has recovered
        LOCAL.stubFor(post("/flaky/v1/chat/completions").willReturn(openAi("Back.")));
        clock.advance(Duration.ofSeconds(31));
        chatForced("flaky").expectStatus().isOk();

        // then: the half-open probe succeeded and closed the breaker
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(calls(LOCAL, "/flaky/v1/chat/completions")).isEqualTo(3);
    }

    @Test
    void should_report_degraded_health_and_stay_ready_when_a_breaker_is_open() {
        resilience.circuitBreakers().circuitBreaker("specialist:flaky-slm").transitionToOpenState();

        web.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("DEGRADED")
                .jsonPath("$.components.upstreams.status")
                .isEqualTo("DEGRADED")
                .jsonPath("$.components.upstreams.details.circuitBreakers['specialist:flaky-slm'].state")
                .isEqualTo("OPEN")
                .jsonPath("$.components.policies.status")
                .isEqualTo("UP");
        web.get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        web.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(metrics -> assertThat(metrics)
                        .contains(
                                "resilience4j_circuitbreaker_state{name=\"specialist:flaky-slm\",state=\"open\"} 1.0"));
    }

    private WebTestClient.ResponseSpec chat(String text) {
        return send("{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}");
    }

    private WebTestClient.ResponseSpec chatForced(String model) {
        return send("{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    }

    private WebTestClient.ResponseSpec stream(String model, String text) {
        return send("{\"model\": \"" + (model == null ? "auto" : model) + "\", \"stream\": true,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}");
    }

    private WebTestClient.ResponseSpec send(String json) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    private static void claudeAnswers(String text) {
        ANTHROPIC.stubFor(post("/v1/messages")
                .willReturn(okJson(
                        """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-latest",
                 "content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":3,"output_tokens":3}}"""
                                .formatted(text))));
    }

    private static ResponseDefinitionBuilder openAi(String text) {
        return okJson(
                """
                {"id":"c","object":"chat.completion","created":1,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""
                        .formatted(text));
    }

    private static int calls(WireMockServer server, String path) {
        return server.findAll(postRequestedFor(urlEqualTo(path))).size();
    }

    /** OpenAI streaming bodies. */
    static final class OpenAiStreams {
        static String chunk(String text) {
            return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
                    + "\"},\"finish_reason\":null}]}\n\n";
        }

        static String of(String text) {
            return chunk(text) + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                    + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n";
        }
    }

    /** Anthropic streaming bodies. */
    static final class AnthropicStreams {
        static String of(String text) {
            return """
                    event: message_start
                    data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"usage":{"input_tokens":2,"output_tokens":1}}}

                    event: content_block_start
                    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

                    event: content_block_stop
                    data: {"type":"content_block_stop","index":0}

                    event: message_delta
                    data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":4}}

                    event: message_stop
                    data: {"type":"message_stop"}

                    """
                    .formatted(text);
        }
    }
}
