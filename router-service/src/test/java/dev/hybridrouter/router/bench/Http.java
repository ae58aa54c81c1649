package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Small blocking HTTP helpers for setting up a run: free ports, polling until a process answers. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Http() {}

    /** A port of 127.0.0.1 that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** The status and body of {@code GET url}, or status -1 and the reason when no answer came. */
    static Answer get(String url) {
        try {
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    record Answer(int status, String body) {}

    /** Polls {@code GET url} until it answers 200; see {@link #await}. */
    static void awaitOk(String name, ChildProcess process, String url, Duration timeout, Path otherLog)
            throws InterruptedException {
        await(name, process, url, timeout, otherLog, answer -> answer.status() == 200);
    }

    /**
     * Polls {@code GET url} every 50 ms until an answer passes {@code ready}.
     *
     * @return the last answer
     * @throws BenchmarkFailure naming the process, with the end of its log, if it ended or did not get
     *     ready within {@code timeout}
     */
    static Answer await(
            String name, ChildProcess process, String url, Duration timeout, Path otherLog, Predicate<Answer> ready)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = new Answer(-1, "no attempt");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BenchmarkFailure(String.format(
                        "%s ended with status %d before it answered %s; the end of its log (%s):%n%s%s",
                        name, process.exitValue(), url, process.log(), process.logTail(40), tail(otherLog)));
            }
            last = get(url);
            if (ready.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new BenchmarkFailure(String.format(
                "%s did not get ready within %d s: GET %s last answered %s %s; the end of its log (%s):%n%s%s",
                name,
                timeout.toSeconds(),
                url,
                last.status() < 0 ? "nothing:" : last.status(),
                last.body().length() > 300 ? last.body().substring(0, 300) + "…" : last.body(),
                process.log(),
                process.logTail(40),
                tail(otherLog)));
    }

    private static String tail(Path log) {
        if (log == null || !Files.exists(log)) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n" + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
