package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry: sharing, bounded concurrency, load states and bad files, on the real native library. */
class LlamaCppModelsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    LlamaCppModels models;
    Path file;

    @BeforeEach
    void setUp() {
        models = LlamaCppModels.create();
        file = TinyLlamaModel.ofDefaults().writeTo(dir, "tiny.gguf");
    }

    @AfterEach
    void tearDown() {
        models.close();
    }

    @Test
    void should_share_one_loaded_model_between_specialists_naming_the_same_file() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.gguf"), file);
        LlamaCppModel first = models.model(small(file));
        LlamaCppModel second = models.model(small(link));
        LlamaCppChatModel support =
                LlamaCppChatModel.builder().model(first).modelName("support").build();
        LlamaCppChatModel billing =
                LlamaCppChatModel.builder().model(second).modelName("billing").build();

        ChatResponse a = support.chat(request(3));
        ChatResponse b = billing.chat(request(3));

        assertThat(second).isSameAs(first);
        assertThat(first.nativeLoads()).isEqualTo(1);
        assertThat(models.status()).hasSize(1);
        assertThat(a.metadata().modelName()).isEqualTo("support");
        assertThat(b.metadata().modelName()).isEqualTo("billing");
    }

    @Test
    void should_load_another_model_when_the_load_options_differ() {
        LlamaCppModel first = models.model(small(file));
        LlamaCppModel second = models.model(small(file).withContextSize(128));

        assertThat(second).isNotSameAs(first);
        assertThat(models.status()).hasSize(2);
    }

    @Test
    void should_refuse_other_queue_settings_for_a_registered_model() {
        models.model(small(file));

        assertThatThrownBy(() -> models.model(small(file).withQueue(3, Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already registered with queue limit 0");
    }

    @Test
    void should_fail_fast_with_model_busy_when_every_slot_is_taken_and_no_queue() throws Exception {
        LlamaCppChatModel chat = chat(small(file));
        Holder holder = new Holder();
        chat.chat(request(20), holder);
        assertThat(holder.holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> chat.chat(request(3)))
                .isInstanceOf(ModelBusyException.class)
                .hasMessageContaining("1 of 1 slots generating and 0 callers waiting (queue limit 0)");
        assertThat(chat.model().status().running()).isEqualTo(1);

        holder.release.countDown();
        assertThat(holder.complete
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .aiMessage()
                        .text())
                .isNotEmpty();
        assertThat(chat.chat(request(3)).aiMessage().text()).isNotEmpty();
    }

    @Test
    void should_queue_callers_up_to_the_queue_limit_then_refuse() throws Exception {
        LlamaCppChatModel chat = chat(small(file).withQueue(1, WAIT));
        Holder holder = new Holder();
        chat.chat(request(20), holder);
        assertThat(holder.holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        CompletableFuture<ChatResponse> queued = CompletableFuture.supplyAsync(() -> chat.chat(request(3)));
        await().atMost(WAIT).until(() -> chat.model().status().queued() == 1);

        assertThatThrownBy(() -> chat.chat(request(3)))
                .isInstanceOf(ModelBusyException.class)
                .hasMessageContaining("1 callers waiting (queue limit 1)");
        assertThat(queued).isNotDone();

        holder.release.countDown();
        assertThat(queued.get(WAIT.toSeconds(), TimeUnit.SECONDS).aiMessage().text())
                .isNotEmpty();
        assertThat(chat.model().status().queued()).isZero();
    }

    @Test
    void should_give_up_waiting_after_the_queue_timeout() throws Exception {
        LlamaCppChatModel chat = chat(small(file).withQueue(1, Duration.ZERO));
        Holder holder = new Holder();
        chat.chat(request(20), holder);
        assertThat(holder.holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> chat.chat(request(3)))
                .isInstanceOf(ModelBusyException.class)
                .hasMessageContaining("no slot freed in 0 ms");

        holder.release.countDown();
        holder.complete.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void should_report_a_truncated_file_as_failed_and_keep_serving_other_models() throws Exception {
        byte[] all = Files.readAllBytes(file);
        Path cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(all, all.length - 1000));
        LlamaCppModel broken = models.model(small(cut));

        assertThatThrownBy(broken::awaitReady)
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
        assertThat(broken.status().state()).isEqualTo(ModelState.FAILED);
        assertThat(broken.status().reason()).startsWith("truncated");
        assertThatThrownBy(
                        () -> LlamaCppChatModel.builder().model(broken).build().chat(request(3)))
                .isInstanceOf(ModelLoadException.class);
        assertThat(broken.nativeLoads()).isZero();

        assertThat(chat(small(file)).chat(request(3)).aiMessage().text()).isNotEmpty();
    }

    @Test
    void should_report_a_file_llama_cpp_refuses_as_failed_and_keep_serving_other_models() throws IOException {
        Path incomplete = dir.resolve("incomplete.gguf");
        TinyLlamaModel.ofDefaults().writer().removeTensor("output_norm.weight").write(incomplete);
        LlamaCppModel broken = models.model(small(incomplete));

        assertThatThrownBy(broken::awaitReady)
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(incomplete.toString())
                .hasMessageContaining("llama.cpp refused it");
        assertThat(broken.status().state()).isEqualTo(ModelState.FAILED);
        assertThat(broken.nativeLoads()).isEqualTo(1);

        assertThat(chat(small(file)).chat(request(3)).aiMessage().text()).isNotEmpty();
    }

    @Test
    void should_refuse_a_context_size_over_the_models_before_loading_it() {
        LlamaCppModel model = models.model(small(file).withContextSize(4096));

        assertThatThrownBy(model::awaitReady)
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("context size 4096 is over the model's 1024");
        assertThat(model.status().state()).isEqualTo(ModelState.FAILED);
        assertThat(model.nativeLoads()).isZero();
    }

    @Test
    void should_refuse_an_unsupported_architecture_before_loading_it() {
        Path qwen3 = TinyLlamaModel.ofDefaults().withArchitecture("qwen3").writeTo(dir, "qwen3.gguf");
        LlamaCppModel model = models.model(small(qwen3));

        assertThatThrownBy(model::awaitReady).hasMessageContaining("unsupported architecture 'qwen3'");
        assertThat(model.status().state()).isEqualTo(ModelState.FAILED);
    }

    @Test
    void should_load_a_missing_file_once_it_appears() {
        Path later = dir.resolve("later.gguf");
        LlamaCppModel model = models.model(small(later));
        assertThat(model.status().state()).isEqualTo(ModelState.NOT_LOADED);

        assertThatThrownBy(model::awaitReady).hasMessageContaining("file not found");
        assertThat(model.status().state()).isEqualTo(ModelState.MISSING);
        assertThat(model.status().reason()).isEqualTo("file not found");

        TinyLlamaModel.ofDefaults().writeTo(dir, "later.gguf");
        model.awaitReady();
        assertThat(model.status().state()).isEqualTo(ModelState.READY);
    }

    @Test
    void should_load_eagerly_in_the_background() throws Exception {
        LlamaCppModel model = models.model(small(file).withEager(true));

        model.loadAsync().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(model.status().state()).isEqualTo(ModelState.READY);
        assertThat(model.status().fileSizeBytes()).isEqualTo(Files.size(file));
    }

    @Test
    void should_refuse_calls_after_close() {
        LlamaCppChatModel chat = chat(small(file));
        chat.chat(request(2));

        chat.model().close();

        assertThat(chat.model().status().state()).isEqualTo(ModelState.CLOSED);
        assertThatThrownBy(() -> chat.chat(request(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    @Test
    void should_scale_the_lora_adapter_per_request() throws IOException {
        Path adapter = dir.resolve("tiny-lora.gguf");
        TinyLlamaModel.ofDefaults().loraAdapter(99, 4).write(adapter);
        LlamaCppModel withAdapter = models.model(small(file).withLoraAdapter(adapter));
        String base = chat(small(file)).chat(greedy(12)).aiMessage().text();

        String off = LlamaCppChatModel.builder()
                .model(withAdapter)
                .loraScale(0.0)
                .build()
                .chat(greedy(12))
                .aiMessage()
                .text();
        String on = LlamaCppChatModel.builder()
                .model(withAdapter)
                .build()
                .chat(greedy(12))
                .aiMessage()
                .text();

        assertThat(off).isEqualTo(base);
        assertThat(on).isNotEqualTo(base);
    }

    @Test
    void should_refuse_a_lora_adapter_of_another_architecture() throws IOException {
        Path adapter = dir.resolve("qwen2-lora.gguf");
        TinyLlamaModel.ofDefaults().withArchitecture("qwen2").loraAdapter(1, 2).write(adapter);
        LlamaCppModel model = models.model(small(file).withLoraAdapter(adapter));

        assertThatThrownBy(model::awaitReady)
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(adapter.toString())
                .hasMessageContaining("architecture 'qwen2', the model is 'llama'");
    }

    private LlamaCppChatModel chat(LlamaCppModelSettings settings) {
        return LlamaCppChatModel.builder().model(models.model(settings)).build();
    }

    /** One slot, no queue, 256 tokens of context, one thread. */
    private static LlamaCppModelSettings small(Path file) {
        return LlamaCppModelSettings.of(file)
                .withContextSize(256)
                .withThreads(1)
                .withQueue(0, LlamaCppModelSettings.DEFAULT_QUEUE_TIMEOUT);
    }

    private static ChatRequest request(int maxTokens) {
        return ChatRequest.builder()
                .messages(UserMessage.from("Hello."))
                .parameters(LlamaCppChatRequestParameters.builder()
                        .seed(1)
                        .maxOutputTokens(maxTokens)
                        .build())
                .build();
    }

    private static ChatRequest greedy(int maxTokens) {
        return ChatRequest.builder()
                .messages(UserMessage.from("Hello."))
                .parameters(LlamaCppChatRequestParameters.builder()
                        .temperature(0.0)
                        .maxOutputTokens(maxTokens)
                        .build())
                .build();
    }

    /** Holds its slot from the first streamed token until released. */
    static final class Holder implements StreamingChatResponseHandler {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<ChatResponse> complete = new CompletableFuture<>();

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            holding.countDown();
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            complete.complete(completeResponse);
        }

        @Override
        public void onError(Throwable error) {
            complete.completeExceptionally(error);
        }
    }
}
