package dev.hybridrouter.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.Test;

class LargeModelTest {

    @Test
    void should_build_the_client_of_its_provider() {
        var openAi = LargeModel.create(
                new LargeModelSettings("cloud", LargeModelSettings.Provider.OPENAI, "gpt-4o-mini", null, "k"),
                new JdkHttpClientBuilder());
        var anthropic = LargeModel.create(
                new LargeModelSettings("claude", LargeModelSettings.Provider.ANTHROPIC, "claude-3-5-haiku", null, "k"),
                new JdkHttpClientBuilder());

        assertThat(openAi.chatModel()).isInstanceOf(OpenAiChatModel.class);
        assertThat(anthropic.chatModel()).isInstanceOf(AnthropicChatModel.class);
        assertThat(anthropic.name()).isEqualTo("claude");
    }

    @Test
    void should_refuse_an_openai_compatible_model_without_a_base_url() {
        assertThatThrownBy(() -> new LargeModelSettings(
                        "self-hosted", LargeModelSettings.Provider.OPENAI_COMPATIBLE, "llama", null, "k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'self-hosted'")
                .hasMessageContaining("base URL");
    }

    @Test
    void should_refuse_settings_without_an_api_key() {
        assertThatThrownBy(() -> new LargeModelSettings("cloud", LargeModelSettings.Provider.OPENAI, "gpt", null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("apiKey");
    }
}
