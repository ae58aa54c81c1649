package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.specialists.SpecialistSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as the service uses it: a specialist's model as an OpenAI-wire chat client, its file on disk or
 * downloaded from a local HTTP server (nothing leaves the machine), on the real native library.
 */
class InProcessEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    HttpServer server;
    byte[] model;
    final CountDownLatch serve = new CountDownLatch(1);
    final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    InProcessEngine engine;

    @BeforeEach
    void setUp() throws IOException {
        model = Files.readAllBytes(TinyLlamaModel.ofDefaults().writeTo(dir, "source.gguf"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/tiny.gguf", exchange -> {
            try {
                serve.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, model.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(model);
            }
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void should_answer_in_the_openai_wire_format_from_a_file_on_disk() {
        engine = engine(false);
        ChatClient client =
                engine.chatClient("specialist 'support'", onDisk(dir.resolve("source.gguf")), Clock.systemUTC());

        ChatCompletion answer = client.complete(request(5), Map.of()).block(WAIT);

        assertThat(answer.model()).isEqualTo("tiny");
        assertThat(answer.choices()).singleElement().satisfies(choice -> {
            assertThat(choice.message().content().text()).isNotEmpty();
            assertThat(choice.finishReason()).isEqualTo("length");
        });
        assertThat(answer.usage().completionTokens()).isEqualTo(5);
        assertThat(answer.usage().promptTokens()).isPositive();
    }

    @Test
    void should_share_one_load_between_specialists_naming_the_same_file() {
        engine = engine(false);
        Path file = dir.resolve("source.gguf");
        ChatClient support = engine.chatClient("specialist 'support'", onDisk(file), Clock.systemUTC());
        ChatClient billing = engine.chatClient("specialist 'billing'", onDisk(file), Clock.systemUTC());

        support.complete(request(2), Map.of()).block(WAIT);
        billing.complete(request(2), Map.of()).block(WAIT);

        assertThat(engine.status())
                .singleElement()
                .satisfies(report -> assertThat(report.status().state()).isEqualTo(ModelState.READY));
    }

    @Test
    void should_download_a_model_named_by_url_in_the_background_then_load_it() {
        engine = engine(false);
        ChatClient client = engine.chatClient("specialist 'support'", byUrl(sha256(model)), Clock.systemUTC());
        InProcessEngine.Report downloading = engine.status().get(0);

        assertThatThrownBy(() -> client.complete(request(2), Map.of()).block(WAIT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.MODEL_NOT_LOADED);
                    assertThat(e.getMessage()).contains("still being downloaded from " + url());
                });
        serve.countDown();
        await().atMost(WAIT).until(() -> engine.status().get(0).status().state() == ModelState.READY);

        assertThat(downloading.starting()).isTrue();
        assertThat(engine.status().get(0).starting()).isFalse();
        assertThat(engine.status().get(0).download().state()).isEqualTo(InProcessEngine.DownloadState.DONE);
        assertThat(client.complete(request(2), Map.of()).block(WAIT).choices()).hasSize(1);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("Saved " + dir.resolve("cache/tiny.gguf"));
    }

    @Test
    void should_say_where_to_place_the_file_when_it_cannot_be_downloaded() {
        engine = engine(true);
        String sha256 = sha256(model);
        ChatClient client = engine.chatClient("specialist 'support'", byUrl(sha256), Clock.systemUTC());
        await().atMost(WAIT).until(() -> engine.status().get(0).broken());

        assertThatThrownBy(() -> client.complete(request(2), Map.of()).block(WAIT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.MODEL_NOT_LOADED);
                    assertThat(e.getMessage())
                            .startsWith("specialist 'support' cannot run: Model file " + dir.resolve("cache/tiny.gguf"))
                            .contains(url().toString(), "router.models.offline", "sha256sum", sha256);
                });
        assertThat(engine.status().get(0).starting()).isFalse();
    }

    @Test
    void should_use_a_file_placed_by_hand_after_its_download_failed() throws IOException {
        engine = engine(true);
        ChatClient client = engine.chatClient("specialist 'support'", byUrl(sha256(model)), Clock.systemUTC());
        await().atMost(WAIT).until(() -> engine.status().get(0).broken());

        Files.createDirectories(dir.resolve("cache"));
        Files.copy(dir.resolve("source.gguf"), dir.resolve("cache/tiny.gguf"));

        assertThat(client.complete(request(2), Map.of()).block(WAIT).choices()).hasSize(1);
        assertThat(engine.status().get(0).broken()).isFalse();
    }

    @Test
    void should_name_the_file_and_the_reason_when_a_file_is_not_gguf() throws IOException {
        engine = engine(false);
        Path notGguf = Files.writeString(dir.resolve("notes.gguf"), "not a model");
        ChatClient client = engine.chatClient("specialist 'support'", onDisk(notGguf), Clock.systemUTC());
        await().atMost(WAIT).until(() -> engine.status().get(0).broken());

        assertThatThrownBy(() -> client.complete(request(2), Map.of()).block(WAIT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.MODEL_NOT_LOADED);
                    assertThat(e.getMessage()).contains(notGguf.toString(), "not a GGUF file");
                });
    }

    @Test
    void should_refuse_what_the_engine_cannot_do_naming_the_fields() {
        engine = engine(false);
        ChatClient client =
                engine.chatClient("specialist 'support'", onDisk(dir.resolve("source.gguf")), Clock.systemUTC());
        ChatCompletionRequest request = request(
                """
                {"model":"auto","messages":[{"role":"user","content":"Hi"}],"logprobs":true,
                 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");

        assertThat(client.unsupported(request)).contains("logprobs", "tools");
    }

    private InProcessEngine engine(boolean offline) {
        return InProcessEngine.create(
                dir.resolve("cache"), offline, new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/tiny.gguf");
    }

    private static SpecialistSettings onDisk(Path file) {
        return settings(new SpecialistSettings.InProcess(file, null, null, 0, 1, 1, 4, null, true));
    }

    private SpecialistSettings byUrl(String sha256) {
        return settings(new SpecialistSettings.InProcess(null, url(), sha256, 0, 1, 1, 4, null, true));
    }

    private static SpecialistSettings settings(SpecialistSettings.InProcess inProcess) {
        return new SpecialistSettings(
                "support",
                SpecialistSettings.Provider.IN_PROCESS,
                null,
                "tiny",
                null,
                null,
                List.of(),
                Duration.ofSeconds(5),
                WAIT,
                inProcess);
    }

    private static ChatCompletionRequest request(int maxTokens) {
        return request("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello.\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"seed\":1}");
    }

    private static ChatCompletionRequest request(String json) {
        return WireJson.MAPPER.readValue(json, ChatCompletionRequest.class);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
