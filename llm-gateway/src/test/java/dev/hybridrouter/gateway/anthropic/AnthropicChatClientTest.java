package dev.hybridrouter.gateway.anthropic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ToolCall;
import dev.hybridrouter.gateway.wire.WireJson;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

class AnthropicChatClientTest {

    @RegisterExtension
    static WireMockExtension anthropic = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final UpstreamHttpClient HTTP = UpstreamHttpClient.ofDefaults();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String TOOL_REQUEST =
            """
            {"model":"auto","messages":[{"role":"system","content":"Be brief."},
              {"role":"user","content":"Weather in Oslo?"}],
             "tools":[{"type":"function","function":{"name":"weather","description":"Weather of a city",
               "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
             "tool_choice":{"type":"function","function":{"name":"weather"}},"parallel_tool_calls":false,
             "max_tokens":300,"user":"u-1"}""";

    @AfterAll
    static void closePool() {
        HTTP.close();
    }

    @Test
    void should_send_tools_and_map_a_tool_call_back() {
        anthropic.stubFor(post("/v1/messages").willReturn(eventStream(toolUseStream())));

        ChatCompletion completion =
                client().complete(request(TOOL_REQUEST), Map.of()).block(TIMEOUT);

        anthropic.verify(postRequestedFor(urlEqualTo("/v1/messages"))
                .withHeader("x-api-key", equalTo("sk-ant"))
                .withRequestBody(matchingJsonPath("$.system[0].text", equalTo("Be brief.")))
                .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("300")))
                .withRequestBody(matchingJsonPath("$.metadata.user_id", equalTo("u-1")))
                .withRequestBody(matchingJsonPath("$.tools[0].name", equalTo("weather")))
                .withRequestBody(matchingJsonPath("$.tools[0].input_schema.required[0]", equalTo("city")))
                .withRequestBody(matchingJsonPath(
                        "$.tool_choice",
                        equalToJson("{\"type\":\"tool\",\"name\":\"weather\",\"disable_parallel_tool_use\":true}"))));
        var choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo("tool_calls");
        ToolCall call = choice.message().toolCalls().get(0);
        assertThat(call.id()).isEqualTo("toolu_1");
        assertThat(call.function().name()).isEqualTo("weather");
        assertThat(WireJson.MAPPER.readTree(call.function().arguments()))
                .isEqualTo(WireJson.MAPPER.readTree("{\"city\":\"Oslo\"}"));
        assertThat(completion.usage().promptTokens()).isEqualTo(25);
    }

    @Test
    void should_stream_a_tool_call_as_openai_tool_call_deltas() {
        anthropic.stubFor(post("/v1/messages").willReturn(eventStream(toolUseStream())));

        List<ChatCompletionChunk> chunks = client().stream(
                        request(TOOL_REQUEST.replace(
                                "{\"model\"",
                                "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"")),
                        Map.of())
                .collectList()
                .block(TIMEOUT);

        List<ToolCall> deltas = chunks.stream()
                .flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().toolCalls())
                .filter(Objects::nonNull)
                .flatMap(List::stream)
                .toList();
        assertThat(deltas.get(0).id()).isEqualTo("toolu_1");
        assertThat(deltas.get(0).function().name()).isEqualTo("weather");
        assertThat(deltas.stream().map(d -> d.function().arguments()).reduce("", String::concat))
                .isEqualTo("{\"city\": \"Oslo\"}");
        assertThat(deltas).allSatisfy(d -> assertThat(d.index()).isZero());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().completionTokens()).isEqualTo(12);
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
                .isEqualTo("tool_calls");
    }

    @Test
    void should_name_every_field_claude_cannot_honour() {
        var request = request(
                """
                {"model":"auto","messages":[{"role":"user","name":"ann","content":"hi"}],"logprobs":true,"seed":1,
                 "presence_penalty":0.1,"response_format":{"type":"json_object"},"n":2,"store":true,"brand_new":1}""");

        assertThat(client().unsupported(request))
                .containsExactlyInAnyOrder(
                        "n",
                        "logprobs",
                        "seed",
                        "store",
                        "brand_new",
                        "messages[0].name",
                        "presence_penalty",
                        "response_format.type=json_object");
        assertThat(client().unsupported(request(TOOL_REQUEST))).isEmpty();
    }

    @Test
    void should_send_a_json_schema_for_structured_answers() {
        anthropic.stubFor(post("/v1/messages").willReturn(eventStream(textStream("{\"a\":1}"))));

        client().complete(
                        request(
                                """
                                {"messages":[{"role":"user","content":"give json"}],
                                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                                   "schema":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}}"""),
                        Map.of())
                .block(TIMEOUT);

        String sent = anthropic.getAllServeEvents().get(0).getRequest().getBodyAsString();
        assertThat(WireJson.MAPPER
                        .readTree(sent)
                        .findValue("schema")
                        .path("properties")
                        .path("a")
                        .path("type")
                        .asString())
                .isEqualTo("integer");
    }

    @Test
    void should_send_the_call_headers_with_whole_and_streamed_calls() {
        anthropic.stubFor(post("/v1/messages").willReturn(eventStream(textStream("hello"))));
        Map<String, String> headers = Map.of(
                "x-request-id", "req-1", "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        ChatClient client = client();

        client.complete(request(TOOL_REQUEST), headers).block(TIMEOUT);
        client.stream(request(TOOL_REQUEST.replace("{\"model\"", "{\"stream\":true,\"model\"")), headers)
                .blockLast(TIMEOUT);
        client.complete(request(TOOL_REQUEST), Map.of()).block(TIMEOUT);

        anthropic.verify(
                2,
                postRequestedFor(urlEqualTo("/v1/messages"))
                        .withHeader("x-request-id", equalTo("req-1"))
                        .withHeader("traceparent", equalTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
        assertThat(anthropic.getAllServeEvents().get(0).getRequest().containsHeader("traceparent"))
                .as("the last call, sent without headers, carries none of the earlier call's")
                .isFalse();
    }

    @Test
    void should_keep_the_wait_claude_asks_for_when_rate_limited() {
        anthropic.stubFor(
                post("/v1/messages")
                        .willReturn(
                                aResponse()
                                        .withStatus(429)
                                        .withHeader("Retry-After", "12")
                                        .withBody(
                                                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}")));

        StepVerifier.create(client().complete(request(TOOL_REQUEST), Map.of()))
                .expectErrorSatisfies(failure -> {
                    UpstreamException upstream = (UpstreamException) failure;
                    assertThat(upstream.kind()).isEqualTo(Kind.RATE_LIMITED);
                    assertThat(upstream.retryAfter()).isEqualTo(Duration.ofSeconds(12));
                    assertThat(upstream).hasMessage("large model 'claude' answered HTTP 429 (rate_limit_error)");
                })
                .verify(TIMEOUT);
    }

    private static ChatClient client() {
        return AnthropicChatClient.create(
                "large model 'claude'",
                anthropic.baseUrl() + "/v1/",
                "claude-3-5-haiku-latest",
                "sk-ant",
                HTTP,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                Clock.systemUTC());
    }

    private static ChatCompletionRequest request(String json) {
        return WireJson.MAPPER.readValue(json, ChatCompletionRequest.class);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder eventStream(String body) {
        return aResponse().withHeader("Content-Type", "text/event-stream").withBody(body);
    }

    static String textStream(String text) {
        return event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}")
                + event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"text_delta\",\"text\":"
                                + WireJson.MAPPER.writeValueAsString(text) + "}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":6}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static String toolUseStream() {
        return event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}")
                + event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{}}}")
                + event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}")
                + event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":12}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }
}
