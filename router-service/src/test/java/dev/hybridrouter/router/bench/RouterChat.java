package dev.hybridrouter.router.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Chat completions against the router with the JDK's {@link HttpClient} (HTTP/1.1, kept-alive connections), timed
 * as a caller sees them: a whole answer from sending to its last byte; a streamed one line by line as the SSE
 * body arrives, to the first chunk that carries content and to {@code [DONE]}, with the token counts of the
 * usage chunk ({@code stream_options.include_usage}). Every answer has the timeout, body included.
 */
final class RouterChat {

    /** The error code of an answer that did not come, whole, within the client's timeout. */
    static final String CLIENT_TIMEOUT = "client_timeout";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Ends reads that wait longer than the timeout: the JDK client's own timeout stops at the headers. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "routerchat-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** What an SSE line of a streamed chat completion is. */
    enum Kind {
        /** A chunk whose delta carries content (the first of them is the first token the caller sees). */
        CONTENT,
        /** The usage chunk. */
        USAGE,
        /** {@code data: [DONE]}, the end of the stream. */
        DONE,
        /** The data of an {@code error} event, which ends the stream without {@code [DONE]}. */
        ERROR,
        /** Anything else: a chunk without content (the finish reason), a blank line, an event name. */
        OTHER
    }

    /** One SSE line, with the usage chunk's token counts (0 otherwise). */
    record Event(Kind kind, int promptTokens, int completionTokens) {}

