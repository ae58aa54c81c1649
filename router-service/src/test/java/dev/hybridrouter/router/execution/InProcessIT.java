package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.specialists.inprocess.TinyLlamaModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Specialists running inside the router, on the real llama.cpp through JNI: a tiny GGUF model the tests
 * write themselves, shared by two specialists, answers the official OpenAI SDK whole and streamed; what the
 * engine cannot do gets the 400 naming it; a specialist whose file is missing answers 503 naming the file,
 * while health says which model failed and the other specialists keep serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class InProcessIT {

    private static final Path DIRECTORY = directory();
    private static final Path MODEL = TinyLlamaModel.ofDefaults().writeTo(DIRECTORY, "tiny.gguf");
    private static final Path MISSING = DIRECTORY.resolve("missing.gguf");

    @LocalServerPort
    int port;

    @Autowired
    WebTestClient web;

    OpenAIClient client;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        write(DIRECTORY.resolve("default.yaml"), policy());
        registry.add(
                "router.policies.location",
                () -> DIRECTORY.resolve("default.yaml").toString());
    }

    @BeforeEach
    void ready() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl("http://localhost:" + port + "/v1")
                .apiKey("unused")
                .maxRetries(0)
                .build();
        web = web.mutate().responseTimeout(Duration.ofSeconds(60)).build();
        await().atMost(Duration.ofSeconds(60)).until(() -> modelState(MODEL).equals("READY"));
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void should_answer_from_the_model_in_process_when_the_sdk_names_its_domain() {
        // when
        ChatCompletion completion = client.chat().completions().create(request("helpdesk"));

        // then
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content())
                .hasValueSatisfying(text -> assertThat(text).isNotEmpty());
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.model()).isEqualTo("helpdesk-slm");
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);
        assertThat(completion.usage().orElseThrow().promptTokens()).isPositive();
    }

    @Test
    void should_stream_the_same_answer_token_by_token_for_the_same_seed() {
        // given
        String whole = client.chat()
                .completions()
                .create(request("hr"))
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        int chunks = 0;

        // when
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(request("hr"))) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                accumulator.accumulate(chunk);
                chunks++;
            }
        }

        // then
        assertThat(accumulator.chatCompletion().choices().get(0).message().content())
                .hasValue(whole);
        assertThat(chunks).isGreaterThan(6);
    }

    @Test
    void repro_many_streams() {
        WebTestClient quick =
                web.mutate().responseTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 400; i++) {
            String body = quick.post()
                    .uri("/v1/chat/completions")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"model\":\"helpdesk\",\"stream\":true,\"seed\":" + i
                            + ",\"max_tokens\":" + (1 + i % 9)
                            + ",\"stream_options\":{\"include_usage\":true},"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"my laptop will not start " + i + "\"}]}")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .returnResult(String.class)
                    .getResponseBody()
                    .collectList()
                    .block(Duration.ofSeconds(10))
                    .toString();

            // then
            assertThat(body).as("request " + i).contains("[DONE]");
        }
    }

    @Test
    void should_share_one_loaded_model_between_the_specialists_naming_its_file() {
        // when
        JsonNode models =
                health().path("components").path("models").path("details").path("models");

        // then
        assertThat(models.propertyNames()).containsExactlyInAnyOrder(MODEL.toString(), MISSING.toString());
        assertThat(models.path(MODEL.toString()).path("architecture").asString())
                .isEqualTo("llama");
        assertThat(models.path(MODEL.toString()).path("kvCacheBytes").asLong()).isPositive();
    }

    @Test
    void should_answer_with_json_matching_the_schema_when_asked_for_structured_output() {
        // when
        JsonNode answer =
                chat("""
                        {"model":"helpdesk","seed":3,"max_tokens":40,
                         "messages":[{"role":"user","content":"my laptop will not start"}],
                         "response_format":{"type":"json_schema","json_schema":{"name":"ticket","strict":true,
                           "schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],
                             "additionalProperties":false}}}}""")
                        .expectStatus()
                        .isOk()
                        .expectBody(JsonNode.class)
                        .returnResult()
                        .getResponseBody();

        // then
        JsonNode content = WireJson.MAPPER.readTree(
                answer.path("choices").path(0).path("message").path("content").asString());
        assertThat(content.path("ok").isBoolean()).isTrue();
    }

    @Test
    void should_refuse_tools_and_logprobs_naming_them_and_the_engine() {
        // when
        JsonNode error =
                chat("""
                        {"model":"helpdesk","logprobs":true,
                         "messages":[{"role":"user","content":"my laptop will not start"}],
                         "tools":[{"type":"function","function":{"name":"restart","parameters":{"type":"object"}}}]}""")
                        .expectStatus()
                        .isBadRequest()
                        .expectBody(JsonNode.class)
                        .returnResult()
                        .getResponseBody();

        // then
        assertThat(error.path("error").path("message").asString()).contains("helpdesk-slm", "tools", "logprobs");
    }

    @Test
    void should_answer_503_naming_the_file_when_a_specialists_model_is_missing() {
        // when
        JsonNode error =
                chat("""
                        {"model":"billing","messages":[{"role":"user","content":"my invoice is wrong"}]}""")
                        .expectStatus()
                        .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                        .expectBody(JsonNode.class)
                        .returnResult()
                        .getResponseBody();

        // then
        assertThat(error.path("error").path("message").asString()).contains(MISSING.toString(), "file not found");
        JsonNode models = health().path("components").path("models");
        assertThat(models.path("status").asString()).isEqualTo("DEGRADED");
        assertThat(models.path("details")
                        .path("models")
                        .path(MISSING.toString())
                        .path("state")
                        .asString())
                .isEqualTo("MISSING");
        assertThat(client.chat().completions().create(request("helpdesk")).choices())
                .hasSize(1);
    }

    private static ChatCompletionCreateParams request(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("my laptop will not start")
                .seed(7)
                .temperature(0.8)
                .maxCompletionTokens(6)
                .build();
    }

    private WebTestClient.ResponseSpec chat(String json) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    private JsonNode health() {
        return web.get()
                .uri("/actuator/health")
                .exchange()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private String modelState(Path file) {
        return health().path("components")
                .path("models")
                .path("details")
                .path("models")
                .path(file.toString())
                .path("state")
                .asString("");
    }

    private static String policy() {
        return """
                version: 1
                domains:
                  - name: helpdesk
                    specialist: helpdesk-slm
                    examples: [my laptop will not start]
                  - name: hr
                    specialist: hr-slm
                    examples: [how many vacation days do I have left]
                  - name: billing
                    specialist: billing-slm
                    examples: [my invoice is wrong]
                specialists:
                  helpdesk-slm:
                    provider: in-process
                    model-path: %1$s
                    threads: 1
                    system-prompt: You are the IT helpdesk.
                  hr-slm:
                    provider: in-process
                    model-path: %1$s
                    threads: 1
                    system-prompt: You are the HR desk.
                  billing-slm:
                    provider: in-process
                    model-path: %2$s
                """
                .formatted(MODEL, MISSING);
    }

    private static Path directory() {
        try {
            return Files.createTempDirectory("router-in-process");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
