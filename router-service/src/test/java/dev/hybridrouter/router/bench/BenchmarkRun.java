package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * What the benchmarks with processes of their own share: how they run from {@code main} (exit status 2 on a usage
 * error, 3 when the run failed, the failure said on stderr), their progress lines, and the things a run started,
 * stopped the last first, once, at its end or from the shutdown hook.
 */
final class BenchmarkRun {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Consumer<String> log;
    private boolean closed;

    /** @param log where a resource that cannot be stopped is reported */
    BenchmarkRun(Consumer<String> log) {
        this.log = log;
    }

    /**
     * Runs a picocli command and returns the exit status for {@code System.exit}; 3 at once when the router's own
     * classes are not on the class path (the harness reads answers with them, and a class missing at the first
     * answer that needs it would end the run's request stream on an event loop, silently).
     */
    static int execute(String name, Object command, String[] args) {
        try {
            Class.forName("dev.hybridrouter.router.error.ErrorCode");
        } catch (ClassNotFoundException e) {
            System.err.println(name + " failed: the router's classes are not on the class path; put"
                    + " router-service/target/classes on it, as the command in docs/benchmarks.md does");
            return 3;
        }
        return new CommandLine(command)
                .setExitCodeExceptionMapper(failure -> failure instanceof CommandLine.ParameterException ? 2 : 3)
                .setExecutionExceptionHandler((failure, commandLine, parseResult) -> {
                    commandLine.getErr().println();
                    if (failure instanceof BenchmarkFailure) {
                        commandLine.getErr().println(name + " failed: " + failure.getMessage());
                    } else {
                        commandLine.getErr().println(name + " failed:");
                        failure.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().flush();
                    return 3;
                })
                .execute(args);
    }

    /** A progress line on stderr, stamped with the time of day (UTC). */
    static void log(PrintWriter err, String format, Object... arguments) {
        err.printf(
                Locale.ROOT,
                "[%s] %s%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().substring(11, 19),
                String.format(Locale.ROOT, format, arguments));
        err.flush();
    }

    /** Deletes a folder and what it holds; what cannot be deleted is left behind. */
    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind
        }
    }

    <T extends AutoCloseable> T register(T resource) {
        synchronized (resources) {
            resources.push(resource);
        }
        return resource;
    }

    /**
     * Stops everything this run started, the last started first. Safe to call twice, from the hook too.
     *
     * @return whether this call stopped them (false: an earlier call did)
     */
    boolean closeAll() {
        synchronized (resources) {
            if (closed) {
                return false;
            }
            closed = true;
            while (!resources.isEmpty()) {
                AutoCloseable resource = resources.pop();
                try {
                    resource.close();
                } catch (Exception e) {
                    log.accept("could not stop " + resource.getClass().getSimpleName() + ": " + e);
                }
            }
            return true;
        }
    }
}
