package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started, its standard output and error going to one log file. Stopping asks
 * first ({@code SIGTERM}) and then insists ({@code SIGKILL}); it is safe to call more than once and from
 * a shutdown hook.
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final java.lang.Process process;
    private final Path log;
    private final long startedNanos;

    private ChildProcess(String name, java.lang.Process process, Path log, long startedNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts {@code command} in {@code directory} with {@code environment} added to this process's.
     *
     * @throws BenchmarkFailure if the program cannot be started
     */
    static ChildProcess start(
            String name, List<String> command, Path directory, Map<String, String> environment, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        try {
            return new ChildProcess(name, builder.start(), log, started);
        } catch (IOException e) {
            throw new BenchmarkFailure("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage());
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status, once the process has ended. */
    int exitValue() {
        return process.exitValue();
    }

    /** Waits for the process to end by itself; false if it is still running after {@code timeout}. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A direct child of this process (nginx's worker), or this process if it has none. */
    long childPidOrOwn() {
        return process.children().map(ProcessHandle::pid).findFirst().orElse(process.pid());
    }

    Path log() {
        return log;
    }

    /** The last {@code lines} lines of the log, for error messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Asks the process to end, waits up to {@code grace}, then kills it and its descendants. */
    void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }
}
