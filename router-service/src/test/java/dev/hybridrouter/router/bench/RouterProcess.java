package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
     * @throws BenchmarkFailure if the jar is missing, or the router ends or is not ready within
     *     {@code timeout}
     */
    static RouterProcess start(
            Path java, Path jar, List<String> jvmArguments, Path policy, Path directory, Duration timeout)
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
        ChildProcess process = ChildProcess.start(
                "router",
                command,
                directory,
                Map.of(
                        "ROUTER_POLICIES_LOCATION",
                        policy.toAbsolutePath().toString(),
                        "SERVER_PORT",
                        Integer.toString(port),
                        "SERVER_ADDRESS",
                        "127.0.0.1",
                        BenchPolicy.API_KEY_ENV,
                        "pathbench-not-a-secret"),
                directory.resolve("router.log"));
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

    /** Lines of the router's log at WARN or ERROR level, at most {@code limit}. */
    List<String> warnings(int limit) {
        try {
            return Files.readAllLines(process.log()).stream()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                    .limit(limit)
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
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
