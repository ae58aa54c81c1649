package dev.hybridrouter.router.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.bench.HostileBodies.Large;
import dev.hybridrouter.router.bench.LoadGenerator.Request;
import dev.hybridrouter.router.bench.MemoryReport.Answer;
import dev.hybridrouter.router.bench.MemoryReport.Checkpoint;
import dev.hybridrouter.router.bench.MemoryReport.Criterion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** The memory benchmark's pure parts; the run itself needs the jar (docs/benchmarks.md). */
class MemoryBenchmarkTest {

    private static final String SUMMARY =
            """
            19065:

            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=7842527KB, committed=484743KB
                   malloc: 10135KB #61183
                   mmap:   reserved=7832392KB, committed=474608KB

            -                 Java Heap (reserved=6172672KB, committed=397312KB)
                                        (mmap: reserved=6172672KB, committed=397312KB)

            -                     Class (reserved=1048785KB, committed=1361KB)
                                        (classes #2498)

            -                    Thread (reserved=19506KB, committed=890KB)
                                        (thread #19)
                                        (stack: reserved=19456KB, committed=840KB)

            -                      Code (reserved=247872KB, committed=7732KB)
                                        (malloc=184KB #1848) (at peak)

            -    Native Memory Tracking (reserved=969KB, committed=969KB)
                                        (tracking overhead=956KB)
            """;

    @TempDir
    Path temp;

    @Test
    void should_read_the_total_the_categories_and_the_threads_of_a_native_memory_summary() {
        // when
        NativeMemory.Summary summary = NativeMemory.parse(SUMMARY).orElseThrow();

        // then
        assertThat(summary.totalCommittedKib()).isEqualTo(484743);
        assertThat(summary.categories().keySet())
                .containsExactly("Java Heap", "Class", "Thread", "Code", "Native Memory Tracking");
        assertThat(summary.categories().get("Java Heap").reservedKib()).isEqualTo(6172672);
        assertThat(summary.committedKib("Code")).isEqualTo(7732);
        assertThat(summary.committedKib("Internal")).isZero();
        assertThat(summary.threads()).isEqualTo(19);
    }

    @Test
    void should_find_no_summary_when_native_memory_tracking_is_off() {
        assertThat(NativeMemory.parse("19065:\nNative memory tracking is not enabled\n"))
                .isEmpty();
    }

    @Test
    void should_tell_typed_errors_from_untyped_ones() {
        String busy =
                """
                {"error":{"message":"upstream 'cloud' is busy","type":"server_error","param":null,"code":"upstream_busy"}}""";
        String invalid =
                """
                {"error":{"message":"'messages' is required","type":"invalid_request_error","param":"messages","code":null}}""";
        String internal =
                """
                {"error":{"message":"Internal error","type":"server_error","param":null,"code":null}}""";

        assertThat(MemoryReport.classify(200, "{\"object\":\"chat.completion\",\"choices\":[]}"))
                .isEqualTo(Answer.OK);
        assertThat(MemoryReport.classify(200, "data: {}\n\ndata: [DONE]\n\n")).isEqualTo(Answer.OK);
        assertThat(MemoryReport.classify(200, "data: {}\n\nevent:error\ndata: {}\n\n"))
                .isEqualTo(Answer.BROKEN_OK);
        assertThat(MemoryReport.classify(400, invalid)).isEqualTo(Answer.CLIENT_ERROR);
        assertThat(MemoryReport.classify(503, busy)).isEqualTo(Answer.UPSTREAM_ERROR);
        assertThat(MemoryReport.classify(502, busy))
                .as("a code the catalogue gives another status")
                .isEqualTo(Answer.UNTYPED);
        assertThat(MemoryReport.classify(500, internal)).isEqualTo(Answer.UNTYPED);
        assertThat(MemoryReport.classify(502, "<html>Bad Gateway</html>")).isEqualTo(Answer.UNTYPED);
        assertThat(MemoryReport.classify(400, "{\"error\":{\"message\":\"no\",\"type\":\"x\"}}"))
                .as("an error body without param and code")
                .isEqualTo(Answer.UNTYPED);
        assertThat(MemoryReport.classify(0, "connection reset")).isEqualTo(Answer.LOST);
    }

