package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.hybridrouter.router.UpstreamFakes.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.RouterTestSupport;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whatever an OpenAI client sends reaches the model that answers (images too, where the policy keeps no
 * data local: this test policy has a local-only domain, so its requests carry none), and what the model answers comes back:
 * tools and tool calls (whole and streamed), structured outputs, logprobs, sampling parameters, fields the
 * router does not know; with the official OpenAI SDK and LangChain4j agents as callers.
 */
class FidelityIT extends RouterTestSupport {

    private static final String EVERY_FIELD =
            """
            {"model":"cloud",
             "messages":[{"role":"developer","content":"Answer in French."},
               {"role":"user","name":"ann","content":[{"type":"text","text":"Describe it"},
                 {"type":"text","text":"in detail"}]},
               {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"lookup","arguments":"{\\"q\\":\\"cat\\"}"}}]},
               {"role":"tool","tool_call_id":"call_1","content":"a cat"}],
             "tools":[{"type":"function","function":{"name":"lookup","description":"Looks things up",
               "parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]},"strict":true}}],
             "tool_choice":"auto","parallel_tool_calls":false,
             "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object"},"strict":true}},
             "logprobs":true,"top_logprobs":2,"seed":42,"presence_penalty":0.5,"frequency_penalty":0.25,
             "logit_bias":{"50256":-100},"stop":["END"],"max_completion_tokens":300,"temperature":0.3,"top_p":0.9,
             "metadata":{"team":"support"},"store":false,"service_tier":"auto","reasoning_effort":"low",
             "user":"u-1","verbosity":"low","brand_new":{"nested":[1,2.50]}}""";

    private OpenAIClient client;

