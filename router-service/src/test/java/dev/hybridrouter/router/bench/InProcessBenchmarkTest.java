package dev.hybridrouter.router.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process benchmark's pure parts; the run itself needs the jar (docs/benchmarks.md#in-process-engine). */
class InProcessBenchmarkTest {

    @TempDir
    Path temp;

    @Test
    void should_tell_content_usage_done_and_error_lines_of_the_router_stream_apart() {
        // given
        String role = "data:{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"role\":\"assistant\",\"content\":\"H\"},\"logprobs\":null,\"finish_reason\":null}]}";
        String quoted = "data:{\"choices\":[{\"delta\":{\"content\":\"say \\\"usage\\\":{}\"}}]}";
        String finish =
                "data:{\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}]}";
        String usage = "data:{\"choices\":[],\"usage\":{\"prompt_tokens\":62,\"completion_tokens\":64,"
                + "\"total_tokens\":126}}";

        // then
        assertThat(RouterChat.event(role).kind()).isEqualTo(RouterChat.Kind.CONTENT);
        assertThat(RouterChat.event(quoted).kind()).isEqualTo(RouterChat.Kind.CONTENT);
        assertThat(RouterChat.event(finish).kind()).isEqualTo(RouterChat.Kind.OTHER);
        assertThat(RouterChat.event(usage)).isEqualTo(new RouterChat.Event(RouterChat.Kind.USAGE, 62, 64));
        assertThat(RouterChat.event("data: [DONE]").kind()).isEqualTo(RouterChat.Kind.DONE);
        assertThat(RouterChat.event("data:[DONE]").kind()).isEqualTo(RouterChat.Kind.DONE);
        assertThat(RouterChat.event("event:error").kind()).isEqualTo(RouterChat.Kind.OTHER);
        assertThat(RouterChat.event("data:{\"error\":{\"message\":\"m\",\"type\":\"server_error\",\"param\":null,"
                                + "\"code\":\"upstream_timeout\"}}")
                        .kind())
                .isEqualTo(RouterChat.Kind.ERROR);
        assertThat(RouterChat.event("").kind()).isEqualTo(RouterChat.Kind.OTHER);
    }

