package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LlamaCppModelSettingsTest {

    private static final Path FILE = Path.of("model.gguf");

    @Test
    void should_default_to_one_slot_and_a_bounded_queue() {
        LlamaCppModelSettings settings = LlamaCppModelSettings.of(FILE);

        assertThat(settings.maxConcurrent()).isEqualTo(1);
        assertThat(settings.queueLimit()).isEqualTo(16);
        assertThat(settings.queueTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.contextSize()).isZero();
        assertThat(settings.eager()).isFalse();
    }

    @Test
    void should_refuse_impossible_values() {
        LlamaCppModelSettings settings = LlamaCppModelSettings.of(FILE);

        assertThatThrownBy(() -> settings.withMaxConcurrent(0)).hasMessageContaining("maxConcurrent");
        assertThatThrownBy(() -> settings.withContextSize(-1)).hasMessageContaining("contextSize");
        assertThatThrownBy(() -> settings.withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> settings.withQueue(-1, Duration.ZERO)).hasMessageContaining("queueLimit");
        assertThatThrownBy(() -> settings.withQueue(1, Duration.ofSeconds(-1))).hasMessageContaining("queueTimeout");
    }

    @Test
    void should_refuse_a_chat_template_llama_cpp_does_not_have_built_in() {
        // A name llama.cpp's argument parser rejects would leave the bindings without a native context.
        LlamaCppModels models = LlamaCppModels.create();
        try {
            assertThatThrownBy(() -> models.model(LlamaCppModelSettings.of(FILE).withChatTemplate("my-template")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not one of llama.cpp's built-in templates");
        } finally {
            models.close();
        }
    }
}
