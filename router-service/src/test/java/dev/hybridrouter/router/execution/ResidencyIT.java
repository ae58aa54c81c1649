package dev.hybridrouter.router.execution;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.hybridrouter.router.RouterTestSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The resilience faults again, with a local-only domain ({@code records}): whatever the local specialist
 * does, no request reaches any large model, and the caller is told clearly why nothing answered.
 */
class ResidencyIT extends RouterTestSupport {

    private static final String RECORDS = "summarise these patient records";

    @BeforeEach
    void largeModelsWouldAnswer() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson("{}")));
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(okJson("{}")));
    }

    @AfterEach
    void noRequestReachedALargeModel() {
        assertThat(OPENAI.getAllServeEvents()).isEmpty();
        assertThat(ANTHROPIC.getAllServeEvents()).isEmpty();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("500", aResponse().withStatus(500)),
                Arguments.of("429 with Retry-After", aResponse().withStatus(429).withHeader("Retry-After", "1")),
                Arguments.of("timeout before headers", okJson("{}").withFixedDelay(3_000)),
                Arguments.of("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
                Arguments.of("empty reply", aResponse().withFault(Fault.EMPTY_RESPONSE)),
                Arguments.of("malformed JSON", okJson("{\"choices\": [ nope")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void should_answer_503_local_only_and_never_escalate_when_the_local_specialist_fails(
            String fault, ResponseDefinitionBuilder response) {
        LOCAL.stubFor(post("/records/v1/chat/completions").willReturn(response));

        chat(RECORDS, false)
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader()
                .valueEquals("x-router-residency", "local-only")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("local_only")
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message)
                        .contains("must stay on local models", "'records'", "specialist 'records-slm'"));
    }

    @ParameterizedTest(name = "streaming, {0}")
    @MethodSource("faults")
    void should_never_escalate_a_local_only_stream_when_the_local_specialist_fails(
            String fault, ResponseDefinitionBuilder response) {
        LOCAL.stubFor(post("/records/v1/chat/completions").willReturn(response));

        chat(RECORDS, true)
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("local_only");
    }

    @Test
    void should_never_escalate_when_the_local_specialist_breaker_is_open() {
        resilience.circuitBreakers().circuitBreaker("specialist:records-slm").transitionToOpenState();

        chat(RECORDS, false)
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("local_only");
        assertThat(LOCAL.getAllServeEvents()).isEmpty();
    }

    @Test
    void should_keep_the_request_local_when_only_an_earlier_turn_is_local_only() {
        LOCAL.stubFor(
                post("/records/v1/chat/completions")
                        .willReturn(
                                okJson(
                                        """
                {"id":"c","object":"chat.completion","created":1,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Kept local."},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""")));

        postChat(
                        """
                {"model": "auto", "messages": [
                  {"role": "user", "content": "here are the patient records of Ms Smith"},
                  {"role": "assistant", "content": "Noted."},
                  {"role": "user", "content": "now write a sonnet about it"}]}""")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-residency", "local-only")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:records-slm")
                .expectHeader()
                .valueEquals("x-router-escalated", "false");
    }

    @Test
    void should_refuse_a_forced_large_model_when_the_conversation_is_local_only() {
        postChat("""
                {"model": "cloud", "messages": [{"role": "user", "content": "%s"}]}"""
                        .formatted(RECORDS))
                .expectStatus()
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("local_only")
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message).contains("was not sent to large model 'cloud'"));
    }

    private WebTestClient.ResponseSpec chat(String text, boolean stream) {
        return postChat("{\"model\": \"auto\", \"stream\": " + stream
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}");
    }
}
