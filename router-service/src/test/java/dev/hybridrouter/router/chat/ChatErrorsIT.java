package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hybridrouter.router.UpstreamFakes.chunk;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.hybridrouter.router.RouterTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Bad requests and failing upstreams: always OpenAI's error JSON with the right status, never a 500. */
class ChatErrorsIT extends RouterTestSupport {

    @Test
    void should_answer_400_when_the_body_is_not_json() {
        expectError(
                postChat("{\"model\": \"auto\", \"messages\": ["),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                null,
                null,
                "not valid JSON");
    }

    @Test
    void should_answer_400_when_the_body_is_empty() {
        expectError(
                web.post()
                        .uri("/v1/chat/completions")
                        .contentType(MediaType.APPLICATION_JSON)
                        .exchange(),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                null,
                null,
                "empty");
    }

    @Test
    void should_answer_400_naming_messages_when_they_are_missing() {
        expectError(
                postChat("{\"model\": \"auto\"}"),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages",
                null,
                "messages");
    }

    @Test
    void should_answer_400_naming_messages_when_they_are_empty() {
        expectError(
                postChat("{\"model\": \"auto\", \"messages\": []}"),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages",
                null,
                "non-empty array");
    }

    @Test
    void should_answer_400_naming_the_field_when_a_type_is_wrong() {
        expectError(
                postChat(
                        """
                {"model": "auto", "temperature": "hot", "messages": [{"role": "user", "content": "hi"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "temperature",
                null,
                "temperature");
    }

    @Test
    void should_answer_400_naming_the_field_when_a_value_is_out_of_range() {
        expectError(
                postChat(
                        """
                {"model": "auto", "top_p": 3, "messages": [{"role": "user", "content": "hi"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "top_p",
                null,
                "top_p");
    }

    @Test
    void should_answer_400_naming_the_message_when_its_role_is_unknown() {
        expectError(
                postChat(
                        """
                {"model": "auto", "messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "x"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages[1].role",
                null,
                "Invalid role 'robot'");
    }

    @Test
    void should_answer_400_when_a_message_has_no_content() {
        expectError(
                postChat("""
                {"model": "auto", "messages": [{"role": "user"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages[0].content",
                null,
                "missing");
    }

    @Test
    void should_answer_400_naming_the_fields_a_model_cannot_honour() {
        expectError(
                postChat(
                        """
                {"model": "claude", "n": 2, "logprobs": true, "messages": [{"role": "user", "content": "hi"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "n",
                "unsupported_parameter",
                "large model 'claude' cannot honour n, logprobs");
        assertThat(calls(ANTHROPIC, "/v1/messages")).isZero();
    }

    @Test
    void should_answer_400_when_a_key_appears_twice() {
        expectError(
                postChat(
                        """
                {"model": "auto", "model": "cloud", "messages": [{"role": "user", "content": "hi"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                null,
                null,
                "the key 'model' twice");
        assertThat(calls(OPENAI, "/v1/chat/completions")).isZero();
    }

    @Test
    void should_answer_400_naming_the_tool_call_when_it_is_null() {
        expectError(
                postChat(
                        """
                {"model": "auto", "messages": [{"role": "assistant", "tool_calls": [null]},
                  {"role": "user", "content": "hi"}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages[0].tool_calls[0]",
                null,
                "needs an id and a function name");
    }

    @Test
    void should_name_the_json_type_expected_when_a_field_has_the_wrong_type() {
        expectError(
                postChat("""
                {"model": "auto", "messages": {"role": "user", "content": "hi"}}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages",
                null,
                "Invalid type for 'messages': expected an array");
        expectError(
                postChat("""
                {"model": "auto", "messages": [{"role": "user", "content": 7}]}"""),
                HttpStatus.BAD_REQUEST,
                "invalid_request_error",
                "messages[0].content",
                null,
                "expected a string or an array of content parts");
    }

    @Test
    void should_answer_413_when_the_body_is_over_the_limit() {
        String big = "x".repeat(70 * 1024);
        expectError(
                postChat("{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\": \"" + big + "\"}]}"),
                HttpStatus.CONTENT_TOO_LARGE,
                "invalid_request_error",
                null,
                "request_too_large",
                "router.limits.max-request-size");
    }

    @Test
    void should_answer_415_when_the_body_is_not_json_typed() {
        expectError(
                web.post()
                        .uri("/v1/chat/completions")
                        .contentType(MediaType.TEXT_PLAIN)
                        .bodyValue("hello")
                        .exchange(),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "invalid_request_error",
                null,
                null,
                "application/json");
    }

    @Test
    void should_answer_404_model_not_found_when_the_model_is_unknown() {
        expectError(
                postChat("""
                {"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}"""),
                HttpStatus.NOT_FOUND,
                "invalid_request_error",
                "model",
                "model_not_found",
                "'gpt-9' does not exist");
    }

    @Test
    void should_ignore_unknown_fields_when_the_request_is_otherwise_valid() {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("fine", 1, 1)));
        postChat(
                        """
                {"model": "it-helpdesk", "seed": 7, "logprobs": false, "future_field": {"a": 1},
                 "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}], "extra": true}]}""")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("fine");
    }

    @Test
    void should_answer_502_naming_the_upstream_when_it_rejects_the_api_key() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse().withStatus(401).withBody("{\"error\":{\"message\":\"Incorrect API key\"}}")));
        expectError(
                postChat(userMessage("cloud")),
                HttpStatus.BAD_GATEWAY,
                "server_error",
                null,
                "upstream_auth_failed",
                "large model 'cloud' rejected the router's credentials");
    }

    @Test
    void should_answer_429_with_retry_after_when_the_upstream_rate_limits() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "17")
                        .withBody("{\"error\":{\"message\":\"slow down\"}}")));
        expectError(
                        postChat(userMessage("cloud")),
                        HttpStatus.TOO_MANY_REQUESTS,
                        "rate_limit_error",
                        null,
                        "upstream_rate_limited",
                        "large model 'cloud' answered HTTP 429")
                .expectHeader()
                .valueEquals("Retry-After", "17");
    }

    @Test
    void should_answer_502_when_the_upstream_fails() {
        LOCAL.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse().withStatus(503).withBody("overloaded")));
        expectError(
                        postChat(userMessage("it-helpdesk")),
                        HttpStatus.BAD_GATEWAY,
                        "server_error",
                        null,
                        "upstream_error",
                        "specialist 'helpdesk-slm' answered HTTP 503")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:helpdesk-slm");
    }

    @Test
    void should_answer_504_when_the_upstream_is_slower_than_its_timeout() {
        LOCAL.stubFor(post("/slow/v1/chat/completions")
                .willReturn(openAiCompletion("too late", 1, 1).withFixedDelay(5_000)));
        expectError(
                postChat(userMessage("slow")),
                HttpStatus.GATEWAY_TIMEOUT,
                "server_error",
                null,
                "upstream_timeout",
                "specialist 'slow-slm'");
    }

    @Test
    void should_answer_502_naming_the_backend_when_it_cannot_be_reached() {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        expectError(
                postChat(userMessage("it-helpdesk")),
                HttpStatus.BAD_GATEWAY,
                "server_error",
                null,
                "upstream_unreachable",
                "specialist 'helpdesk-slm' cannot be reached");
    }

    @Test
    void should_answer_503_naming_the_missing_key_when_a_large_model_has_none() {
        expectError(
                postChat(userMessage("keyless")),
                HttpStatus.SERVICE_UNAVAILABLE,
                "server_error",
                null,
                "upstream_not_configured",
                "environment variable HYBRID_ROUTER_TEST_UNSET_KEY");
    }

    @Test
    void should_answer_with_an_error_status_when_a_stream_fails_before_its_first_token() {
        LOCAL.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse().withStatus(500).withBody("boom")));
        expectError(
                postChat(streamingUserMessage("it-helpdesk")),
                HttpStatus.BAD_GATEWAY,
                "server_error",
                null,
                "upstream_error",
                "answered HTTP 500");
    }

