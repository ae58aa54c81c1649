package dev.hybridrouter.router.bench;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU a process used over a point, by thread, from {@code /proc/PID/task}: every thread's user and
 * system time at the start and at the end, grouped by name with numbers folded ({@code upstream-call-N},
 * {@code C2 CompilerThreN}, {@code GC Thread#N}). Unlike JFR's execution samples it also counts the time
 * threads spend in the kernel, in the JIT compiler and in the garbage collector.
 */
final class ThreadCpu {

    /** One group of threads: how many had CPU time in the point, and how much. */
    record Group(String name, int threads, long userTicks, long systemTicks) {
        long ticks() {
            return userTicks + systemTicks;
        }
    }

    private final List<Group> groups;
    private final long totalTicks;

    private ThreadCpu(List<Group> groups) {
        this.groups = groups;
        this.totalTicks = groups.stream().mapToLong(Group::ticks).sum();
    }

    static ThreadCpu between(Map<Long, ProcStats.ThreadTime> before, Map<Long, ProcStats.ThreadTime> after) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        after.forEach((tid, now) -> {
            ProcStats.ThreadTime then = before.get(tid);
            long user = now.userTicks() - (then == null ? 0 : then.userTicks());
            long system = now.systemTicks() - (then == null ? 0 : then.systemTicks());
            if (user + system <= 0) {
                return;
            }
            long[] sum = sums.computeIfAbsent(now.name().replaceAll("[0-9]+", "N"), name -> new long[3]);
            sum[0]++;
            sum[1] += user;
            sum[2] += system;
        });
        List<Group> groups = sums.entrySet().stream()
                .map(e -> new Group(e.getKey(), (int) e.getValue()[0], e.getValue()[1], e.getValue()[2]))
                .sorted(Comparator.comparingLong(Group::ticks).reversed())
                .toList();
        return new ThreadCpu(groups);
    }

    /** Markdown: the {@code top} groups by CPU time, and the rest in one row. */
    String markdown(int top, long requests) {
        if (totalTicks == 0) {
            return "No thread used measurable CPU time.\n";
        }
        StringBuilder md = new StringBuilder();
        md.append("| threads (numbers folded) | busy threads | user s | system s | share | CPU ms/req |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        long restUser = 0;
        long restSystem = 0;
        int restThreads = 0;
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            if (i < top) {
                row(md, "`" + g.name() + "`", g.threads(), g.userTicks(), g.systemTicks(), requests);
            } else {
                restThreads += g.threads();
                restUser += g.userTicks();
                restSystem += g.systemTicks();
            }
        }
        if (restThreads > 0) {
            row(md, "the rest", restThreads, restUser, restSystem, requests);
        }
        return md.toString();
    }

    private void row(StringBuilder md, String name, int threads, long user, long system, long requests) {
        md.append(String.format(
                Locale.ROOT,
                "| %s | %d | %.2f | %.2f | %.1f%% | %.3f |%n",
                name,
                threads,
                user / (double) ProcStats.TICKS_PER_SECOND,
                system / (double) ProcStats.TICKS_PER_SECOND,
                100.0 * (user + system) / totalTicks,
                requests == 0 ? 0 : (user + system) * 1000.0 / ProcStats.TICKS_PER_SECOND / requests));
    }
}