    @BeforeEach
    void client() {
        client = openAiClient();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void should_forward_every_field_as_the_caller_sent_it_but_the_model_name() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson(completion("ok"))));

        postChat(EVERY_FIELD).expectStatus().isOk();

        // an explicit null of a known field (the assistant's "content": null) goes out as an absent field
        ObjectNode expected = (ObjectNode) withoutNulls(WireJson.MAPPER.readTree(EVERY_FIELD));
        expected.put("model", "gpt-4o-mini");
        OPENAI.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(expected.toString(), false, false)));
        assertThat(OPENAI.getAllServeEvents().get(0).getRequest().getBodyAsString())
                .contains("2.50")
                .doesNotContain("\"max_tokens\"", "\"detail\"");
    }

    @Test
    void should_return_the_answer_as_the_model_gave_it_but_the_model_name() {
        String answer =
                """
                {"id":"chatcmpl-9","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024",
                 "system_fingerprint":"fp_42","service_tier":"default",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
                   "tool_calls":[{"id":"call_7","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"dog\\"}"}}]},
                   "logprobs":{"content":[{"token":"x","logprob":-0.5,"bytes":[120],"top_logprobs":[]}],"refusal":null},
                   "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,
                   "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":0}},
                 "upstream_future_field":{"x":1}}""";
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson(answer)));

        byte[] body = postChat(EVERY_FIELD)
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();

        ObjectNode expected = (ObjectNode) WireJson.MAPPER.readTree(answer);
        expected.put("model", "cloud");
        assertThat(withoutNulls(WireJson.MAPPER.readTree(body))).isEqualTo(withoutNulls(expected));
    }

    @Test
    void should_give_the_sdk_tool_calls_and_logprobs_when_the_model_streams_them() {
        String stream = chunk(
                        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}",
                        null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}", null)
                + chunk("{}", "\"tool_calls\"")
                + "data: [DONE]\n\n";
        LOCAL.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream)));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> chunks = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("it-helpdesk")
                        .addUserMessage("weather in Oslo?")
                        .addTool(Weather.class)
                        .build())) {
            chunks.stream().forEach(accumulator::accumulate);
        }

        ChatCompletion completion = accumulator.chatCompletion();
        ChatCompletionMessageFunctionToolCall call = completion
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.id()).isEqualTo("call_1");
        assertThat(call.function().name()).isEqualTo("weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        LOCAL.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("Weather"))));
    }

    @Test
    void should_carry_a_json_schema_to_the_model_and_its_structured_answer_back_to_the_sdk() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(okJson(completion("{\\\"city\\\":\\\"Oslo\\\",\\\"celsius\\\":4}"))));

        StructuredChatCompletion<Forecast> completion = client.chat()
                .completions()
                .create(StructuredChatCompletionCreateParams.<Forecast>builder()
                        .model("cloud")
                        .addUserMessage("the forecast for Oslo")
                        .responseFormat(Forecast.class)
                        .build());

        Forecast forecast = completion.choices().get(0).message().content().orElseThrow();
        assertThat(forecast.city).isEqualTo("Oslo");
        assertThat(forecast.celsius).isEqualTo(4);
        OPENAI.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
                .withRequestBody(matchingJsonPath("$.response_format.json_schema.schema.properties.celsius")));
    }

    @Test
    void should_bring_logprobs_back_to_the_sdk_when_asked_for() {
        OPENAI.stubFor(
                post("/v1/chat/completions")
                        .willReturn(
                                okJson(
                                        """
                        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                         "message":{"role":"assistant","content":"Hi"},"finish_reason":"stop",
                         "logprobs":{"content":[{"token":"Hi","logprob":-0.125,"bytes":[72,105],
                           "top_logprobs":[{"token":"Hi","logprob":-0.125,"bytes":[72,105]},
                             {"token":"Hey","logprob":-2.5,"bytes":[72,101,121]}]}]}}]}""")));

        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("cloud")
                        .addUserMessage("say hi")
                        .logprobs(true)
                        .topLogprobs(2)
                        .seed(7)
                        .presencePenalty(0.5)
                        .build());

        var token = completion
                .choices()
                .get(0)
                .logprobs()
                .orElseThrow()
                .content()
                .orElseThrow()
                .get(0);
        assertThat(token.token()).isEqualTo("Hi");
        assertThat(token.logprob()).isEqualTo(-0.125);
        assertThat(token.topLogprobs()).hasSize(2);
        OPENAI.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.logprobs", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.top_logprobs", equalTo("2")))
                .withRequestBody(matchingJsonPath("$.seed", equalTo("7")))
                .withRequestBody(matchingJsonPath("$.presence_penalty", equalTo("0.5"))));
    }

    @Test
    void should_run_a_langchain4j_agent_tool_loop_to_its_end_through_an_openai_model() {
        stubAgentLoop(OPENAI);
        Calendar calendar = new Calendar();
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(OpenAiChatModel.builder()
                        .baseUrl(baseUrl())
                        .apiKey("unused")
                        .modelName("cloud")
                        .maxRetries(0)
                        .build())
                .tools(calendar)
                .build();

        String answer = assistant.chat("When is the team meeting?");

        assertThat(answer).isEqualTo("The meeting is on Tuesday.");
        assertThat(calendar.asked).containsExactly("team meeting");
        OPENAI.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("meetingDay")))
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')].content", equalTo("Tuesday"))));
    }

    @Test
    void should_run_a_langchain4j_agent_tool_loop_to_its_end_through_claude() {
        ANTHROPIC.stubFor(post("/v1/messages")
                .atPriority(1)
                .withRequestBody(
                        matchingJsonPath("$.messages[?(@.role == 'user')].content[?(@.type == 'tool_result')]"))
                .willReturn(anthropic(textEvents("The meeting is on Tuesday.", "end_turn"))));
        ANTHROPIC.stubFor(post("/v1/messages").atPriority(2).willReturn(anthropic(toolUseEvents())));
        Calendar calendar = new Calendar();
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(OpenAiChatModel.builder()
                        .baseUrl(baseUrl())
                        .apiKey("unused")
                        .modelName("claude")
                        .maxRetries(0)
                        .build())
                .tools(calendar)
                .build();

        String answer = assistant.chat("When is the team meeting?");

        assertThat(answer).isEqualTo("The meeting is on Tuesday.");
        assertThat(calendar.asked).containsExactly("team meeting");
        ANTHROPIC.verify(postRequestedFor(urlEqualTo("/v1/messages"))
                .withRequestBody(matchingJsonPath("$.tools[0].name", equalTo("meetingDay"))));
    }

    @Test
    void should_mask_personal_data_in_tool_calls_for_the_cloud_and_restore_it_in_the_tool_call_it_answers() {
        OPENAI.stubFor(
                post("/v1/chat/completions")
                        .willReturn(
                                okJson(
                                        """
                        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                         "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function",
                           "function":{"name":"send","arguments":"{\\"to\\":\\"<EMAIL_1>\\"}"}}]},
                         "finish_reason":"tool_calls"}]}""")));

        byte[] body = postChat(
                        """
                        {"model":"cloud","messages":[{"role":"user","content":"mail jane@example.com the notes"},
                          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                            "function":{"name":"find","arguments":"{\\"who\\":\\"jane@example.com\\"}"}}]},
                          {"role":"tool","tool_call_id":"call_1","content":"found jane@example.com, IBAN DE89370400440532013000"}],
                         "tools":[{"type":"function","function":{"name":"send","description":"Sends mail"}}]}""")
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();

        String sent = OPENAI.getAllServeEvents().get(0).getRequest().getBodyAsString();
        assertThat(sent)
                .doesNotContain("jane@example.com", "DE89370400440532013000")
                .contains("<EMAIL_1>", "<IBAN_1>");
        JsonNode answer = WireJson.MAPPER.readTree(body);
        assertThat(answer.at("/choices/0/message/tool_calls/0/function/arguments")
                        .asString())
                .isEqualTo("{\"to\":\"jane@example.com\"}");
    }

    @Test
    void should_restore_a_placeholder_split_across_streamed_tool_call_deltas() {
        String stream = chunk(
                        "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"send\",\"arguments\":\"{\\\"to\\\":\\\"<EMA\"}}]}",
                        null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"IL_1>\\\"}\"}}]}", null)
                + chunk("{}", "\"tool_calls\"")
                + "data: [DONE]\n\n";
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(aResponse()
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(stream)));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> chunks = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("cloud")
                        .addUserMessage("mail jane@example.com")
                        .addTool(Weather.class)
                        .build())) {
            chunks.stream().forEach(accumulator::accumulate);
        }

        assertThat(accumulator
                        .chatCompletion()
                        .choices()
                        .get(0)
                        .message()
                        .toolCalls()
                        .orElseThrow()
                        .get(0)
                        .asFunction()
                        .function()
                        .arguments())
                .isEqualTo("{\"to\":\"jane@example.com\"}");
    }

    @Test
    void should_let_the_sdk_retrieve_the_auto_model() {
        var model = client.models().retrieve("auto");

        assertThat(model.id()).isEqualTo("auto");
        assertThat(model.ownedBy()).isEqualTo("hybrid-router");
    }

    @Test
    void should_send_the_callers_request_id_upstream_and_back() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(okJson(completion("ok"))));

        web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .header("x-request-id", "trace-123")
                .bodyValue("{\"model\":\"cloud\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-request-id", "trace-123");

        OPENAI.verify(
                postRequestedFor(urlEqualTo("/v1/chat/completions")).withHeader("x-request-id", equalTo("trace-123")));
    }

    /** A tool for the SDK's tool helper: its class name and fields become the function and its parameters. */
    static final class Weather {
        public String city;
    }

    /** A structured answer for the SDK's structured-output helper. */
    static final class Forecast {
        public String city;
        public int celsius;
    }

    interface Assistant {
        String chat(String question);
    }

    /** The agent's tool; remembers what it was asked. */
    static final class Calendar {
        final List<String> asked = new ArrayList<>();

        @Tool("The weekday of a meeting")
        String meetingDay(String meeting) {
            asked.add(meeting);
            return "Tuesday";
        }
    }

    private static void stubAgentLoop(WireMockServer server) {
        server.stubFor(post("/v1/chat/completions")
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')]"))
                .willReturn(okJson(completion("The meeting is on Tuesday."))));
        server.stubFor(
                post("/v1/chat/completions")
                        .atPriority(2)
                        .willReturn(
                                okJson(
                                        """
                        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                         "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                           "function":{"name":"meetingDay","arguments":"{\\"meeting\\":\\"team meeting\\"}"}}]},
                         "finish_reason":"tool_calls"}]}""")));
    }

    private static String completion(String content) {
        return """
                {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                 "message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""
                .formatted(content);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder anthropic(String events) {
        return aResponse().withHeader("Content-Type", "text/event-stream").withBody(events);
    }

    private static String toolUseEvents() {
        return event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
                + event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"meetingDay\",\"input\":{}}}")
                + event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"meeting\\\": \\\"team meeting\\\"}\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    private static String textEvents(String text, String stopReason) {
        return event(
                        "message_start",
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,"
                                + "\"usage\":{\"input_tokens\":30,\"output_tokens\":1}}}")
                + event(
                        "content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,"
                                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":6}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static JsonNode withoutNulls(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = WireJson.MAPPER.createObjectNode();
            node.properties().forEach(property -> {
                if (!property.getValue().isNull()) {
                    copy.set(property.getKey(), withoutNulls(property.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            var copy = WireJson.MAPPER.createArrayNode();
            node.forEach(element -> copy.add(withoutNulls(element)));
            return copy;
        }
        return node;
    }
}
