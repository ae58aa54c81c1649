package dev.hybridrouter.specialists;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecialistTest {

    @Test
    void should_prompt_with_the_system_prompt_then_the_few_shot_turns() {
        Specialist specialist = Specialist.create(
                settings(
                        SpecialistSettings.Provider.OPENAI_COMPATIBLE,
                        "Be brief.",
                        List.of(
                                new SpecialistSettings.Example("q1", "a1"),
                                new SpecialistSettings.Example("q2", "a2"))),
                new JdkHttpClientBuilder());

        List<ChatMessage> preamble = specialist.preamble();

        assertThat(preamble)
                .containsExactly(
                        SystemMessage.from("Be brief."),
                        UserMessage.from("q1"),
                        AiMessage.from("a1"),
                        UserMessage.from("q2"),
                        AiMessage.from("a2"));
    }

    @Test
    void should_add_nothing_when_the_specialist_has_no_prompt() {
        Specialist specialist = Specialist.create(
                settings(SpecialistSettings.Provider.OLLAMA, " ", List.of()), new JdkHttpClientBuilder());

        assertThat(specialist.preamble()).isEmpty();
    }

    @Test
    void should_build_the_client_of_its_provider() {
        var openAi = Specialist.create(
                settings(SpecialistSettings.Provider.OPENAI_COMPATIBLE, null, List.of()), new JdkHttpClientBuilder());
        var ollama = Specialist.create(
                settings(SpecialistSettings.Provider.OLLAMA, null, List.of()), new JdkHttpClientBuilder());

        assertThat(openAi.chatModel()).isInstanceOf(OpenAiChatModel.class);
        assertThat(ollama.chatModel()).isInstanceOf(OllamaChatModel.class);
    }

    private static SpecialistSettings settings(
            SpecialistSettings.Provider provider, String systemPrompt, List<SpecialistSettings.Example> fewShot) {
        return new SpecialistSettings("slm", provider, "http://localhost:8000/v1", "qwen", null, systemPrompt, fewShot);
    }
}
