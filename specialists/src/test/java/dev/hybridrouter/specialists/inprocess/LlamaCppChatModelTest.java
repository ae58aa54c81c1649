package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The chat model on a real llama.cpp (through JNI) running the tiny test model. */
class LlamaCppChatModelTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;

    static LlamaCppModels models;
    static LlamaCppModel model;
    static LlamaCppChatModel chat;

    @BeforeAll
    static void load() {
        Path file = TinyLlamaModel.ofDefaults().writeTo(dir, "tiny.gguf");
        models = LlamaCppModels.create();
        model = models.model(LlamaCppModelSettings.of(file)
                .withContextSize(512)
                .withThreads(1)
                .withMaxConcurrent(2));
        // Fails the whole class, loudly, when the native library or the model cannot be loaded.
        model.awaitReady();
        chat = LlamaCppChatModel.builder().model(model).modelName("tiny").build();
    }

    @AfterAll
    static void close() {
        models.close();
    }

    @Test
    void should_load_the_model_through_the_native_library() {
        ModelStatus status = model.status();

        assertThat(status.state()).isEqualTo(ModelState.READY);
        assertThat(status.architecture()).isEqualTo("llama");
        assertThat(status.contextSize()).isEqualTo(512);
        assertThat(status.kvCacheBytes()).isEqualTo(256L * 512 * 2);
        assertThat(model.nativeLoads()).isEqualTo(1);
    }

    @Test
    void should_tokenize_with_the_models_vocabulary() {
        // SentencePiece merges pairs into tokens that exist: the tiny vocabulary has single characters and "▁" but
        // none of the intermediate pieces of its few words, so text tokenizes to one token per character.
        assertThat(model.countTokens("hello world")).isEqualTo(12); // "▁", h, e, l, l, o, "▁", w, o, r, l, d
        assertThat(model.countTokens("<|im_start|>")).isEqualTo(1); // a control token, parsed as such
    }

    @Test
    void should_answer_the_same_twice_with_the_same_seed() {
        ChatRequest request =
                request("Say something.", p -> p.seed(7).temperature(0.9).maxOutputTokens(24));

        ChatResponse first = chat.chat(request);
        ChatResponse second = chat.chat(request);

        assertThat(first.aiMessage().text())
                .isNotBlank()
                .isEqualTo(second.aiMessage().text());
        assertThat(first.metadata().tokenUsage().outputTokenCount()).isEqualTo(24);
    }

    @Test
    void should_answer_differently_with_another_seed() {
        String one = chat.chat(request(
                        "Say something.", p -> p.seed(1).temperature(1.0).maxOutputTokens(24)))
                .aiMessage()
                .text();
        String two = chat.chat(request(
                        "Say something.", p -> p.seed(2).temperature(1.0).maxOutputTokens(24)))
                .aiMessage()
                .text();

        assertThat(one).isNotEqualTo(two);
    }

    @Test
    void should_stop_at_max_output_tokens_with_finish_reason_length() {
        ChatResponse response = chat.chat(request("Count.", p -> p.seed(3).maxOutputTokens(10)));

        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(10);
        // Every token of the tiny model is one printable character or a short word.
        assertThat(response.aiMessage().text().length()).isBetween(10, 60);
    }

    @Test
    void should_count_the_templated_prompt_tokens() {
        ChatResponse response = chat.chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("hello world"))
                .parameters(LlamaCppChatRequestParameters.builder()
                        .maxOutputTokens(1)
                        .build())
                .build());

        String prompt = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(1 + model.countTokens(prompt)); // + BOS
        assertThat(response.tokenUsage().totalTokenCount())
                .isEqualTo(response.tokenUsage().inputTokenCount() + 1);
    }

    @Test
    void should_stop_at_a_stop_sequence_with_finish_reason_stop() {
        String free = chat.chat(request("Go on.", p -> p.seed(11).maxOutputTokens(30)))
                .aiMessage()
                .text();
        String stop = free.substring(8, 10);
        String expected = free.substring(0, free.indexOf(stop));

        ChatResponse stopped =
                chat.chat(request("Go on.", p -> p.seed(11).maxOutputTokens(30).stopSequences(stop)));

        assertThat(stopped.aiMessage().text()).isEqualTo(expected);
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void should_stream_token_by_token() throws Exception {
        ChatRequest request = request("Stream.", p -> p.seed(5).maxOutputTokens(16));
        String whole = chat.chat(request).aiMessage().text();

        Recorder recorder = new Recorder();
        chat.chat(request, recorder);
        ChatResponse complete = recorder.complete.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(recorder.partials).hasSize(16);
        assertThat(String.join("", recorder.partials))
                .isEqualTo(whole)
                .isEqualTo(complete.aiMessage().text());
        assertThat(complete.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(complete.tokenUsage().outputTokenCount()).isEqualTo(16);
        assertThat(complete.metadata()).isInstanceOfSatisfying(LlamaCppChatResponseMetadata.class, m -> {
            assertThat(m.timeToFirstToken()).isNotNull().isPositive();
            assertThat(m.generationTime()).isGreaterThanOrEqualTo(m.timeToFirstToken());
            assertThat(m.logprobs()).isEmpty();
        });
        assertThat(recorder.partialTypes).containsOnly(LlamaCppPartialResponse.class);
    }

    @Test
    void should_stream_up_to_a_stop_sequence() throws Exception {
        String free = chat.chat(request("Go on.", p -> p.seed(13).maxOutputTokens(30)))
                .aiMessage()
                .text();
        String stop = free.substring(5, 8);
        String expected = free.substring(0, free.indexOf(stop));

        Recorder recorder = new Recorder();
        chat.chat(request("Go on.", p -> p.seed(13).maxOutputTokens(30).stopSequences(stop)), recorder);
        ChatResponse complete = recorder.complete.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(String.join("", recorder.partials)).isEqualTo(expected);
        assertThat(complete.aiMessage().text()).isEqualTo(expected);
        assertThat(complete.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void should_stop_streaming_when_the_handler_cancels() throws Exception {
        CountDownLatch generationOver = new CountDownLatch(1);
        LlamaCppChatModel cancellable = LlamaCppChatModel.builder()
                .model(model)
                .executor(task -> new Thread(() -> {
                            try {
                                task.run();
                            } finally {
                                generationOver.countDown();
                            }
                        })
                        .start())
                .build();
        Recorder recorder = new Recorder(3);

        cancellable.chat(request("Long answer.", p -> p.seed(17).maxOutputTokens(400)), recorder);

        assertThat(generationOver.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.partials).hasSize(3);
        assertThat(recorder.complete).isNotDone();
        assertThat(model.status().running()).isZero();
    }

    @Test
    void should_stop_a_whole_answer_when_the_calling_thread_is_interrupted() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> chat.chat(request("Long answer.", p -> p.maxOutputTokens(400))))
                    .isInstanceOf(java.util.concurrent.CancellationException.class)
                    .hasMessageContaining("after 1 tokens");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(model.status().running()).isZero();
    }

    @Test
    void should_constrain_the_answer_to_a_json_schema() throws Exception {
        JsonSchema schema = JsonSchema.builder()
                .name("verdict")
                .rootElement(JsonObjectSchema.builder()
                        .addBooleanProperty("ok")
                        .addProperty(
                                "colour",
                                JsonEnumSchema.builder()
                                        .enumValues("red", "green")
                                        .build())
                        .required("ok", "colour")
                        .additionalProperties(false)
                        .build())
                .build();

        ChatResponse response =
                chat.chat(request("Judge.", p -> p.seed(19).maxOutputTokens(200).responseFormat(schema)));

        JsonNode json = JSON.readTree(response.aiMessage().text());
        assertThat(json.get("ok").isBoolean()).isTrue();
        assertThat(json.get("colour").asString()).isIn("red", "green");
        assertThat(json.size()).isEqualTo(2);
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void should_constrain_the_answer_to_a_json_object_in_json_mode() throws Exception {
        // The random tiny model rarely closes an unconstrained string, so most answers end by length; what the
        // grammar guarantees is checked: every answer opens an object, and one that ends by itself parses.
        for (int seed = 1; seed <= 5; seed++) {
            int s = seed;
            ChatResponse response = chat.chat(request(
                    "Answer in JSON.", p -> p.seed(s).maxOutputTokens(40).responseFormat(jsonMode())));

            String text = response.aiMessage().text();
            assertThat(text.strip()).startsWith("{");
            if (response.finishReason() == FinishReason.STOP) {
                assertThat(JSON.readTree(text).isObject()).isTrue();
            }
        }
    }

    @Test
    void should_refuse_a_json_schema_llama_cpp_cannot_convert_and_keep_working() {
        JsonSchema schema = JsonSchema.builder()
                .name("bad")
                .rootElement(JsonRawSchema.from("{\"$ref\": \"#/nowhere\"}"))
                .build();

        assertThatThrownBy(() ->
                        chat.chat(request("Judge.", p -> p.maxOutputTokens(20).responseFormat(schema))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("json_schema")
                .hasMessageContaining("#/nowhere");
        assertThat(chat.chat(request("Still there?", p -> p.maxOutputTokens(3)))
                        .aiMessage()
                        .text())
                .isNotEmpty();
    }

    @Test
    void should_refuse_logprobs() {
        assertThatThrownBy(() -> chat.chat(request("Hi.", p -> p.logprobs(true))))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("logprobs");
        assertThatThrownBy(() -> chat.chat(request("Hi.", p -> p.topLogprobs(3))))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("logprobs");
    }

    @Test
    void should_refuse_tools() {
        ToolSpecification weather = ToolSpecification.builder()
                .name("weather")
                .description("Weather in a city")
                .build();
        ToolExecutionRequest call = ToolExecutionRequest.builder()
                .id("1")
                .name("weather")
                .arguments("{}")
                .build();

        assertThatThrownBy(() -> chat.chat(request("Weather?", p -> p.toolSpecifications(weather))))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("tools");
        assertThatThrownBy(() -> chat.chat(List.of(
                        UserMessage.from("Weather?"),
                        AiMessage.from(List.of(call)),
                        ToolExecutionResultMessage.from(call, "sunny"))))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("tools");
    }

    @Test
    void should_refuse_images() {
        ChatMessage withImage =
                UserMessage.from(TextContent.from("What is this?"), ImageContent.from("https://example.com/a.png"));

        assertThatThrownBy(() -> chat.chat(List.of(withImage)))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("image content");
    }

    @Test
    void should_refuse_a_prompt_longer_than_the_context() {
        String long_ = "hello world ".repeat(300);

        assertThatThrownBy(() -> chat.chat(long_))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("context_length_exceeded")
                .hasMessageContaining("512 tokens of context");
    }

    @Test
    void should_report_errors_to_the_streaming_handler() throws Exception {
        Recorder recorder = new Recorder();

        chat.chat(request("Hi.", p -> p.logprobs(true)), recorder);

        assertThat(recorder.error.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedFeatureException.class);
    }

    private static ChatRequest request(String user, UnaryOperator<LlamaCppChatRequestParameters.Builder> parameters) {
        return ChatRequest.builder()
                .messages(UserMessage.from(user))
                .parameters(parameters
                        .apply(LlamaCppChatRequestParameters.builder())
                        .build())
                .build();
    }

    /** Records a stream; cancels through the handle after {@code cancelAfter} pieces when set. */
    static final class Recorder implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final List<Class<?>> partialTypes = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> complete = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        private final int cancelAfter;

        Recorder() {
            this(Integer.MAX_VALUE);
        }

        Recorder(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            partials.add(partialResponse.text());
            partialTypes.add(partialResponse.getClass());
            if (partials.size() >= cancelAfter) {
                context.streamingHandle().cancel();
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            complete.complete(completeResponse);
        }

        @Override
        public void onError(Throwable throwable) {
            error.complete(throwable);
            complete.completeExceptionally(throwable);
        }
    }

    static ResponseFormat jsonMode() {
        return ResponseFormat.builder().type(ResponseFormatType.JSON).build();
    }
}