    @Test
    void should_end_a_stream_that_stops_sending_at_the_clients_timeout() throws Exception {
        // given: a server that sends the headers and one chunk, then nothing
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write("data:{\"choices\":[{\"delta\":{\"content\":\"H\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            // long enough for the headers and the first chunk on a loaded machine (300 ms was not, under a build)
            RouterChat chat = new RouterChat(server.getAddress().getPort(), Duration.ofSeconds(3));

            // when
            RouterChat.Answer answer = chat.streamed(RouterChat.body("bench", "hi", 8, 1, null, true));

            // then
            assertThat(answer.errorCode()).isEqualTo(RouterChat.CLIENT_TIMEOUT);
            assertThat(answer.contentChunks()).isEqualTo(1);
            assertThat(answer.ok()).isFalse();
            assertThat(answer.totalMs()).isLessThan(10_000);
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void should_read_the_error_code_of_an_error_body() {
        assertThat(
                        RouterChat.errorCode(
                                "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_busy\"}}"))
                .isEqualTo("upstream_busy");
        assertThat(RouterChat.errorCode("<html>")).isEqualTo("?");
    }

    @Test
    void should_ask_for_a_stream_with_usage_only_when_streaming() {
        assertThat(RouterChat.body("bench", "why \"blue\"?", 64, 42, null, true))
                .isEqualTo("{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"why \\\"blue\\\"?\"}],"
                        + "\"max_tokens\":64,\"seed\":42,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(RouterChat.body("bench", "hi", 8, 7, 0.5f, false))
                .isEqualTo("{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"max_tokens\":8,\"seed\":7,\"temperature\":0.5}");
    }

    @Test
    void should_take_median_and_p90_by_nearest_rank() {
        // given
        List<Double> values = List.of(10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0);

        // when
        InProcessReport.Spread spread = InProcessReport.Spread.of(values);

        // then
        assertThat(spread).isEqualTo(new InProcessReport.Spread(10, 5.0, 9.0, 1.0, 10.0));
        assertThat(spread.cell("%.1f")).isEqualTo("5.0 / 9.0 (1.0–10.0)");
        assertThat(InProcessReport.Spread.of(List.of()).cell("%.1f")).isEqualTo("–");
    }

    @Test
    void should_pass_each_target_up_to_its_limit_and_miss_beyond_it() {
        // given: the bare call at 1000 tokens/s and 4 ms to first token; a 100 MiB model
        InProcessReport.Path bare = path(4.0, 1000);
        long model = 100L << 20;
        InProcessReport.Memory within = memory(model, model + InProcessReport.RSS_ALLOWANCE_BYTES);
        InProcessReport.Memory beyond = memory(model, model + InProcessReport.RSS_ALLOWANCE_BYTES + 1024);

        // when
        List<InProcessReport.Verdict> atLimits = InProcessReport.verdicts(bare, path(6.0, 950), within);
        List<InProcessReport.Verdict> pastLimits = InProcessReport.verdicts(bare, path(6.01, 949), beyond);

        // then
        assertThat(atLimits).extracting(InProcessReport.Verdict::pass).containsExactly(true, true, true);
        assertThat(pastLimits).extracting(InProcessReport.Verdict::pass).containsExactly(false, false, false);
        assertThat(pastLimits.get(0).measured()).isEqualTo("949 vs 1000 tokens/s: 94.9%");
        assertThat(pastLimits.get(1).measured()).isEqualTo("6.01 ms − 4.00 ms = +2.01 ms");
        assertThat(pastLimits.get(2).limit()).isEqualTo("≤ 550.0 MiB (file 100.0 MiB + 450 MiB)");
    }

    @Test
    void should_judge_memory_on_the_higher_peak_of_the_two_routers() {
        // given: the first router within the limit, the second (queue limit 0) 1 MiB beyond it
        long model = 100L << 20;
        ProcStats.Process first = new ProcStats.Process(0, 0, 1, 500L << 10, 30);
        InProcessReport.Memory memory = new InProcessReport.Memory(model, first, first, null, 551L << 10);

        // when
        InProcessReport.Verdict verdict =
                InProcessReport.verdicts(path(4, 1000), path(4, 1000), memory).get(2);

        // then
        assertThat(verdict.pass()).isFalse();
        assertThat(verdict.measured()).isEqualTo("551.0 MiB");
    }

    @Test
    void should_write_its_figures_between_its_own_markers_and_leave_path_benchmarks_alone() throws Exception {
        // given
        Path file = temp.resolve("benchmarks.md");
        String pathFigures = PathReport.BEGIN + "\n\npath figures\n\n" + PathReport.END + "\n";
        Files.writeString(
                file,
                "# Benchmarks\n\n" + pathFigures + "\n" + InProcessReport.BEGIN + "\n\nold\n\n" + InProcessReport.END
                        + "\n\nafter\n");

        // when
        PathReport.writeInto(file, "new figures\n", InProcessReport.BEGIN, InProcessReport.END);

        // then
        assertThat(Files.readString(file))
                .isEqualTo("# Benchmarks\n\n" + pathFigures + "\n" + InProcessReport.BEGIN + "\n\nnew figures\n\n"
                        + InProcessReport.END + "\n\nafter\n");
    }

    @Test
    void should_write_a_policy_with_one_in_process_specialist_and_no_retries() {
        // when
        String yaml = BenchPolicy.inProcess("bench", Path.of("/models/tiny.gguf"), 1, 0, 16, 600);

        // then
        assertThat(yaml)
                .contains("  - name: \"bench\"\n    specialist: \"bench-slm\"\n")
                .contains("    provider: in-process\n    model-path: \"/models/tiny.gguf\"\n    threads: 1\n"
                        + "    max-concurrent: 1\n    queue-limit: 16\n    load: eager\n    timeout: 600s\n")
                .contains("        max-attempts: 1\n")
                .doesNotContain("context-size")
                .doesNotContain("system-prompt");
        assertThat(BenchPolicy.inProcess("bench", Path.of("/m.gguf"), 2, 2048, 0, 30))
                .contains("    queue-limit: 0\n")
                .contains("    context-size: 2048\n");
    }

    @Test
    void should_find_the_model_in_the_routers_health() {
        // given
        String health = "{\"status\":\"UP\",\"components\":{\"models\":{\"status\":\"UP\",\"details\":{\"models\":"
                + "{\"/tmp/tiny.gguf\":{\"state\":\"READY\",\"contextSize\":1024,\"running\":0,\"queued\":3}}}}}}";

        // then
        assertThat(InProcessBenchmark.modelDetails(health).path("state").asString())
                .isEqualTo("READY");
        assertThat(InProcessBenchmark.modelDetails(health).path("queued").asInt())
                .isEqualTo(3);
        assertThat(InProcessBenchmark.modelDetails("{\"status\":\"DOWN\"}")).isNull();
        assertThat(InProcessBenchmark.modelDetails("not json")).isNull();
    }

    private static InProcessReport.Path path(double firstTokenMs, double tokensPerSecond) {
        return new InProcessReport.Path(
                "p", "how", true, List.of(new InProcessReport.Sample(10, firstTokenMs, tokensPerSecond, 64)), 62);
    }

    private static InProcessReport.Memory memory(long model, long peakBytes) {
        ProcStats.Process end = new ProcStats.Process(0, 0, 1, peakBytes / 1024, 30);
        return new InProcessReport.Memory(model, end, end, null, 0);
    }
}