    @Test
    void should_make_each_large_body_near_or_over_the_limit_it_names() {
        int maxCharacters = 500_000;
        for (Large kind : Large.values()) {
            byte[] body = HostileBodies.body(kind, 7);
            JsonNode request = WireJson.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            int messages = request.path("messages").size();
            long characters = 0;
            Set<String> distinct = new java.util.HashSet<>();
            for (JsonNode message : request.path("messages")) {
                characters += message.path("content").asString().length();
                distinct.add(message.path("content").asString());
            }
            String what =
                    kind + ": " + body.length + " bytes, " + messages + " messages, " + characters + " characters";
            switch (kind) {
                case WIDE_TEXT -> {
                    assertThat(body.length).as(what).isBetween(900 * 1024, HostileBodies.MAX_REQUEST_BYTES);
                    assertThat(characters).as(what).isLessThan(maxCharacters);
                }
                case OVER_CHARACTERS -> {
                    assertThat(body.length).as(what).isBetween(900 * 1024, HostileBodies.MAX_REQUEST_BYTES);
                    assertThat(characters).as(what).isGreaterThan(maxCharacters);
                }
                case MANY_MESSAGES -> {
                    assertThat(messages).as(what).isEqualTo(1000);
                    assertThat(characters).as(what).isLessThan(maxCharacters);
                    assertThat(distinct).as(what).hasSizeLessThan(16);
                }
                case MANY_DISTINCT -> {
                    assertThat(messages).as(what).isEqualTo(1000);
                    assertThat(distinct).as(what).hasSizeGreaterThan(256);
                }
                case TOO_MANY_MESSAGES -> assertThat(messages).as(what).isEqualTo(1001);
                case OVER_SIZE -> assertThat(body.length).as(what).isGreaterThan(HostileBodies.MAX_REQUEST_BYTES);
            }
            assertThat(request.path("messages").get(messages - 1).path("role").asString())
                    .as(what)
                    .isEqualTo("user");
            assertThat(new String(body, StandardCharsets.UTF_8))
                    .as("holds its index")
                    .contains("request 7: ");
        }
    }

    @Test
    void should_make_one_body_in_twenty_large_the_kinds_in_turn() {
        List<Large> kinds = java.util.stream.IntStream.range(0, 240)
                .mapToObj(i -> HostileBodies.largeAt(i, 0.05))
                .filter(java.util.Objects::nonNull)
                .toList();

        assertThat(kinds).hasSize(12);
        assertThat(kinds.subList(0, 6)).containsExactly(Large.values());
        assertThat(HostileBodies.largeAt(19, 0.05)).isEqualTo(Large.WIDE_TEXT);
        assertThat(HostileBodies.largeAt(18, 0.05)).isNull();
        assertThat(HostileBodies.largeAt(19, 0)).isNull();
    }

    @Test
    void should_plan_distinct_texts_the_same_for_a_seed() {
        List<Request> plan = MemoryBenchmark.plan(2000, 3, 0.2);

        assertThat(plan).isEqualTo(MemoryBenchmark.plan(2000, 3, 0.2));
        assertThat(plan.stream().map(Request::text).collect(Collectors.toSet())).hasSize(2000);
        assertThat(plan.stream().filter(Request::streaming).count()).isBetween(300L, 500L);
        assertThat(plan.stream().filter(Request::escalating).count()).isEqualTo(500);
    }

