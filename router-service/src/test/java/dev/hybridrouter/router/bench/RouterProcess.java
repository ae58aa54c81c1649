package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The router as its users run it: {@code java -jar router-service.jar} in a process of its own,
 * configured only through its documented environment variables ({@code ROUTER_POLICIES_LOCATION},
 * {@code SERVER_PORT}, {@code SERVER_ADDRESS}) and the policy's {@code api-key-env} variable. Ready
 * when {@code GET /actuator/health/readiness} says {@code UP}.
 */
final class RouterProcess implements AutoCloseable {

    /** Spring Boot's console format: date, level, pid, ---, [application], [thread], logger, colon, message. */
    private static final Pattern LOG_LINE =
            Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s+\\d+ --- (?:\\[[^\\]]*\\] )*(\\S+)\\s*: (.*)$");

    private static final Pattern STARTED = Pattern.compile("Started \\S+ in ([0-9.]+) seconds");

    private final ChildProcess process;
    private final int port;
    private final double readySeconds;
    private final ProcStats.Process atReady;

    private RouterProcess(ChildProcess process, int port, double readySeconds, ProcStats.Process atReady) {
        this.process = process;
        this.port = port;
        this.readySeconds = readySeconds;
        this.atReady = atReady;
    }

    /**
     * Starts the jar and waits until it is ready.
     *
     * @param jvmArguments put before {@code -jar}
     * @param environment more environment variables of the router, e.g. {@code ROUTER_TENANTS_FILE}
     * @throws BenchmarkFailure if the jar is missing, or the router ends or is not ready within
     *     {@code timeout}
     */
    static RouterProcess start(
            Path java,
            Path jar,
            List<String> jvmArguments,
            Path policy,
            Map<String, String> environment,
            Path directory,
            Duration timeout)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new BenchmarkFailure("router jar not found: " + jar.toAbsolutePath()
                    + "; build it with ./mvnw -q package -DskipTests, or name it with --jar");
        }
        int port = Http.freePort();
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArguments);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Map<String, String> variables = new HashMap<>(environment);
        variables.put("ROUTER_POLICIES_LOCATION", policy.toAbsolutePath().toString());
        variables.put("SERVER_PORT", Integer.toString(port));
        variables.put("SERVER_ADDRESS", "127.0.0.1");
        variables.put(BenchPolicy.API_KEY_ENV, "pathbench-not-a-secret");
        ChildProcess process =
                ChildProcess.start("router", command, directory, variables, directory.resolve("router.log"));
        try {
            Http.await(
                    "router",
                    process,
                    "http://127.0.0.1:" + port + "/actuator/health/readiness",
                    timeout,
                    null,
                    answer -> answer.status() == 200 && answer.body().contains("\"UP\""));
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
        double ready = (System.nanoTime() - process.startedNanos()) / 1e9;
        return new RouterProcess(process, port, ready, ProcStats.process(process.pid()));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** When its JVM was started, in {@link System#nanoTime()} units. */
    long startedNanos() {
        return process.startedNanos();
    }

    /** Seconds from starting the JVM to the first readiness {@code UP}: the cold start. */
    double readySeconds() {
        return readySeconds;
    }

    /** The process when it first became ready. */
    ProcStats.Process atReady() {
        return atReady;
    }

    /** What Spring Boot logged as its own start-up time ("Started … in N seconds"), if it did. */
    Optional<Double> loggedStartSeconds() {
        try {
            for (String line : Files.readAllLines(process.log())) {
                Matcher matcher = STARTED.matcher(line);
                if (matcher.find()) {
                    return Optional.of(Double.parseDouble(matcher.group(1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not found
        }
        return Optional.empty();
    }

    /**
     * Markdown: the router's log lines at WARN or ERROR, counted by level, logger and message, the
     * {@code top} most frequent; empty when there are none.
     */
    String logSummary(int top) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(process.log())) {
                Matcher matcher = LOG_LINE.matcher(line);
                String key;
                if (matcher.find()) {
                    key = matcher.group(1) + " | `" + matcher.group(2) + "` | " + cell(matcher.group(3));
                } else if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                    key = (line.contains(" ERROR ") ? "ERROR" : "WARN") + " | ? | " + cell(line);
                } else {
                    continue;
                }
                counts.merge(key, 1, Integer::sum);
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        if (counts.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("#### Router log: warnings and errors\n\n");
        md.append(
                "Lines the router logged at WARN or ERROR during the whole run, counted by level, logger and"
                        + " message (full log kept with --keep-temp).\n\n| lines | level | logger | message |\n|---:|---|---|---|\n");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> md.append("| ")
                        .append(e.getValue())
                        .append(" | ")
                        .append(e.getKey())
                        .append(" |\n"));
        return md.append('\n').toString();
    }

    /** A table cell: at most 140 characters, pipes escaped. */
    private static String cell(String text) {
        String line = text.strip();
        return (line.length() > 140 ? line.substring(0, 140) + "…" : line).replace("|", "\\|");
    }

    Path log() {
        return process.log();
    }

    String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }
}