    /**
     * One answer, times in {@link System#nanoTime()} units.
     *
     * @param errorCode the {@code error.code} of a failed answer or of a stream's error event, else null
     * @param firstContentNanos when the first chunk with content arrived; 0 for whole answers or none
     * @param endNanos when the whole body (for a stream, {@code [DONE]}) had arrived
     * @param contentChunks chunks that carried content
     * @param complete a whole answer with {@code choices}, or a stream that ended with {@code [DONE]}
     */
    record Answer(
            int status,
            String errorCode,
            long startNanos,
            long firstContentNanos,
            long endNanos,
            int promptTokens,
            int completionTokens,
            int contentChunks,
            boolean complete) {

        boolean ok() {
            return status == 200 && complete && errorCode == null;
        }

        double totalMs() {
            return (endNanos - startNanos) / 1e6;
        }

        double firstContentMs() {
            return firstContentNanos == 0 ? 0 : (firstContentNanos - startNanos) / 1e6;
        }

        /** Completion tokens after the first, per second from the first content chunk to {@code [DONE]}. */
        double tokensPerSecond() {
            return completionTokens > 1 && firstContentNanos > 0 && endNanos > firstContentNanos
                    ? (completionTokens - 1) / ((endNanos - firstContentNanos) / 1e9)
                    : 0;
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI uri;
    private final Duration timeout;

    RouterChat(int port, Duration timeout) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
        this.timeout = timeout;
    }

    /**
     * The request body: one user message to {@code model}, at most {@code maxTokens} tokens, a fixed seed;
     * streamed with usage when {@code stream}.
     *
     * @param temperature null to leave it to the model's default
     */
    static String body(String model, String message, int maxTokens, long seed, Float temperature, boolean stream) {
        StringBuilder body = new StringBuilder("{\"model\":")
                .append(BenchPolicy.json(model))
                .append(",\"messages\":[{\"role\":\"user\",\"content\":")
                .append(BenchPolicy.json(message))
                .append("}],\"max_tokens\":")
                .append(maxTokens)
                .append(",\"seed\":")
                .append(seed);
        if (temperature != null) {
            body.append(",\"temperature\":").append(String.format(Locale.ROOT, "%s", temperature));
        }
        if (stream) {
            body.append(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        }
        return body.append('}').toString();
    }

    /**
     * What one line of the SSE body is. Chunks are told apart by their text, without parsing, except the usage
     * chunk (for its counts): the router writes JSON without spaces, and a quote inside content is escaped, so
     * {@code "content":"} and {@code "usage":{} only match the fields themselves.
     */
    static Event event(String line) {
        if (!line.startsWith("data:")) {
            return new Event(Kind.OTHER, 0, 0); // the error event's name line: its data line says more
        }
        String data = line.substring("data:".length()).strip();
        if (data.equals("[DONE]")) {
            return new Event(Kind.DONE, 0, 0);
        }
        if (data.contains("\"usage\":{")) {
            JsonNode usage = JSON.readTree(data).path("usage");
            return new Event(
                    Kind.USAGE,
                    usage.path("prompt_tokens").asInt(0),
                    usage.path("completion_tokens").asInt(0));
        }
        if (data.startsWith("{\"error\"")) {
            return new Event(Kind.ERROR, 0, 0);
        }
        if (data.contains("\"content\":\"")) {
            return new Event(Kind.CONTENT, 0, 0);
        }
        return new Event(Kind.OTHER, 0, 0);
    }

    /**
     * A streamed request, its body read line by line as it arrives. An answer not complete within the timeout
     * (headers and body) ends with the error code {@value #CLIENT_TIMEOUT}.
     */
    Answer streamed(String body) throws IOException, InterruptedException {
        HttpRequest request = request(body, "text/event-stream");
        long start = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            return timedOut(start);
        }
        InputStream in = response.body();
        AtomicBoolean timedOut = new AtomicBoolean();
        long left = Math.max(1, timeout.toNanos() - (System.nanoTime() - start));
        // closing the response's own stream (not the reader above it) wakes a read that waits for bytes
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(
                () -> {
                    timedOut.set(true);
                    close(in);
                },
                left,
                TimeUnit.NANOSECONDS);
        long first = 0;
        long end = 0;
        int prompt = 0;
        int completion = 0;
        int chunks = 0;
        String error = null;
        boolean done = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                StringBuilder text = new StringBuilder();
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    text.append(line).append('\n');
                }
                return new Answer(
                        response.statusCode(), errorCode(text.toString()), start, 0, System.nanoTime(), 0, 0, 0, false);
            }
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Event event = event(line);
                switch (event.kind()) {
                    case CONTENT -> {
                        if (chunks++ == 0) {
                            first = System.nanoTime();
                        }
                    }
                    case USAGE -> {
                        prompt = event.promptTokens();
                        completion = event.completionTokens();
                    }
                    case DONE -> {
                        end = System.nanoTime();
                        done = true;
                    }
                    case ERROR -> error = error != null ? error : errorCode(line.substring("data:".length()));
                    case OTHER -> {}
                }
            }
        } catch (IOException e) {
            if (!timedOut.get()) {
                throw e;
            }
        } finally {
            watchdog.cancel(false);
        }
        if (timedOut.get()) {
            return new Answer(200, CLIENT_TIMEOUT, start, first, System.nanoTime(), prompt, completion, chunks, false);
        }
        return new Answer(200, error, start, first, done ? end : System.nanoTime(), prompt, completion, chunks, done);
    }

    /** A whole (not streamed) request. One not answered within the timeout gets {@value #CLIENT_TIMEOUT}. */
    Answer whole(String body) throws IOException, InterruptedException {
        HttpRequest request = request(body, "application/json");
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> call =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return timedOut(start);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpTimeoutException) {
                return timedOut(start);
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        long end = System.nanoTime();
        if (response.statusCode() != 200) {
            return new Answer(response.statusCode(), errorCode(response.body()), start, 0, end, 0, 0, 0, false);
        }
        JsonNode json = JSON.readTree(response.body());
        JsonNode usage = json.path("usage");
        return new Answer(
                200,
                null,
                start,
                0,
                end,
                usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0),
                0,
                json.path("choices").size() > 0);
    }

    private static Answer timedOut(long start) {
        return new Answer(-1, CLIENT_TIMEOUT, start, 0, System.nanoTime(), 0, 0, 0, false);
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private HttpRequest request(String body, String accept) {
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    /** The {@code error.code} of an error body, {@code "?"} when it has none or is not JSON. */
    static String errorCode(String body) {
        try {
            JsonNode code = JSON.readTree(body.strip()).path("error").path("code");
            return code.isString() ? code.asString() : "?";
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
