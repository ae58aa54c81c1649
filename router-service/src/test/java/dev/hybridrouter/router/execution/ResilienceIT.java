package dev.hybridrouter.router.execution;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.hybridrouter.router.UpstreamFakes.anthropicMessage;
import static dev.hybridrouter.router.UpstreamFakes.anthropicStream;
import static dev.hybridrouter.router.UpstreamFakes.openAiChunk;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.hybridrouter.router.RouterTestSupport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

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
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("From Claude.")));

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
    void should_wait_the_retry_after_the_cloud_asks_for_then_answer_when_it_rate_limits_once() {
        long started = System.nanoTime();

        OPENAI.stubFor(post("/v1/chat/completions")
                .inScenario("429")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("cooled down"));
        OPENAI.stubFor(post("/v1/chat/completions")
                .inScenario("429")
                .whenScenarioStateIs("cooled down")
                .willReturn(openAiCompletion("After the wait.")));

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
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void should_fail_over_when_the_cloud_sends_no_headers_before_its_timeout() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(openAiCompletion("too late").withFixedDelay(6_000)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("In time.")));

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_answer_504_when_a_stream_sends_no_first_token_in_time() {
        LOCAL.stubFor(post("/slow/v1/chat/completions")
                .willReturn(openAiStream(1, 1, "late").withChunkedDribbleDelay(2, 3_000)));

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
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("Still here.")));

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_when_the_cloud_sends_an_empty_reply() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("Still here.")));

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_when_the_cloud_sends_malformed_json() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson("{\"choices\": [ this is not json")));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("Well-formed.")));

        chat(ESCALATING).expectStatus().isOk().expectHeader().valueEquals("x-router-target", "large:claude");
    }

    @Test
    void should_fail_over_a_stream_when_the_cloud_fails_before_its_first_token() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(503)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicStream("Streamed by Claude.")));

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
                        .withBody(openAiChunk("First words") + "data: {broken\n\n")));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicMessage("never")));

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
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("The cloud covers for the helpdesk.")));

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
    void should_answer_from_the_fallback_specialist_when_the_specialist_fails() {
        LOCAL.stubFor(post("/slow/v1/chat/completions").willReturn(aResponse().withStatus(500)));
        OLLAMA.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("The fallback answers.")));

        postChat("{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\": \"a slow question\"}]}")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-route", "slow")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:hr-slm")
                .expectHeader()
                .valueEquals("x-router-degraded", "false")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("The fallback answers.");

        assertThat(OPENAI.getAllServeEvents()).isEmpty();
    }

    @Test
    void should_answer_locally_marked_degraded_when_every_large_model_is_down() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(503)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(529)));
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("A local best effort.")));

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
                .valueEquals("Retry-After", "10")
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
        LOCAL.stubFor(post("/flaky/v1/chat/completions").willReturn(openAiCompletion("Back.")));
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

    @Test
    void should_end_a_stream_that_stalls_after_its_first_token_with_an_error_event_at_its_timeout() {
        long started = System.nanoTime();
        String body = stream("stall", "hello")
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(body).contains("Hel", "event:error", "upstream_timeout", "within its timeout of 1 s");
        assertThat(body).doesNotContain("[DONE]");
    }

    @Test
    void should_answer_503_upstream_busy_without_counting_it_when_the_bulkhead_is_full() {
        LOCAL.stubFor(post("/busy/v1/chat/completions")
                .willReturn(openAiCompletion("slow").withFixedDelay(3_000)));
        Mono<?> held = hold("busy-slm", "busy");

        chatForced("busy-slm")
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader()
                .valueEquals("Retry-After", "1")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("upstream_busy");

        assertThat(resilience
                        .circuitBreakers()
                        .circuitBreaker("specialist:busy-slm")
                        .getMetrics()
                        .getNumberOfFailedCalls())
                .isZero();
        held.block(Duration.ofSeconds(10));
    }

    @Test
    void should_fail_over_to_the_fallback_specialist_when_the_bulkhead_is_full() {
        LOCAL.stubFor(post("/busy/v1/chat/completions")
                .willReturn(openAiCompletion("slow").withFixedDelay(3_000)));
        OLLAMA.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("The fallback answers.")));
        Mono<?> held = hold("busy-slm", "busy");

        chat("a busy question")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "specialist:hr-slm")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("The fallback answers.");
        held.block(Duration.ofSeconds(10));
    }

    @Test
    void
            should_keep_a_specialists_own_places_free_when_degraded_traffic_from_a_downed_cloud_fills_its_failover_places() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(503)));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(aResponse().withStatus(503)));
        LOCAL.stubFor(post("/busy/v1/chat/completions")
                .atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("hold"))
                .willReturn(openAiCompletion("degraded, slowly").withFixedDelay(3_000)));
        LOCAL.stubFor(post("/busy/v1/chat/completions").atPriority(2).willReturn(openAiCompletion("own traffic")));
        Mono<?> held = hold("auto", "unsure:busy hold");

        chat("a busy question")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "specialist:busy-slm")
                .expectHeader()
                .valueEquals("x-router-degraded", "false");
        chat("unsure:busy again")
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message)
                        .contains("specialist 'busy-slm' has as many calls in flight as it allows"));
        held.block(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 413, 422})
    void should_answer_400_without_failing_over_or_counting_it_when_the_upstream_rejects_the_request(int status) {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(status)));

        chat(HELPDESK)
                .expectStatus()
                .isEqualTo(HttpStatus.BAD_REQUEST)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("upstream_rejected_request");

        assertThat(calls(LOCAL, "/v1/chat/completions")).isEqualTo(1);
        assertThat(calls(OPENAI, "/v1/chat/completions")).isZero();
        assertThat(resilience
                        .circuitBreakers()
                        .circuitBreaker("specialist:helpdesk-slm")
                        .getMetrics()
                        .getNumberOfFailedCalls())
                .isZero();
    }

    @ParameterizedTest
    @CsvSource({"408, 504, upstream_timeout", "504, 504, upstream_timeout", "403, 502, upstream_auth_failed"})
    void should_map_the_upstreams_status_to_what_it_means_for_the_caller(int upstream, int caller, String code) {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(aResponse().withStatus(upstream)));

        chatForced("helpdesk-slm")
                .expectStatus()
                .isEqualTo(caller)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo(code);
    }

    /**
     * Sends a request that the fake holds open, and returns once the fake has it.
     *
     * @return its answer, to wait for before the test ends, so that it holds nothing in the next test
     */
    private Mono<?> hold(String model, String text) {
        int before = LOCAL.getAllServeEvents().size();
        Mono<?> answer = WebClient.create("http://localhost:" + port)
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + text
                        + "\"}]}")
                .exchangeToMono(response -> response.releaseBody())
                .cache();
        answer.subscribe(done -> {}, failure -> {});
        await().atMost(Duration.ofSeconds(10))
                .until(() -> LOCAL.getAllServeEvents().size() > before);
        return answer;
    }

    private WebTestClient.ResponseSpec chat(String text) {
        return postChat("{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}");
    }

    private WebTestClient.ResponseSpec chatForced(String model) {
        return postChat("{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    }

    private WebTestClient.ResponseSpec stream(String model, String text) {
        return postChat("{\"model\": \"" + (model == null ? "auto" : model) + "\", \"stream\": true,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}");
    }
}
