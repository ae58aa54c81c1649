package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.hybridrouter.router.RouterTestSupport;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real OpenAI clients (the official SDK, LangChain4j) calling the router, which calls fake upstreams. */
class ChatCompletionsIT extends RouterTestSupport {

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
    void should_answer_from_the_specialist_when_the_sdk_names_its_domain() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("Restart the VPN client.", 42, 6)));

        // when
        HttpResponseFor<ChatCompletion> response = client.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("it-helpdesk")
                        .addUserMessage("my VPN drops every hour")
                        .build());
        ChatCompletion completion = response.parse();

        // then
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValue("Restart the VPN client.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo("helpdesk-slm");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(42);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(48);
        assertThat(response.headers().values("x-router-route")).containsExactly("it-helpdesk");
        assertThat(response.headers().values("x-router-target")).containsExactly("specialist:helpdesk-slm");
        assertThat(response.headers().values("x-router-confidence")).containsExactly("1.0000");
        assertThat(response.headers().values("x-router-escalated")).containsExactly("false");
    }

    @Test
    void should_put_the_specialist_prompt_before_the_conversation_when_calling_it() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("ok", 1, 1)));

        // when
        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("helpdesk-slm")
                        .addSystemMessage("Answer in French.")
                        .addUserMessage("my screen flickers")
                        .temperature(0.2)
                        .maxCompletionTokens(50)
                        .build());

        // then
        LOCAL.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("qwen2.5-1.5b-instruct")))
                .withRequestBody(matchingJsonPath("$.temperature", equalTo("0.2")))
                .withRequestBody(equalToJson(
                        """
                        {"messages": [
                          {"role": "system", "content": "You are the IT helpdesk."},
                          {"role": "user", "content": "printer jammed"},
                          {"role": "assistant", "content": "Open tray 2 and remove the paper."},
                          {"role": "system", "content": "Answer in French."},
                          {"role": "user", "content": "my screen flickers"}
                        ]}""",
                        false,
                        true)));
    }

    @Test
    void should_route_automatically_when_the_model_is_an_auto_alias() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("Reset it here.", 5, 3)));

        // when
        HttpResponseFor<ChatCompletion> response = client.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("gpt-4o-mini")
                        .addUserMessage("an it-helpdesk question: I forgot my password")
                        .build());

        // then
        assertThat(response.parse().choices().get(0).message().content()).hasValue("Reset it here.");
        assertThat(response.headers().values("x-router-target")).containsExactly("specialist:helpdesk-slm");
        assertThat(response.headers().values("x-router-confidence")).containsExactly("0.9000");
    }

    @Test
    void should_escalate_to_the_large_model_with_its_api_key_when_the_caller_names_it() {
        // given
        OPENAI.stubFor(post("/v1/chat/completions")
                .withHeader("Authorization", equalTo("Bearer " + OPENAI_KEY))
                .willReturn(openAiCompletion("A long considered answer.", 100, 20)));

        // when
        HttpResponseFor<ChatCompletion> response = client.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("cloud")
                        .addUserMessage("write me a sonnet about routers")
                        .build());

        // then
        assertThat(response.parse().choices().get(0).message().content()).hasValue("A long considered answer.");
        assertThat(response.headers().values("x-router-target")).containsExactly("large:cloud");
        assertThat(response.headers().values("x-router-escalated")).containsExactly("true");
        OPENAI.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4o-mini"))));
    }

    @Test
    void should_stream_chunks_with_usage_and_finish_reason_when_the_sdk_streams() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiStream(30, 3, "Hello", ", ", "world")));

        // when
        StringBuilder content = new StringBuilder();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("it-helpdesk")
                        .addUserMessage("hi")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            chunks = stream.stream().toList();
        }
        chunks.forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(content::append)));

        // then
        assertThat(content).hasToString("Hello, world");
        assertThat(chunks.get(0).choices().get(0).delta().role())
                .hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        assertThat(chunks)
                .flatMap(ChatCompletionChunk::choices)
                .filteredOn(c -> c.finishReason().isPresent())
                .singleElement()
                .satisfies(c -> assertThat(c.finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.STOP));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().promptTokens()).isEqualTo(30);
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(3);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.model()).isEqualTo("helpdesk-slm"));
    }

    @Test
    void should_answer_langchain4j_when_it_calls_the_router_as_an_openai_server() {
        // given
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("Use the self-service portal.", 9, 5)));
        OpenAiChatModel caller = OpenAiChatModel.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .modelName("it-helpdesk")
                .maxRetries(0)
                .build();

        // when
        ChatResponse answer = caller.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("how do I unlock my account"))
                .build());

        // then
        assertThat(answer.aiMessage().text()).isEqualTo("Use the self-service portal.");
        assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(answer.tokenUsage().inputTokenCount()).isEqualTo(9);
        assertThat(answer.tokenUsage().outputTokenCount()).isEqualTo(5);
    }

    @Test
    void should_list_auto_domains_specialists_and_large_models_when_models_are_listed() {
        // when
        var models = client.models().list().data();

        // then
        assertThat(models)
                .extracting(com.openai.models.models.Model::id)
                .containsExactly(
                        "auto",
                        "gpt-4o-mini",
                        "it-helpdesk",
                        "hr",
                        "slow",
                        "flaky",
                        "records",
                        "busy",
                        "stall",
                        "billing",
                        "billing-slm",
                        "busy-slm",
                        "flaky-slm",
                        "helpdesk-slm",
                        "hr-slm",
                        "records-slm",
                        "slow-slm",
                        "stall-slm",
                        "claude",
                        "cloud",
                        "keyless");
    }

    @Test
    void should_estimate_the_cost_of_each_answer_and_what_the_large_model_would_have_cost_in_the_metrics() {
        // given: the specialist at 0.02 / 0.04 per million tokens, the policy's large model at 0.15 / 0.60
        LOCAL.stubFor(post("/v1/chat/completions")
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(openAiStream(2_000, 1_000, "Restart ", "it.")));
        LOCAL.stubFor(post("/v1/chat/completions")
                .withRequestBody(matchingJsonPath("$.stream", absent()))
                .willReturn(openAiCompletion("Restart it.", 1_000, 500)));
        double cost = metric("router_cost_estimated_total", "target=\"specialist:helpdesk-slm\"");
        double baseline = metric("router_cost_baseline_estimated_total", "policy=\"test\"");

        // when: a whole answer, and a stream whose caller did not ask for usage
        client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("it-helpdesk")
                        .addUserMessage("my VPN drops every hour")
                        .build());
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("it-helpdesk")
                        .addUserMessage("my VPN drops every hour")
                        .build())) {
            chunks = stream.stream().toList();
        }

        // then: 3,000 prompt and 1,500 completion tokens in all
        assertThat(metric("router_cost_estimated_total", "target=\"specialist:helpdesk-slm\"") - cost)
                .isCloseTo((3_000 * 0.02 + 1_500 * 0.04) / 1e6, offset(1e-12));
        assertThat(metric("router_cost_baseline_estimated_total", "policy=\"test\"") - baseline)
                .isCloseTo((3_000 * 0.15 + 1_500 * 0.60) / 1e6, offset(1e-12));
        LOCAL.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true"))));
        assertThat(chunks).isNotEmpty().allSatisfy(chunk -> assertThat(chunk.usage())
                .isEmpty());
    }

    /** The value of the Prometheus series {@code name} whose labels contain {@code label}; 0 when there is none. */
    private double metric(String name, String label) {
        String scrape = web.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return scrape.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
