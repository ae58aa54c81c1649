package dev.hybridrouter.router.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs wrk, in a process of its own, with the harness's Lua script, and reads what the script printed. */
final class Wrk implements AutoCloseable {

    /** What one kind of request is: the script's arguments after {@code --}. */
    record Load(String mode, boolean stream, Path texts) {}

    /**
     * One wrk run, as its script's {@code done()} told it. Latencies in microseconds.
     *
     * @param non2xx answers with a status outside 200-299
     * @param incomplete 2xx answers without a complete body ({@code "choices"}, or a stream's {@code [DONE]})
     * @param socketErrors connect, read and write errors
     * @param timeouts requests with no answer within wrk's {@code --timeout}
     */
    record Result(
            long requests,
            long durationMicros,
            long bytes,
            long non2xx,
            long incomplete,
            long escalated,
            long degraded,
            long socketErrors,
            long timeouts,
            long p50Micros,
            long p90Micros,
            long p99Micros,
            long maxMicros) {

        double requestsPerSecond() {
            return durationMicros == 0 ? 0 : requests * 1e6 / durationMicros;
        }

        /** Requests that did not get a complete 2xx answer, socket errors and timeouts. */
        long errors() {
            return non2xx + incomplete + socketErrors + timeouts;
        }
    }

    private final Path wrk;
    private final Path script;
    private final Path directory;
    private final int maxThreads;
    private final Duration timeout;
    /** Sent as {@code Authorization: Bearer} with every request, or null for none. */
    private final String apiKey;

    private int runs;
    private volatile ChildProcess current;

    /**
     * @param maxThreads wrk's threads: this many, or fewer when there are fewer connections
     * @param timeout a request not answered after this long counts as a timeout error
     */
    Wrk(Path wrk, Path script, Path directory, int maxThreads, Duration timeout, String apiKey) {
        this.apiKey = apiKey;
        this.wrk = wrk;
        this.script = script;
        this.directory = directory;
        this.maxThreads = maxThreads;
        this.timeout = timeout;
    }

    /**
     * Runs wrk against {@code url} with {@code connections} connections for {@code duration}.
     *
     * @throws BenchmarkFailure if wrk fails or its script printed no result
     */
    Result run(String url, int connections, Duration duration, Load load) throws InterruptedException {
        int run = ++runs;
        int threads = Math.max(1, Math.min(maxThreads, connections));
        List<String> command = new ArrayList<>(List.of(
                wrk.toString(),
                "-t" + threads,
                "-c" + connections,
                "-d" + Math.max(1, duration.toSeconds()) + "s",
                "--timeout",
                Math.max(1, timeout.toSeconds()) + "s",
                "--latency",
                "-s",
                script.toString(),
                url,
                "--",
                load.mode(),
                Boolean.toString(load.stream()),
                load.texts().toString(),
                "r" + ProcessHandle.current().pid() + "x" + run,
                apiKey == null ? "-" : apiKey));
        Path log = directory.resolve("wrk-" + run + ".log");
        try (ChildProcess process = ChildProcess.start("wrk", command, directory, Map.of(), log)) {
            current = process;
            if (!process.waitFor(duration.plus(timeout).plusSeconds(30))) {
                throw new BenchmarkFailure("wrk did not end in time: " + String.join(" ", command));
            }
            String output = process.logTail(200);
            if (process.exitValue() != 0) {
                throw new BenchmarkFailure("wrk failed with status " + process.exitValue() + ": "
                        + String.join(" ", command) + "\n" + output);
            }
            return parse(output, command);
        } finally {
            current = null;
        }
    }

    /** Stops the wrk run in progress, if any. */
    @Override
    public void close() {
        ChildProcess process = current;
        if (process != null) {
            process.stop(Duration.ofSeconds(2));
        }
    }

    static Result parse(String output, List<String> command) {
        String line = output.lines()
                .filter(l -> l.startsWith("PATHBENCH "))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new BenchmarkFailure("wrk printed no PATHBENCH line (did the Lua script fail?): "
                        + String.join(" ", command) + "\n" + output));
        Map<String, String> fields = new HashMap<>();
        for (String pair : line.substring("PATHBENCH ".length()).trim().split("\\s+")) {
            int equals = pair.indexOf('=');
            fields.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return new Result(
                number(fields, "requests"),
                number(fields, "duration_us"),
                number(fields, "bytes"),
                number(fields, "non2xx"),
                number(fields, "incomplete"),
                number(fields, "escalated"),
                number(fields, "degraded"),
                number(fields, "connect") + number(fields, "read") + number(fields, "write"),
                number(fields, "timeout"),
                number(fields, "p50_us"),
                number(fields, "p90_us"),
                number(fields, "p99_us"),
                number(fields, "max_us"));
    }

    private static long number(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new BenchmarkFailure("wrk's PATHBENCH line has no " + name + ": " + fields);
        }
        return (long) Double.parseDouble(value);
    }
}
