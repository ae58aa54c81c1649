package dev.hybridrouter.specialists;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.UpstreamNotConfiguredException;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SpecialistTest {

    @RegisterExtension
    static WireMockExtension server = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final UpstreamHttpClient HTTP = UpstreamHttpClient.ofDefaults();

    private static final String ANSWER =
            """
            {"id":"c","object":"chat.completion","created":1,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    @AfterAll
    static void closePool() {
        HTTP.close();
    }

    @Test
    void should_send_the_system_prompt_then_the_few_shot_turns_then_the_conversation_in_order() {
        server.stubFor(post("/v1/chat/completions").willReturn(okJson(ANSWER)));
        Specialist specialist = new Specialists(HTTP, null, Map.<String, String>of()::get, Clock.systemUTC())
                .create(settings(
                        SpecialistSettings.Provider.OPENAI_COMPATIBLE,
                        server.baseUrl() + "/v1",
                        "Be brief.",
                        List.of(new SpecialistSettings.Example("q1", "a1"), new SpecialistSettings.Example("q2", "a2")),
                        null));

        specialist
                .complete(ChatCompletionRequest.of("auto", List.of(ChatMessage.user("my question"))), Map.of())
                .block(Duration.ofSeconds(10));

        server.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(
                        """
                        {"model":"qwen","messages":[
                          {"role":"system","content":"Be brief."},
                          {"role":"user","content":"q1"},{"role":"assistant","content":"a1"},
                          {"role":"user","content":"q2"},{"role":"assistant","content":"a2"},
                          {"role":"user","content":"my question"}]}""",
                        false,
                        false)));
    }

    @Test
    void should_add_nothing_when_the_specialist_has_no_prompt() {
        Specialist specialist = new Specialists(HTTP, null, Map.<String, String>of()::get, Clock.systemUTC())
                .create(settings(SpecialistSettings.Provider.OLLAMA, "http://localhost:11434", " ", List.of(), null));

        assertThat(specialist.preamble()).isEmpty();
    }

    @Test
    void should_reach_ollama_through_its_openai_compatible_api() {
        server.stubFor(post("/v1/chat/completions").willReturn(okJson(ANSWER)));
        Specialist ollama = new Specialists(HTTP, null, Map.of("OLLAMA_KEY", "k-1")::get, Clock.systemUTC())
                .create(settings(
                        SpecialistSettings.Provider.OLLAMA, server.baseUrl() + "/", null, List.of(), "OLLAMA_KEY"));

        ollama.complete(ChatCompletionRequest.of("auto", List.of(ChatMessage.user("hi"))), Map.of())
                .block(Duration.ofSeconds(10));

        server.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer k-1")));
    }

    @Test
    void should_refuse_to_build_a_specialist_whose_api_key_is_not_set() {
        assertThatThrownBy(() -> new Specialists(HTTP, null, Map.<String, String>of()::get, Clock.systemUTC())
                        .create(settings(
                                SpecialistSettings.Provider.OPENAI_COMPATIBLE,
                                "http://x/v1",
                                null,
                                List.of(),
                                "UNSET")))
                .isInstanceOf(UpstreamNotConfiguredException.class)
                .hasMessage("specialist 'slm' cannot be called: environment variable UNSET (its API key) is not set");
    }

    private static SpecialistSettings settings(
            SpecialistSettings.Provider provider,
            String baseUrl,
            String systemPrompt,
            List<SpecialistSettings.Example> fewShot,
            String apiKeyEnv) {
        return new SpecialistSettings(
                "slm",
                provider,
                baseUrl,
                "qwen",
                apiKeyEnv,
                systemPrompt,
                fewShot,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                null);
    }
}
