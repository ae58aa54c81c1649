package dev.hybridrouter.gateway.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

class OpenAiCompatibleChatClientTest {

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final UpstreamHttpClient HTTP = UpstreamHttpClient.ofDefaults();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String REQUEST =
            """
            {"model":"auto","messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}}],
             "tool_choice":"required","logprobs":true,"top_logprobs":2,"seed":7,"max_completion_tokens":50,
             "response_format":{"type":"json_object"},"brand_new_field":{"kept":[1.50]}}""";

    @AfterAll
    static void closePool() {
        HTTP.close();
    }

    @Test
    void should_forward_the_request_as_it_came_but_for_the_model() {
        upstream.stubFor(post("/v1/chat/completions").willReturn(okJson(answer("hello"))));

        client().complete(request(REQUEST), Map.of()).block(TIMEOUT);

        upstream.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-test"))
                .withRequestBody(
                        equalToJson(REQUEST.replace("\"model\":\"auto\"", "\"model\":\"qwen2.5\""), false, false)));
        String sent = upstream.getAllServeEvents().get(0).getRequest().getBodyAsString();
        assertThat(sent).contains("1.50").doesNotContain("max_tokens\"");
    }

    @Test
    void should_send_the_call_headers_with_whole_and_streamed_calls() {
        upstream.stubFor(post("/v1/chat/completions")
                .withHeader("Accept", equalTo("application/json"))
                .willReturn(okJson(answer("hello"))));
        upstream.stubFor(post("/v1/chat/completions")
                .withHeader("Accept", equalTo("text/event-stream"))
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(chunk("{\"content\":\"hi\"}", "\"stop\"") + "data: [DONE]\n\n")));
        Map<String, String> headers = Map.of(
                "x-request-id", "req-1",
                "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "tracestate", "vendor=opaque");

        client().complete(request(REQUEST), headers).block(TIMEOUT);
        client().stream(request(REQUEST.replace("{\"model\"", "{\"stream\":true,\"model\"")), headers)
                .blockLast(TIMEOUT);

        upstream.verify(
                2,
                postRequestedFor(urlEqualTo("/v1/chat/completions"))
                        .withHeader("x-request-id", equalTo("req-1"))
                        .withHeader("traceparent", equalTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                        .withHeader("tracestate", equalTo("vendor=opaque")));
    }

    @Test
    void should_pass_the_answer_through_with_tool_calls_logprobs_and_fields_it_does_not_know() {
        String answer =
                """
                {"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"qwen2.5","system_fingerprint":"fp_9",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,
                   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                   "logprobs":{"content":[{"token":"x","logprob":-0.5,"bytes":[120],"top_logprobs":[]}]},
                   "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7},"upstream_extra":true}""";
        upstream.stubFor(post("/v1/chat/completions").willReturn(okJson(answer)));

        ChatCompletion completion =
                client().complete(request(REQUEST), Map.of()).block(TIMEOUT);

        assertThat(completion.systemFingerprint()).isEqualTo("fp_9");
        assertThat(completion
                        .choices()
                        .get(0)
                        .message()
                        .toolCalls()
                        .get(0)
                        .function()
                        .arguments())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(completion.choices().get(0).logprobs().content().get(0).logprob())
                .isEqualTo(-0.5);
        assertThat(completion.extra()).containsKey("upstream_extra");
    }

    @Test
    void should_stream_chunks_as_they_come_tool_call_deltas_included() {
        String stream = chunk(
                        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}",
                        "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", "null")
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}", "null")
                + chunk("{}", "\"tool_calls\"")
                + "data: [DONE]\n\n";
        upstream.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream)));

        List<ChatCompletionChunk> chunks = client().stream(
                        request(REQUEST.replace("{\"model\"", "{\"stream\":true,\"model\"")), Map.of())
                .collectList()
                .block(TIMEOUT);

        assertThat(chunks).hasSize(4);
        assertThat(chunks.get(0).choices().get(0).delta().toolCalls().get(0).id())
                .isEqualTo("call_1");
        assertThat(chunks.get(1)
                        .choices()
                        .get(0)
                        .delta()
                        .toolCalls()
                        .get(0)
                        .function()
                        .arguments())
                .isEqualTo("{\"city\":");
        assertThat(chunks.get(3).choices().get(0).finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void should_name_what_failed_without_the_url_or_the_upstream_body() {
        upstream.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withStatus(400)
                        .withBody("{\"error\":{\"message\":\"your prompt 'secret' is too long\","
                                + "\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}")));

        StepVerifier.create(client().complete(request(REQUEST), Map.of()))
                .expectErrorSatisfies(failure -> assertThat(failure)
                        .isInstanceOf(UpstreamException.class)
                        .hasMessage(
                                "specialist 'local' answered HTTP 400 (invalid_request_error: context_length_exceeded)")
                        .extracting(f -> ((UpstreamException) f).kind())
                        .isEqualTo(Kind.REJECTED))
                .verify(TIMEOUT);
    }

    @Test
    void should_keep_the_wait_a_rate_limited_upstream_asks_for() {
        upstream.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        StepVerifier.create(client().complete(request(REQUEST), Map.of()))
                .expectErrorSatisfies(failure -> {
                    UpstreamException upstreamFailure = (UpstreamException) failure;
                    assertThat(upstreamFailure.kind()).isEqualTo(Kind.RATE_LIMITED);
                    assertThat(upstreamFailure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                })
                .verify(TIMEOUT);
    }

    @Test
    void should_tell_apart_auth_server_and_malformed_failures() {
        expectKind(aResponse().withStatus(401), Kind.AUTH);
        expectKind(aResponse().withStatus(503), Kind.UNAVAILABLE);
        expectKind(aResponse().withStatus(504), Kind.TIMEOUT);
        expectKind(aResponse().withStatus(200).withBody("<html>gateway</html>"), Kind.MALFORMED);
        expectKind(aResponse().withStatus(200).withBody(""), Kind.MALFORMED);
        expectKind(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), Kind.UNREACHABLE);
    }

    @Test
    void should_say_when_nothing_listens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var client = new OpenAiCompatibleChatClient(
                "specialist 'local'", "http://127.0.0.1:" + port + "/v1", "qwen2.5", null, HTTP, Duration.ofSeconds(2));

        StepVerifier.create(client.complete(request(REQUEST), Map.of()))
                .expectErrorSatisfies(failure -> assertThat(failure)
                        .hasMessage("specialist 'local' cannot be reached: connection refused (is it running?)"))
                .verify(TIMEOUT);
    }

    @Test
    void should_fail_a_stream_that_breaks_off_before_the_answer_finished() {
        upstream.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(chunk("{\"content\":\"Hel\"}", "null"))));

        StepVerifier.create(client().stream(request(REQUEST), Map.of()))
                .expectNextCount(1)
                .expectErrorSatisfies(failure ->
                        assertThat(failure).hasMessageContaining("ended the stream before the answer was complete"))
                .verify(TIMEOUT);
    }

    @Test
    void should_fail_a_stream_whose_upstream_reports_an_error_mid_answer() {
        upstream.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(chunk("{\"content\":\"Hel\"}", "null")
                                + "data: {\"error\":{\"message\":\"prompt text\",\"type\":\"server_error\"}}\n\n")));

        StepVerifier.create(client().stream(request(REQUEST), Map.of()))
                .expectNextCount(1)
                .expectErrorSatisfies(failure ->
                        assertThat(failure).hasMessage("specialist 'local' failed while answering (server_error)"))
                .verify(TIMEOUT);
    }

    private void expectKind(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response, Kind kind) {
        upstream.resetAll();
        upstream.stubFor(post("/v1/chat/completions").willReturn(response));
        StepVerifier.create(client().complete(request(REQUEST), Map.of()))
                .expectErrorSatisfies(failure -> assertThat(((UpstreamException) failure).kind())
                        .as(failure.getMessage())
                        .isEqualTo(kind))
                .verify(TIMEOUT);
    }

    private static OpenAiCompatibleChatClient client() {
        return new OpenAiCompatibleChatClient(
                "specialist 'local'", upstream.baseUrl() + "/v1/", "qwen2.5", "sk-test", HTTP, Duration.ofSeconds(2));
    }

    private static ChatCompletionRequest request(String json) {
        return WireJson.MAPPER.readValue(json, ChatCompletionRequest.class);
    }

    private static String answer(String content) {
        return """
                {"id":"c","object":"chat.completion","created":1,"model":"m",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}]}"""
                .formatted(content);
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}\n\n";
    }
}
