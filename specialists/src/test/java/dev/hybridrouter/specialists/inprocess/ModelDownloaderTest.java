package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a local HTTP server (JDK {@code HttpServer} on loopback); nothing leaves the machine. */
class ModelDownloaderTest {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    @TempDir
    Path cache;

    HttpServer server;
    byte[] model;
    String sha256;
    final List<String> ranges = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    /** Bytes to send before dropping the connection on the first request; -1 for no drop. */
    volatile int dropFirstAfter = -1;

    volatile boolean ignoreRange;

    final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        model = new byte[3 * 1024 * 1024 + 123];
        new Random(1).nextBytes(model);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/tiny.gguf", this::serve);
        server.createContext("/missing.gguf", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        int n = requests.incrementAndGet();
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(String.valueOf(range));
        int from = 0;
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (matcher != null && matcher.matches() && !ignoreRange) {
            from = Integer.parseInt(matcher.group(1));
            exchange.getResponseHeaders()
                    .set("Content-Range", "bytes " + from + "-" + (model.length - 1) + "/" + model.length);
            exchange.sendResponseHeaders(206, model.length - from);
        } else {
            exchange.sendResponseHeaders(200, model.length);
        }
        OutputStream body = exchange.getResponseBody();
        try {
            if (n == 1 && dropFirstAfter >= 0) {
                body.write(model, from, dropFirstAfter);
                body.flush();
                // Closing the exchange short of its Content-Length drops the connection.
                throw new IOException("dropping the connection on purpose");
            }
            body.write(model, from, model.length - from);
        } finally {
            exchange.close();
        }
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/tiny.gguf");
    }

    private ModelDownloader downloader() {
        return ModelDownloader.builder()
                .cacheDir(cache)
                .progress(new PrintStream(output, true, StandardCharsets.UTF_8))
                .interactive(false)
                .retryDelay(Duration.ZERO)
                .build();
    }

    private String progress() {
        return output.toString(StandardCharsets.UTF_8);
    }

    @Test
    void should_download_verify_and_report_progress() throws IOException {
        Path file = downloader().fetch(url(), sha256);

        assertThat(file).isEqualTo(cache.resolve("tiny.gguf"));
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(cache.resolve("tiny.gguf.part")).doesNotExist();
        assertThat(progress())
                .contains("Downloading tiny.gguf (3.0 MiB) from " + url())
                .contains("[##########----------]  50%")
                .contains("100%  3.0 MiB / 3.0 MiB")
                .contains("/s")
                .contains("Saved " + file + " (3.0 MiB, sha256 verified)");
        // Not a terminal: a line per 10%, not one per buffer.
        assertThat(progress().lines().filter(l -> l.startsWith("tiny.gguf ["))).hasSizeBetween(10, 11);
    }

    @Test
    void should_delete_a_download_whose_checksum_does_not_match() {
        String wrong = "0".repeat(64);

        assertThatThrownBy(() -> downloader().fetch(url(), wrong))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining(sha256)
                .hasMessageContaining(cache.resolve("tiny.gguf").toString());
        assertThat(cache.resolve("tiny.gguf")).doesNotExist();
        assertThat(cache.resolve("tiny.gguf.part")).doesNotExist();
    }

    @Test
    void should_resume_an_interrupted_transfer_with_a_range_request() throws IOException {
        dropFirstAfter = 1024 * 1024;

        Path file = downloader().fetch(url(), sha256);

        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(0)).isEqualTo("null");
        assertThat(ranges.get(1)).matches("bytes=\\d+-");
        int resumedAt = Integer.parseInt(ranges.get(1).replaceAll("\\D", ""));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(dropFirstAfter);
        assertThat(progress()).contains("retrying (2/3)").contains("Resuming tiny.gguf at");
    }

    @Test
    void should_resume_a_part_file_left_by_an_earlier_run() throws IOException {
        Files.write(cache.resolve("tiny.gguf.part"), Arrays.copyOf(model, 1000));

        Path file = downloader().fetch(url(), sha256);

        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(ranges).containsExactly("bytes=1000-");
    }

    @Test
    void should_start_again_when_the_server_ignores_the_range() throws IOException {
        Files.write(cache.resolve("tiny.gguf.part"), Arrays.copyOf(model, 1000));
        ignoreRange = true;

        Path file = downloader().fetch(url(), sha256);

        assertThat(Files.readAllBytes(file)).isEqualTo(model);
    }

    @Test
    void should_use_a_verified_cached_file_without_the_network() throws IOException {
        downloader().fetch(url(), sha256);
        server.stop(0);
        requests.set(0);

        Path again = downloader().fetch(unreachable(), sha256, "tiny.gguf");

        assertThat(again).isEqualTo(cache.resolve("tiny.gguf"));
        assertThat(requests).hasValue(0);
        assertThat(progress()).contains("Using " + again);
    }

    @Test
    void should_say_how_to_place_the_file_by_hand_when_offline_without_it() {
        URI offline = unreachable();

        assertThatThrownBy(() -> downloader().fetch(offline, sha256))
                .isInstanceOfSatisfying(ModelDownloadException.class, e -> {
                    assertThat(e.file()).isEqualTo(cache.resolve("tiny.gguf"));
                    assertThat(e.url()).isEqualTo(offline);
                })
                .hasMessageContaining(cache.resolve("tiny.gguf").toString())
                .hasMessageContaining(offline.toString())
                .hasMessageContaining("could not be downloaded")
                .hasMessageContaining("sha256sum " + cache.resolve("tiny.gguf"))
                .hasMessageContaining(sha256);
    }

    @Test
    void should_not_retry_a_missing_url() {
        URI missing = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/missing.gguf");

        assertThatThrownBy(() -> downloader().fetch(missing, sha256))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("copy it to " + cache.resolve("missing.gguf"));
    }

    @Test
    void should_refuse_a_malformed_checksum() {
        assertThatThrownBy(() -> downloader().fetch(url(), "abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void should_wait_for_another_process_downloading_the_same_file_and_use_its_download() throws Exception {
        Path source = Files.write(cache.resolveSibling(cache.getFileName() + "-source.gguf"), model);
        Process other = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OtherProcess.class.getName(),
                        cache.resolve("tiny.gguf.lock").toString(),
                        source.toString(),
                        cache.resolve("tiny.gguf").toString())
                .redirectErrorStream(true)
                .start();
        try (var fromOther = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
                var toOther = new PrintWriter(other.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertThat(fromOther.readLine()).isEqualTo("locked");

            var fetched = CompletableFuture.supplyAsync(() -> downloader().fetch(url(), sha256));
            await().atMost(Duration.ofSeconds(30)).until(() -> progress().contains("Waiting for another process"));
            assertThat(fetched).isNotDone();
            toOther.println("done");

            assertThat(fetched.get(30, TimeUnit.SECONDS)).isEqualTo(cache.resolve("tiny.gguf"));
        } finally {
            other.destroy();
        }
        assertThat(requests).hasValue(0);
        assertThat(progress()).contains("Using " + cache.resolve("tiny.gguf"));
    }

    /**
     * Another process sharing the cache: takes the download lock, says {@code locked}, and when told to on
     * stdin puts the finished file in place and ends (which releases the lock).
     */
    public static final class OtherProcess {
        public static void main(String[] args) throws IOException {
            Files.createDirectories(Path.of(args[0]).getParent());
            try (var channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    var lock = channel.lock()) {
                System.out.println("locked");
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                Files.copy(Path.of(args[1]), Path.of(args[2]));
            }
        }
    }

    /** A loopback port nobody listens on. */
    private static URI unreachable() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/models/tiny.gguf");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
