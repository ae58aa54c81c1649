package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the router's CPU went, from the {@code jdk.ExecutionSample} events of a JFR recording: the
 * methods most often on top of a running thread's stack ("self"), the same by package, and the share
 * of samples in which a package appears anywhere in the stack ("total").
 */
final class JfrSummary {

    /** How the summary names a package: its first three parts ({@code io.netty.channel}). */
    private static final int PACKAGE_PARTS = 3;

    private final int samples;
    private final Map<String, Integer> selfMethods;
    private final Map<String, Integer> selfPackages;
    private final Map<String, Integer> totalPackages;
    private final Map<String, Integer> threads;
    private final Map<String, Integer> firstOutsideJdk;
    private final int collections;
    private final double pauseMillis;

    private JfrSummary(
            int samples,
            Map<String, Integer> selfMethods,
            Map<String, Integer> selfPackages,
            Map<String, Integer> totalPackages,
            Map<String, Integer> threads,
            Map<String, Integer> firstOutsideJdk,
            int collections,
            double pauseMillis) {
        this.samples = samples;
        this.selfMethods = selfMethods;
        this.selfPackages = selfPackages;
        this.totalPackages = totalPackages;
        this.threads = threads;
        this.firstOutsideJdk = firstOutsideJdk;
        this.collections = collections;
        this.pauseMillis = pauseMillis;
    }

    static JfrSummary read(Path recording) throws IOException {
        int samples = 0;
        Map<String, Integer> selfMethods = new HashMap<>();
        Map<String, Integer> selfPackages = new HashMap<>();
        Map<String, Integer> totalPackages = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> firstOutsideJdk = new HashMap<>();
        int collections = 0;
        double pauseMillis = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            if (type.equals("jdk.GarbageCollection")) {
                collections++;
                pauseMillis += event.getDuration("sumOfPauses").toNanos() / 1e6;
                continue;
            }
            if (!type.equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            RecordedMethod top = frames.get(0).getMethod();
            selfMethods.merge(methodName(top), 1, Integer::sum);
            selfPackages.merge(packageName(top), 1, Integer::sum);
            frames.stream()
                    .map(RecordedFrame::getMethod)
                    .filter(method -> !isJdk(method))
                    .findFirst()
                    .ifPresent(method -> firstOutsideJdk.merge(methodName(method), 1, Integer::sum));
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = packageName(frame.getMethod());
                if (seen.add(name)) {
                    totalPackages.merge(name, 1, Integer::sum);
                }
            }
            String thread = event.getThread("sampledThread") == null
                    ? "?"
                    : event.getThread("sampledThread").getJavaName();
            threads.merge(threadGroup(thread), 1, Integer::sum);
        }
        return new JfrSummary(
                samples, selfMethods, selfPackages, totalPackages, threads, firstOutsideJdk, collections, pauseMillis);
    }

    int samples() {
        return samples;
    }

    /** Markdown: five small tables, the {@code top} entries of each. */
    String markdown(int top) {
        if (samples == 0) {
            return "The recording holds no execution samples.\n";
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "%d execution samples of threads running Java code (JFR samples a few such threads every 10 ms;"
                        + " time in the kernel, the JIT and the GC is not sampled); %d garbage collections, %.0f ms"
                        + " of pauses in all.%n%n",
                samples,
                collections,
                pauseMillis));
        table(text, "top methods, self", selfMethods, top);
        table(text, "first frame outside the JDK (java.*, jdk.*, sun.*)", firstOutsideJdk, top);
        table(text, "packages, self", selfPackages, top);
        table(text, "packages anywhere in the stack", totalPackages, top);
        table(text, "threads (numbers folded)", threads, top);
        return text.toString();
    }

    private void table(StringBuilder text, String title, Map<String, Integer> counts, int top) {
        text.append("| ").append(title).append(" | samples | share |\n|---|---:|---:|\n");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(top)
                .forEach(entry -> text.append(String.format(
                        Locale.ROOT,
                        "| `%s` | %d | %.1f%% |%n",
                        entry.getKey(),
                        entry.getValue(),
                        100.0 * entry.getValue() / samples)));
        text.append('\n');
    }

    private static boolean isJdk(RecordedMethod method) {
        if (method == null || method.getType() == null) {
            return true;
        }
        String type = method.getType().getName();
        return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.");
    }

    private static String methodName(RecordedMethod method) {
        if (method == null) {
            return "?";
        }
        String type = method.getType() == null ? "?" : method.getType().getName();
        return type + "." + method.getName();
    }

    private static String packageName(RecordedMethod method) {
        if (method == null || method.getType() == null) {
            return "?";
        }
        String type = method.getType().getName();
        int dot = type.lastIndexOf('.');
        if (dot < 0) {
            return "(default package)";
        }
        String[] parts = type.substring(0, dot).split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(PACKAGE_PARTS, parts.length)));
    }

    /** A thread's name with its numbers replaced, so that a pool's threads count together. */
    private static String threadGroup(String name) {
        return name.replaceAll("[0-9]+", "N");
    }
}
