package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about a process and the machine: CPU time, resident memory and
 * threads of a process, and the machine's busy and total CPU time. Reading a process that has ended
 * gives {@link Process#GONE}.
 */
final class ProcStats {

    /** Clock ticks per second of {@code /proc} CPU times; {@code USER_HZ} is 100 on every Linux build. */
    static final long TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /**
     * One reading of a process.
     *
     * @param cpuTicks user plus system CPU time ({@code utime + stime} of {@code /proc/PID/stat})
     * @param systemTicks of which system ({@code stime})
     * @param rssKib resident memory now ({@code VmRSS})
     * @param peakRssKib the most resident memory since the process started ({@code VmHWM})
     * @param threads threads now
     */
    record Process(long cpuTicks, long systemTicks, long rssKib, long peakRssKib, int threads) {
        static final Process GONE = new Process(0, 0, 0, 0, 0);
    }

    /**
     * One thread's CPU time so far.
     *
     * @param name the thread's name as Linux keeps it ({@code comm}, at most 15 characters)
     */
    record ThreadTime(String name, long userTicks, long systemTicks) {}

    /**
     * One reading of the whole machine, from the first line of {@code /proc/stat}.
     *
     * @param busyTicks every CPU's time not idle nor waiting for I/O
     * @param totalTicks every CPU's time
     */
    record Machine(long busyTicks, long totalTicks) {
        /** Busy share of the machine's CPU time since {@code before}, 0 to 1. */
        double busySince(Machine before) {
            long total = totalTicks - before.totalTicks;
            return total <= 0 ? 0 : (double) (busyTicks - before.busyTicks) / total;
        }
    }

    static Process process(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name, in parentheses, may hold spaces: fields are counted after its end
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long system = Long.parseLong(fields[12]);
            long cpu = Long.parseLong(fields[11]) + system;
            long rss = 0;
            long peak = 0;
            int threads = 0;
            List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            for (String line : status) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    peak = kib(line);
                } else if (line.startsWith("Threads:")) {
                    threads =
                            Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
            return new Process(cpu, system, rss, peak, threads);
        } catch (IOException | RuntimeException e) {
            return Process.GONE;
        }
    }

    /** Every thread of a process and its CPU time so far, by thread id; empty if the process is gone. */
    static Map<Long, ThreadTime> threads(long pid) {
        Map<Long, ThreadTime> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    threads.put(
                            Long.parseLong(task.getFileName().toString()),
                            new ThreadTime(name, Long.parseLong(fields[11]), Long.parseLong(fields[12])));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return threads;
    }

    static Machine machine() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
            String[] fields = lines.findFirst().orElseThrow().trim().split("\\s+");
            long total = 0;
            // cpu user nice system idle iowait irq softirq steal (guest times are within user)
            for (int i = 1; i < fields.length && i <= 8; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new Machine(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new Machine(0, 0);
        }
    }

    /** The 1-, 5- and 15-minute load averages, as {@code /proc/loadavg} writes them. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The value of the first line of {@code file} that starts with {@code key}, after its colon. */
    static String firstValue(Path file, String key) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
