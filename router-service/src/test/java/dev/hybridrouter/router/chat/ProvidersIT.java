package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.hybridrouter.router.UpstreamFakes.anthropicStream;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.hybridrouter.router.RouterTestSupport;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router speaking to Ollama (through its OpenAI-compatible API) and to Anthropic's Messages API. */
class ProvidersIT extends RouterTestSupport {

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
    void should_answer_from_an_ollama_specialist_through_its_openai_api_with_its_system_prompt() {
        // given
        OLLAMA.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("You have 12 days left.", 21, 7)));

        // when
        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("hr")
                        .addUserMessage("how many vacation days do I have left")
                        .build());

        // then
        assertThat(completion.choices().get(0).message().content()).hasValue("You have 12 days left.");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(21);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
        OLLAMA.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("llama3.2:1b")))
                .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("system")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("You are the HR assistant.")))
                .withRequestBody(
                        matchingJsonPath("$.messages[1].content", equalTo("how many vacation days do I have left"))));
    }

    @Test
    void should_stream_from_an_ollama_specialist_when_the_caller_streams() {
        // given
        OLLAMA.stubFor(post("/v1/chat/completions").willReturn(openAiStream(11, 4, "Payday", " is Friday.")));

        // when
        List<ChatCompletionChunk> chunks = stream("hr");

        // then
        assertThat(content(chunks)).isEqualTo("Payday is Friday.");
        assertThat(chunks.get(chunks.size() - 1).usage().orElseThrow().completionTokens())
                .isEqualTo(4);
    }

    @Test
    void should_answer_from_anthropic_with_its_api_key_when_the_caller_names_claude() {
        // given
        ANTHROPIC.stubFor(post("/v1/messages")
                .withHeader("x-api-key", equalTo(ANTHROPIC_KEY))
                .willReturn(anthropicStream("Here is a careful answer.", "max_tokens", 30, 12)));

        // when
        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("claude")
                        .addSystemMessage("Be brief.")
                        .addUserMessage("explain contract law")
                        .maxCompletionTokens(12)
                        .build());

        // then
        assertThat(completion.choices().get(0).message().content()).hasValue("Here is a careful answer.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(42);
        ANTHROPIC.verify(postRequestedFor(urlEqualTo("/v1/messages"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("claude-3-5-haiku-latest")))
                .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("12")))
                .withRequestBody(matchingJsonPath("$.system[0].text", equalTo("Be brief.")))
                .withRequestBody(matchingJsonPath("$.messages[0].content[0].text", equalTo("explain contract law"))));
    }

    @Test
    void should_stream_from_anthropic_when_the_caller_streams() {
        // given
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicStream("Consider the clause.")));

        // when
        List<ChatCompletionChunk> chunks = stream("claude");

        // then
        assertThat(content(chunks)).isEqualTo("Consider the clause.");
        assertThat(chunks)
                .flatMap(ChatCompletionChunk::choices)
                .filteredOn(c -> c.finishReason().isPresent())
                .singleElement()
                .satisfies(c -> assertThat(c.finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.STOP));
        assertThat(chunks.get(chunks.size() - 1).usage().orElseThrow().promptTokens())
                .isEqualTo(25);
    }

    private List<ChatCompletionChunk> stream(String model) {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model(model)
                        .addUserMessage("hello")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            return stream.stream().toList();
        }
    }

    private static String content(List<ChatCompletionChunk> chunks) {
        StringBuilder content = new StringBuilder();
        chunks.forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(content::append)));
        return content.toString();
    }
}