    @Test
    void should_end_the_stream_with_an_error_event_when_the_upstream_fails_mid_stream() {
        LOCAL.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(
                                chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", null) + "data: {not json\n\n")));

        String body = postChat(streamingUserMessage("it-helpdesk"))
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body).contains("\"content\":\"Hel\"");
        assertThat(body).contains("event:error");
        assertThat(body).containsPattern("\"error\":\\{\"message\":\"[^\"]+\",\"type\":\"server_error\"");
        assertThat(body).doesNotContain("[DONE]");
    }

    private static String userMessage(String model) {
        return "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}";
    }

    private static String streamingUserMessage(String model) {
        return "{\"model\": \"" + model
                + "\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}";
    }

    private static WebTestClient.ResponseSpec expectError(
            WebTestClient.ResponseSpec response,
            HttpStatus status,
            String type,
            String param,
            String code,
            String messagePart) {
        var body = response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo(type)
                .jsonPath("$.error.message")
                .value(String.class, message -> assertThat(message).contains(messagePart));
        if (param == null) {
            body.jsonPath("$.error.param").isEmpty();
        } else {
            body.jsonPath("$.error.param").isEqualTo(param);
        }
        if (code == null) {
            body.jsonPath("$.error.code").isEmpty();
        } else {
            body.jsonPath("$.error.code").isEqualTo(code);
        }
        body.jsonPath("$.error").value(java.util.Map.class, error -> assertThat(error)
                .containsOnlyKeys("message", "type", "param", "code"));
        body.jsonPath("$.error.message").value(String.class, message -> assertThat(message)
                .doesNotContain("http://", "java.", "dev.hybridrouter", "Exception"));
        return response;
    }
}