    @Test
    void should_run_the_router_with_the_charts_options_when_a_container_memory_is_given() throws Exception {
        // given
        MemoryBenchmark plain = parse();
        MemoryBenchmark container = parse("--container-memory", "1g", "--router-jvm-args", "-Xss512k");
        MemoryBenchmark untracked = parse("--no-native-memory-tracking");

        // then
        assertThat(plain.jvmArguments()).containsExactly("-XX:NativeMemoryTracking=summary");
        assertThat(container.jvmArguments())
                .containsExactly(
                        "-XX:NativeMemoryTracking=summary",
                        "-XX:MaxRAM=1g",
                        "-XX:MaxRAMPercentage=75",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Xss512k");
        assertThat(untracked.jvmArguments()).isEmpty();
        assertThat(plain.threadBound()).isEqualTo(64 + 4 * Runtime.getRuntime().availableProcessors());
        assertThat(parse("--max-threads", "90").threadBound()).isEqualTo(90);
        // the chart's options are the ones the benchmark emulates
        assertThat(Files.readString(Path.of("../helm/hybrid-router/values.yaml")))
                .contains("javaToolOptions: \"" + String.join(" ", MemoryBenchmark.CHART_JVM_OPTIONS) + "\"");
    }

    @Test
    void should_pass_a_run_that_stays_under_the_bound_and_does_not_grow_while_idle() {
        MemoryReport report = report(600, 610, 700, 60, 60);

        assertThat(report.criteria()).allMatch(Criterion::passed);
        assertThat(report.passed()).isTrue();
    }

    @Test
    void should_fail_a_run_whose_rss_is_over_the_bound_or_grows_or_whose_threads_grow_while_idle() {
        assertThat(failed(report(900, 900, 900, 60, 60)))
                .containsExactly(
                        "RSS after the load at most 870 MiB (the 1024 MiB limit less 15%)",
                        "peak RSS (VmHWM) over the whole run at most 870 MiB");
        assertThat(failed(report(600, 640, 700, 60, 60)))
                .containsExactly(
                        "no growth while idle: RSS after the idle period at most RSS after the load + 16 MiB, threads no more");
        assertThat(failed(report(600, 600, 700, 60, 61))).hasSize(1);
        assertThat(failed(report(600, 600, 700, 120, 120)))
                .containsExactly("threads bounded: at most 100 at every sample");
    }

    @Test
    void should_write_between_its_own_markers_and_leave_the_other_figures_alone() throws Exception {
        // given
        Path file = temp.resolve("benchmarks.md");
        String paths = PathReport.BEGIN + "\n\npath figures\n\n" + PathReport.END + "\n";
        Files.writeString(
                file,
                "# Benchmarks\n\n" + paths + "\n## Memory\n\n" + MemoryReport.BEGIN + "\n\nold\n\n" + MemoryReport.END
                        + "\n\nafter\n");

        // when
        PathReport.writeInto(file, "new figures\n", MemoryReport.BEGIN, MemoryReport.END);

        // then
        assertThat(Files.readString(file))
                .isEqualTo("# Benchmarks\n\n" + paths + "\n## Memory\n\n" + MemoryReport.BEGIN + "\n\nnew figures\n\n"
                        + MemoryReport.END + "\n\nafter\n");
    }

    private static MemoryBenchmark parse(String... arguments) {
        MemoryBenchmark benchmark = new MemoryBenchmark();
        new CommandLine(benchmark).parseArgs(arguments);
        return benchmark;
    }

    /** A run whose router had these RSS figures (MiB) after the load, after idling and at its peak. */
    private static MemoryReport report(
            int afterLoadMib, int afterIdleMib, int peakMib, int threadsAfterLoad, int threadsAfterIdle) {
        List<Checkpoint> checkpoints = List.of(
                checkpoint("ready", 400, 400, 40),
                checkpoint("after hostile bodies", 500, 500, 50),
                checkpoint("after load", afterLoadMib, peakMib, threadsAfterLoad),
                checkpoint("after idle", afterIdleMib, peakMib, threadsAfterIdle));
        return new MemoryReport(
                Map.of(),
                checkpoints,
                List.of(new MemoryReport.Sent(0, "fuzzed", 100, 400, Answer.CLIENT_ERROR, "")),
                1000,
                List.of(),
                0,
                Map.of(),
                Map.of(),
                new MemoryReport.Limits(1024 * 1024, 0.15, 100));
    }

    private static Checkpoint checkpoint(String name, int rssMib, int peakMib, int threads) {
        return new Checkpoint(
                name,
                new ProcStats.Process(0, 0, rssMib * 1024L, peakMib * 1024L, threads),
                null,
                Map.of("reactor-http-epoll-N", 4),
                rssMib * 1024L,
                threads);
    }

    private static List<String> failed(MemoryReport report) {
        return report.criteria().stream()
                .filter(c -> !c.passed())
                .map(Criterion::name)
                .toList();
    }
}
