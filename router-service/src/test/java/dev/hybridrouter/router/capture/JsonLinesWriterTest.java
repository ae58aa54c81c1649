package dev.hybridrouter.router.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class JsonLinesWriterTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final MeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void should_write_one_json_line_per_exchange_that_parses_back_when_drained() throws IOException {
        JsonLinesWriter<CapturedExchange> writer = writer(1_000_000, 10);
        CapturedExchange first = exchange("Where is my order? Mail me at <EMAIL_1>");
        CapturedExchange second = exchange("Cancel it");

        writer.offer(first);
        writer.offer(second);
        writer.drain();

        assertThat(captureFiles())
                .extracting(Path::getFileName)
                .map(Path::toString)
                .containsExactly("capture-20250601T120000Z-1.jsonl");
        List<String> lines = Files.readAllLines(captureFiles().get(0));
        assertThat(lines.get(0))
                .isEqualTo(
                        """
                        {"time":"2025-06-01T12:00:00Z","policy":"shop","domain":"orders","confidence":0.41,\
                        "reason":"low-confidence","largeModel":"gpt","messages":[{"role":"system","content":"Be brief."},\
                        {"role":"user","content":"Where is my order? Mail me at <EMAIL_1>"}],\
                        "tools":[],"answer":{"role":"assistant","content":"I will write to <EMAIL_1>."}}""");
        assertThat(lines)
                .map(line -> JSON.readValue(line, CapturedExchange.class))
                .containsExactly(first, second);
        assertThat(counter("router.capture.written")).isEqualTo(2);
        assertThat(counter("router.capture.dropped")).isZero();
    }

    @Test
    void should_rotate_to_a_new_file_when_the_next_line_would_pass_max_file_bytes() throws IOException {
        long lineBytes = JSON.writeValueAsBytes(exchange("q1")).length + 1;
        JsonLinesWriter<CapturedExchange> writer = writer(2 * lineBytes, 10);

        for (int i = 1; i <= 5; i++) {
            writer.offer(exchange("q" + i));
        }
        writer.drain();

        assertThat(captureFiles())
                .extracting(Path::getFileName)
                .map(Path::toString)
                .containsExactly(
                        "capture-20250601T120000Z-1.jsonl",
                        "capture-20250601T120000Z-2.jsonl",
                        "capture-20250601T120000Z-3.jsonl");
        assertThat(captureFiles()).map(Files::size).containsExactly(2 * lineBytes, 2 * lineBytes, lineBytes);
        assertThat(counter("router.capture.written")).isEqualTo(5);
    }

    @Test
    void should_delete_capture_files_older_than_the_retention_when_starting() throws IOException {
        Path captureDir = Files.createDirectories(dir.resolve("capture"));
        Path expired = file(captureDir.resolve("capture-20250401T000000Z-1.jsonl"), NOW.minus(RETENTION.plusDays(1)));
        Path kept = file(captureDir.resolve("capture-20250501T000000Z-1.jsonl"), NOW.minus(RETENTION.minusDays(1)));
        Path notCapture = file(captureDir.resolve("notes.txt"), NOW.minus(RETENTION.plusDays(1)));

        writer(1_000_000, 10);

        assertThat(expired).doesNotExist();
        assertThat(kept).exists();
        assertThat(notCapture).exists();
    }

    @Test
    void should_delete_capture_files_older_than_the_retention_when_rotating() throws IOException {
        long lineBytes = JSON.writeValueAsBytes(exchange("q1")).length + 1;
        JsonLinesWriter<CapturedExchange> writer = writer(2 * lineBytes, 10);
        writer.offer(exchange("q1"));
        writer.drain();
        Path expired = file(dir.resolve("capture/capture-20250401T000000Z-1.jsonl"), NOW.minus(RETENTION.plusDays(1)));

        writer.offer(exchange("q2"));
        writer.drain();
        assertThat(expired).exists();
        writer.offer(exchange("q3"));
        writer.drain();

        assertThat(expired).doesNotExist();
        assertThat(captureFiles()).hasSize(2);
    }

    @Test
    void should_drop_and_count_without_blocking_when_the_queue_is_full() throws IOException {
        JsonLinesWriter<CapturedExchange> writer = writer(1_000_000, 2);

        List<Boolean> offered = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Stream.of("q1", "q2", "q3")
                .map(question -> writer.offer(exchange(question)))
                .toList());
        writer.drain();

        assertThat(offered).containsExactly(true, true, false);
        assertThat(counter("router.capture.dropped")).isEqualTo(1);
        assertThat(counter("router.capture.written")).isEqualTo(2);
        assertThat(Files.readAllLines(captureFiles().get(0))).hasSize(2);
    }

    @Test
    void should_write_everything_queued_and_refuse_more_when_closed() throws IOException {
        JsonLinesWriter<CapturedExchange> writer =
                JsonLinesWriter.start(JsonLinesWriter.Output.capture(settings(1_000_000, 100)), clock, meters);
        for (int i = 1; i <= 50; i++) {
            writer.offer(exchange("q" + i));
        }

        writer.close();

        assertThat(Files.readAllLines(captureFiles().get(0))).hasSize(50);
        assertThat(counter("router.capture.written")).isEqualTo(50);
        assertThat(writer.offer(exchange("late"))).isFalse();
        assertThat(counter("router.capture.dropped")).isEqualTo(1);
    }

    @Test
    void should_count_drops_and_not_throw_when_the_directory_cannot_be_written() throws IOException {
        Files.writeString(dir.resolve("capture"), "a file where the directory should be");
        JsonLinesWriter<CapturedExchange> writer = writer(1_000_000, 10);

        assertThat(writer.offer(exchange("q1"))).isTrue();
        assertThatNoException().isThrownBy(writer::drain);

        assertThat(counter("router.capture.dropped")).isEqualTo(1);
        assertThat(counter("router.capture.written")).isZero();
    }

    static CapturedExchange exchange(String question) {
        return new CapturedExchange(
                NOW,
                "shop",
                "orders",
                0.41,
                "low-confidence",
                "gpt",
                List.of(ChatMessage.system("Be brief."), ChatMessage.user(question)),
                List.of(),
                ChatMessage.assistant("I will write to <EMAIL_1>."));
    }

    private JsonLinesWriter<CapturedExchange> writer(long maxFileBytes, int queueSize) {
        return new JsonLinesWriter<>(JsonLinesWriter.Output.capture(settings(maxFileBytes, queueSize)), clock, meters);
    }

    private Policy.Capture settings(long maxFileBytes, int queueSize) {
        return new Policy.Capture(dir.resolve("capture").toString(), maxFileBytes, RETENTION, queueSize);
    }

    private List<Path> captureFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("capture"))) {
            return files.sorted().toList();
        }
    }

    private static Path file(Path path, Instant lastModified) throws IOException {
        Files.writeString(path, "{}\n");
        return Files.setLastModifiedTime(path, FileTime.from(lastModified));
    }

    private double counter(String name) {
        return meters.get(name).counter().count();
    }
}
