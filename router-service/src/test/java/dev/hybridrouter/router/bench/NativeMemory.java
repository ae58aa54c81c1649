package dev.hybridrouter.router.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM's own account of its memory: {@code jcmd PID VM.native_memory summary}, which answers only when
 * the JVM runs with {@code -XX:NativeMemoryTracking=summary}. It covers what the JVM itself allocates
 * (heap, metaspace, thread stacks, code cache, GC structures, direct buffers under "Other", its own
 * malloc); memory that a native library allocates on its own (ONNX Runtime, llama.cpp) is not in it, so
 * resident memory minus its committed total is about what lies outside the JVM's view.
 */
final class NativeMemory {

    /** One category: {@code -  Thread (reserved=19506KB, committed=890KB)}. */
    record Category(String name, long reservedKib, long committedKib) {}

    /**
     * One summary.
     *
     * @param totalCommittedKib the {@code Total:} line's committed figure
     * @param categories by name, in the order jcmd printed them
     * @param threads the Thread category's {@code (thread #N)}, or -1 when it was missing
     */
    record Summary(long totalCommittedKib, Map<String, Category> categories, int threads) {

        /** Committed KiB of a category, 0 when the summary omitted it (under 1 KB). */
        long committedKib(String category) {
            Category found = categories.get(category);
            return found == null ? 0 : found.committedKib();
        }
    }

    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
    private static final Pattern THREADS = Pattern.compile("^\\s+\\(thread #(\\d+)\\)");

    private NativeMemory() {}

    /**
     * Reads jcmd's answer.
     *
     * @return empty when it holds no {@code Total:} line (NMT off: "Native memory tracking is not
     *     enabled")
     */
    static Optional<Summary> parse(String output) {
        long total = -1;
        int threads = -1;
        Map<String, Category> categories = new LinkedHashMap<>();
        String current = null;
        for (String line : output.lines().toList()) {
            Matcher matcher = TOTAL.matcher(line);
            if (matcher.find()) {
                total = Long.parseLong(matcher.group(2));
                continue;
            }
            matcher = CATEGORY.matcher(line);
            if (matcher.find()) {
                current = matcher.group(1).trim();
                categories.put(
                        current,
                        new Category(current, Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(3))));
                continue;
            }
            matcher = THREADS.matcher(line);
            if (matcher.find() && "Thread".equals(current)) {
                threads = Integer.parseInt(matcher.group(1));
            }
        }
        return total < 0 ? Optional.empty() : Optional.of(new Summary(total, categories, threads));
    }

    /**
     * Asks the JVM {@code pid} for its summary with {@code jcmd}; empty, with the reason logged in
     * {@code directory}, when jcmd fails or NMT is off.
     */
    static Optional<Summary> read(Path jcmd, long pid, Path directory) throws InterruptedException {
        Path log = directory.resolve("jcmd-native-memory.log");
        List<String> command = List.of(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary");
        try (ChildProcess process = ChildProcess.start("jcmd", command, directory, Map.of(), log)) {
            if (!process.waitFor(Duration.ofSeconds(60)) || process.exitValue() != 0) {
                return Optional.empty();
            }
            return parse(process.logTail(Integer.MAX_VALUE));
        }
    }
}
