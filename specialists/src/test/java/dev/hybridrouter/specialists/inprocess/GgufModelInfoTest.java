package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelInfoTest {

    @TempDir
    Path dir;

    @Test
    void should_read_the_metadata_of_a_valid_model() {
        Path file = TinyLlamaModel.ofDefaults().writeTo(dir, "tiny.gguf");

        GgufModelInfo info = GgufModelInfo.inspect(file);

        assertThat(info.architecture()).isEqualTo("llama");
        assertThat(info.contextLength()).isEqualTo(1024);
        assertThat(info.blockCount()).isEqualTo(TinyLlamaModel.LAYERS);
        assertThat(info.embeddingLength()).isEqualTo(TinyLlamaModel.EMBEDDING);
        assertThat(info.tokenizerModel()).isEqualTo("llama");
        assertThat(info.vocabularySize()).isEqualTo(TinyLlamaModel.vocabulary().size());
        assertThat(info.addsBos()).isTrue();
        assertThat(info.chatTemplate()).isEqualTo(TinyLlamaModel.CHATML_TEMPLATE);
        assertThat(info.tensorCount()).isEqualTo(3 + 9 * TinyLlamaModel.LAYERS);
        assertThat(info.fileSizeBytes()).isBetween(100_000L, 1_000_000L);
        // 2 layers x 2 KV heads x (16 + 16) dims x 2 bytes
        assertThat(info.kvBytesPerToken()).isEqualTo(256L);
    }

    @Test
    void should_refuse_a_truncated_file() throws IOException {
        Path whole = TinyLlamaModel.ofDefaults().writeTo(dir, "whole.gguf");
        Path cut = copyPrefix(whole, "cut.gguf", (int) (Files.size(whole) / 2));

        assertThatThrownBy(() -> GgufModelInfo.inspect(cut))
                .isInstanceOfSatisfying(
                        ModelLoadException.class, e -> assertThat(e.file()).isEqualTo(cut))
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("tensors need");
    }

    @Test
    void should_refuse_a_file_cut_inside_its_header() throws IOException {
        Path whole = TinyLlamaModel.ofDefaults().writeTo(dir, "whole.gguf");
        Path cut = copyPrefix(whole, "cut.gguf", 300);

        assertThatThrownBy(() -> GgufModelInfo.inspect(cut))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void should_refuse_a_file_that_is_not_gguf() throws IOException {
        Path text = Files.writeString(dir.resolve("model.gguf"), "<html>404 Not Found</html>", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> GgufModelInfo.inspect(text))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("not a GGUF file");
    }

    @Test
    void should_refuse_an_architecture_llama_cpp_b4916_does_not_know() {
        Path file = TinyLlamaModel.ofDefaults().withArchitecture("qwen3").writeTo(dir, "qwen3.gguf");

        assertThatThrownBy(() -> GgufModelInfo.inspect(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("unsupported architecture 'qwen3'");
    }

    @Test
    void should_refuse_an_encoder_model() {
        Path file = TinyLlamaModel.ofDefaults().withArchitecture("bert").writeTo(dir, "bert.gguf");

        assertThatThrownBy(() -> GgufModelInfo.inspect(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'bert' is an encoder or embedding model");
    }

    @Test
    void should_refuse_a_context_size_over_the_models() {
        Path file = TinyLlamaModel.ofDefaults().withContextLength(512).writeTo(dir, "short.gguf");
        GgufModelInfo info = GgufModelInfo.inspect(file);

        assertThatThrownBy(() -> info.contextSizeFor(4096))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("context size 4096 is over the model's 512 (llama.context_length)");
        assertThat(info.contextSizeFor(0)).isEqualTo(512);
        assertThat(info.contextSizeFor(256)).isEqualTo(256);
    }

    @Test
    void should_refuse_gguf_version_1() throws IOException {
        Path file = dir.resolve("v1.gguf");
        TinyLlamaModel.ofDefaults().writer().version(1).write(file);

        assertThatThrownBy(() -> GgufModelInfo.inspect(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("GGUF version 1 is no longer supported");
    }

    @Test
    void should_refuse_an_adapter_in_place_of_a_model() throws IOException {
        Path file = dir.resolve("adapter.gguf");
        TinyLlamaModel.ofDefaults()
                .writer()
                .putString("general.type", "adapter")
                .write(file);

        assertThatThrownBy(() -> GgufModelInfo.inspect(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("an adapter");
    }

    @Test
    void should_refuse_a_missing_file() {
        Path missing = dir.resolve("nowhere.gguf");

        assertThatThrownBy(() -> GgufModelInfo.inspect(missing))
                .isInstanceOfSatisfying(
                        ModelLoadException.class, e -> assertThat(e.reason()).isEqualTo("file not found"))
                .hasMessageContaining(missing.toString());
    }

    private Path copyPrefix(Path from, String name, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(from);
        return Files.write(dir.resolve(name), Arrays.copyOf(all, bytes));
    }
}
