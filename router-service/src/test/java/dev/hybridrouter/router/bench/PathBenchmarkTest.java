package dev.hybridrouter.router.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request-path benchmark's pure parts; the run itself needs wrk, nginx and the jar (docs/benchmarks.md). */
class PathBenchmarkTest {

    @TempDir
    Path temp;

    @Test
    void should_see_a_stream_request_when_the_body_sets_stream_true() {
        assertThat(stream("{\"model\":\"auto\",\"stream\":true}")).isTrue();
        assertThat(stream("{\"stream\" :\n true,\"model\":\"auto\"}")).isTrue();
        assertThat(stream("{\"model\":\"auto\",\"stream\":false}")).isFalse();
        assertThat(stream("{\"model\":\"auto\",\"stream_options\":{\"include_usage\":true}}"))
                .isFalse();
        assertThat(stream("{\"messages\":[{\"content\":\"say \\\"stream\\\": true\"}]}"))
                .isFalse();
    }

    @Test
    void should_read_the_line_the_lua_script_prints() {
        Wrk.Result result = Wrk.parse(
                """
                Running 1s test @ http://127.0.0.1:1
                PATHBENCH requests=1000 duration_us=2000000 bytes=5 responses=1000 non2xx=2 incomplete=1 \
                escalated=300 degraded=0 connect=0 read=3 write=0 status=2 timeout=4 p50_us=1500 \
                p90_us=2500 p99_us=9000 max_us=12000 mean_us=1700.5
                """,
                List.of("wrk"));

        assertThat(result.requestsPerSecond()).isEqualTo(500.0);
        assertThat(result.errors()).isEqualTo(2 + 1 + 3 + 4);
        assertThat(result.escalated()).isEqualTo(300);
        assertThat(result.p99Micros()).isEqualTo(9000);
    }

    @Test
    void should_fail_clearly_when_the_script_printed_nothing() {
        assertThatThrownBy(() -> Wrk.parse("PANIC: unprotected error in call to Lua API", List.of("wrk")))
                .isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("no PATHBENCH line");
    }

    @Test
    void should_replace_only_what_lies_between_the_markers() throws Exception {
        Path file = temp.resolve("benchmarks.md");
        Files.writeString(
                file, "# Benchmarks\n\nbefore\n\n" + PathReport.BEGIN + "\n\nold\n\n" + PathReport.END + "\n\nafter\n");

        PathReport.writeInto(file, "new figures\n");

        assertThat(Files.readString(file))
                .isEqualTo("# Benchmarks\n\nbefore\n\n" + PathReport.BEGIN + "\n\nnew figures\n\n" + PathReport.END
                        + "\n\nafter\n");
    }

    @Test
    void should_append_the_figures_when_the_file_has_no_markers() throws Exception {
        Path file = temp.resolve("other.md");
        Files.writeString(file, "# Other\n");

        PathReport.writeInto(file, "figures");

        assertThat(Files.readString(file))
                .isEqualTo("# Other\n\n" + PathReport.BEGIN + "\n\nfigures\n\n" + PathReport.END + "\n");
    }

    @Test
    void should_write_policy_strings_as_json_literals() {
        assertThat(BenchPolicy.json("it's \"quoted\" \\ and\ttabbed\u0001"))
                .isEqualTo("\"it's \\\"quoted\\\" \\\\ and\\ttabbed\\u0001\"");
        String yaml = BenchPolicy.yaml(Map.of("alarm", List.of("wake me up")), "http://127.0.0.1:1/v1", 1024, true);
        assertThat(yaml)
                .contains("  max-concurrent-calls: 1024\n")
                .contains("      - \"wake me up\"\n")
                .contains("    base-url: \"http://127.0.0.1:1/v1\"\n")
                .contains("    api-key-env: " + BenchPolicy.API_KEY_ENV + "\n")
                .doesNotContain("fast-stage");
        assertThat(BenchPolicy.yaml(Map.of("alarm", List.of("wake me up")), "http://127.0.0.1:1/v1", 1024, false))
                .contains("classifier:\n  embedding-model: all-minilm-l6-v2-q\n  threshold: 0.55\n"
                        + "  fast-stage: {enabled: false}\n");
    }

    @Test
    void should_count_cpu_by_thread_with_numbers_folded() {
        ThreadCpu cpu = ThreadCpu.between(
                Map.of(1L, new ProcStats.ThreadTime("upstream-call-1", 10, 1)),
                Map.of(
                        1L, new ProcStats.ThreadTime("upstream-call-1", 30, 1),
                        2L, new ProcStats.ThreadTime("upstream-call-2", 20, 0),
                        3L, new ProcStats.ThreadTime("idle", 0, 0)));

        assertThat(cpu.markdown(10, 400)).contains("| `upstream-call-N` | 2 | 0.40 | 0.00 | 100.0% | 1.000 |");
    }

    private static boolean stream(String body) {
        return FastFakeUpstream.asksForStream(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }
}
