package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The figures of one run as markdown, and their place in a markdown file between two markers. */
final class PathReport {

    static final String BEGIN = "<!-- PathBenchmark figures: begin. Written by PathBenchmark --out; a run replaces"
            + " everything up to the end marker. -->";
    static final String END = "<!-- PathBenchmark figures: end -->";

    /**
     * One point: a target at a number of connections.
     *
     * @param upstreamCalls chat completions the fake upstream answered during the point
     * @param cpuTicks CPU time of the process that serves the target (fake, nginx worker or router)
     * @param systemTicks of which system (kernel) time
     * @param fakeCpuTicks CPU time of the harness's JVM, where the fake upstream runs
     * @param maxRssKib the most resident memory of the serving process sampled during the point
     * @param peakRssKib the serving process's own peak since it started ({@code VmHWM}), at the end
     * @param maxThreads the most threads of the serving process sampled during the point
     * @param machineBusy the share of the whole machine's CPU time that was busy during the point
     * @param threadCpu the router's CPU by thread during the point, or null for other targets
     */
    record Point(
            Target target,
            int connections,
            Wrk.Result result,
            long upstreamCalls,
            long cpuTicks,
            long systemTicks,
            long fakeCpuTicks,
            long maxRssKib,
            long peakRssKib,
            int maxThreads,
            double machineBusy,
            ThreadCpu threadCpu) {

        double cpuMillisPerRequest() {
            return perRequest(cpuTicks);
        }

        double fakeCpuMillisPerRequest() {
            return perRequest(fakeCpuTicks);
        }

        double upstreamCallsPerRequest() {
            return result.requests() == 0 ? 0 : (double) upstreamCalls / result.requests();
        }

        double systemShare() {
            return cpuTicks == 0 ? 0 : (double) systemTicks / cpuTicks;
        }

        private double perRequest(long ticks) {
            return result.requests() == 0 ? 0 : ticks * 1000.0 / ProcStats.TICKS_PER_SECOND / result.requests();
        }
    }

    /** A time-to-first-byte probe of one server. */
    record Ttfb(String server, TtfbProbe.Result result) {}

    private final Map<String, String> header;
    private final List<Point> points;
    private final List<Ttfb> ttfbs;
    private final String profile;

    /**
     * @param header rows of the run's description, in order
     * @param profile markdown of the profile, or null when none was taken
     */
    PathReport(Map<String, String> header, List<Point> points, List<Ttfb> ttfbs, String profile) {
        this.header = new LinkedHashMap<>(header);
        this.points = List.copyOf(points);
        this.ttfbs = List.copyOf(ttfbs);
        this.profile = profile;
    }

    /** Points with an error, and failed probe requests, as sentences; empty when none. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Point point : points) {
            Wrk.Result r = point.result();
            if (r.errors() > 0) {
                problems.add(String.format(
                        Locale.ROOT,
                        "%s at %d connections: %d errors (%d non-2xx, %d incomplete, %d socket errors, %d timeouts)",
                        point.target().label(),
                        point.connections(),
                        r.errors(),
                        r.non2xx(),
                        r.incomplete(),
                        r.socketErrors(),
                        r.timeouts()));
            }
        }
        for (Ttfb ttfb : ttfbs) {
            if (ttfb.result().failures() > 0) {
                problems.add("time-to-first-byte probe of " + ttfb.server() + ": "
                        + ttfb.result().failures() + " failed requests");
            }
        }
        return problems;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| run | |\n|---|---|\n");
        header.forEach((key, value) ->
                md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
        md.append('\n');
        throughput(md);
        resources(md);
        ratios(md);
        added(md);
        ttfb(md);
        threads(md);
        if (profile != null) {
            md.append("#### Where the router's CPU goes\n\n").append(profile).append('\n');
        }
        return md.toString();
    }

    private void throughput(StringBuilder md) {
        md.append("#### Throughput, latency, errors\n\n");
        md.append("From wrk; latencies in ms. Errors: answers not 2xx, 2xx answers without a complete body, socket"
                + " errors and timeouts. Escalated: share of answers with `x-router-escalated: true`. Upstream"
                + " calls: chat completions the fake answered during the point ÷ requests wrk counted (about 1"
                + " means one upstream call per request, no retries; requests in flight at the point's start and end"
                + " make it off by up to connections ÷ requests).\n\n");
        md.append("| target | conns | req/s | p50 | p90 | p99 | max | errors | escalated | upstream calls/req |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : points) {
            Wrk.Result r = p.result();
            boolean router = p.target().server() == Target.Server.ROUTER;
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %,.0f | %s | %s | %s | %s | %s | %s | %.2f |%n",
                    p.target().label(),
                    p.connections(),
                    r.requestsPerSecond(),
                    ms(r.p50Micros()),
                    ms(r.p90Micros()),
                    ms(r.p99Micros()),
                    ms(r.maxMicros()),
                    errors(r),
                    router ? String.format(Locale.ROOT, "%.0f%%", share(r.escalated(), r.requests())) : "–",
                    p.upstreamCallsPerRequest()));
        }
        md.append('\n');
    }

    private void resources(StringBuilder md) {
        md.append("#### CPU, memory, threads\n\n");
        md.append("CPU per request: user + system time of the serving process over the point"
                + " (`/proc/PID/stat`) ÷ requests, with the system share; for nginx its worker process. The fake"
                + " runs in the harness's JVM, whose CPU is the last but one column. RSS: most sampled during the"
                + " point (every 200 ms) / the process's own peak so far (VmHWM). Threads: most sampled. Machine"
                + " busy: the whole machine's CPU, all processes, during the point.\n\n");
        md.append("| target | conns | CPU ms/req | fake CPU ms/req | RSS MiB | threads | machine busy |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : points) {
            boolean served = p.target().server() != Target.Server.FAKE;
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %.3f | %s | %s | %.0f%% |%n",
                    p.target().label(),
                    p.connections(),
                    served
                            ? String.format(
                                    Locale.ROOT, "%.3f (%.0f%% sys)", p.cpuMillisPerRequest(), 100 * p.systemShare())
                            : "–",
                    p.fakeCpuMillisPerRequest(),
                    served ? String.format(Locale.ROOT, "%.0f / %.0f", mib(p.maxRssKib()), mib(p.peakRssKib())) : "–",
                    served ? Integer.toString(p.maxThreads()) : "–",
                    100 * p.machineBusy()));
        }
        md.append('\n');
    }

    private void ratios(StringBuilder md) {
        List<String> rows = new ArrayList<>();
        for (Point p : points) {
            if (p.target().server() != Target.Server.ROUTER) {
                continue;
            }
            Target peerTarget = p.target().nginxPeer();
            Optional<Point> peer = find(peerTarget, p.connections());
            if (peer.isEmpty() && peerTarget != Target.NGINX) {
                peerTarget = Target.NGINX;
                peer = find(peerTarget, p.connections());
            }
            if (peer.isEmpty()) {
                continue;
            }
            Wrk.Result r = p.result();
            Wrk.Result n = peer.get().result();
            rows.add(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %s | %s | %s |%n",
                    p.target().label(),
                    peerTarget.label(),
                    p.connections(),
                    ratio(r.requestsPerSecond(), n.requestsPerSecond()),
                    ratio(r.p50Micros(), n.p50Micros()),
                    ratio(r.p99Micros(), n.p99Micros()),
                    ratio(p.cpuMillisPerRequest(), peer.get().cpuMillisPerRequest())));
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("#### Router ÷ nginx\n\n");
        md.append("Each router point over the nginx point with the same connections (streamed router points over"
                + " `nginx-stream` when it ran). Above 1 for req/s is faster than nginx; above 1 for latency and"
                + " CPU is slower or costlier.\n\n");
        md.append("| router target | against | conns | req/s | p50 | p99 | CPU per request |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        rows.forEach(md::append);
        md.append('\n');
    }

    private void added(StringBuilder md) {
        int one = points.stream().mapToInt(Point::connections).min().orElse(0);
        Optional<Point> direct = find(Target.DIRECT, one);
        if (direct.isEmpty()) {
            return;
        }
        Optional<Point> directStream = find(Target.DIRECT_STREAM, one);
        md.append(String.format(Locale.ROOT, "#### Added latency at %d connection%s%n%n", one, one == 1 ? "" : "s"));
        md.append("p50 of each target minus p50 of the fake upstream alone (`direct`, or `direct-stream` for a"
                + " streamed target when it ran), in ms.\n\n");
        md.append("| target | p50 | added p50 | p99 | added p99 |\n|---|---:|---:|---:|---:|\n");
        for (Point p : points) {
            if (p.connections() != one || p.target().server() == Target.Server.FAKE) {
                continue;
            }
            Point base = p.target().stream() && directStream.isPresent() ? directStream.get() : direct.get();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    p.target().label(),
                    ms(p.result().p50Micros()),
                    ms(p.result().p50Micros() - base.result().p50Micros()),
                    ms(p.result().p99Micros()),
                    ms(p.result().p99Micros() - base.result().p99Micros())));
        }
        md.append('\n');
    }

    private void ttfb(StringBuilder md) {
        if (ttfbs.isEmpty()) {
            return;
        }
        md.append("#### Time to first byte, streamed, one connection\n\n");
        md.append("Sequential streamed requests on one kept-alive connection (repeated message): time from writing"
                + " the request to the first byte of the first SSE event, and to the end of the stream, in ms.\n\n");
        md.append("| server | requests | first byte p50 | p90 | p99 | whole stream p50 | p90 | added first-byte p50 |"
                + " failures |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        long base = ttfbs.get(0).result().firstByte(50);
        for (Ttfb t : ttfbs) {
            TtfbProbe.Result r = t.result();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s | %s | %s | %d |%n",
                    t.server(),
                    r.firstByteMicros().size(),
                    ms(r.firstByte(50)),
                    ms(r.firstByte(90)),
                    ms(r.firstByte(99)),
                    ms(r.complete(50)),
                    ms(r.complete(90)),
                    t == ttfbs.get(0) ? "–" : ms(r.firstByte(50) - base),
                    r.failures()));
        }
        md.append('\n');
    }

    private void threads(StringBuilder md) {
        int near50 = points.stream()
                .map(Point::connections)
                .min(java.util.Comparator.comparingInt((Integer c) -> Math.abs(c - 50)))
                .orElse(0);
        List<Point> shown = points.stream()
                .filter(p -> p.threadCpu() != null && p.connections() == near50)
                .toList();
        if (shown.isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "#### Router CPU by thread, %d connections%n%n", near50));
        md.append("User and system time of each of the router's threads over the point, from"
                + " `/proc/PID/task/*/stat`, grouped by thread name (Linux keeps 15 characters), numbers folded."
                + " It includes what execution samples miss: the kernel, the JIT compiler, the garbage"
                + " collector.\n\n");
        for (Point p : shown) {
            md.append("`")
                    .append(p.target().label())
                    .append("`:\n\n")
                    .append(p.threadCpu().markdown(10, p.result().requests()))
                    .append('\n');
        }
    }

    private Optional<Point> find(Target target, int connections) {
        return points.stream()
                .filter(p -> p.target() == target && p.connections() == connections)
                .findFirst();
    }

    private static String errors(Wrk.Result r) {
        if (r.errors() == 0) {
            return "0";
        }
        List<String> kinds = new ArrayList<>();
        if (r.non2xx() > 0) {
            kinds.add(r.non2xx() + " non-2xx");
        }
        if (r.incomplete() > 0) {
            kinds.add(r.incomplete() + " incomplete");
        }
        if (r.socketErrors() > 0) {
            kinds.add(r.socketErrors() + " socket");
        }
        if (r.timeouts() > 0) {
            kinds.add(r.timeouts() + " timeout");
        }
        return "**" + r.errors() + "** (" + String.join(", ", kinds) + ")";
    }

    static String ms(long micros) {
        double ms = micros / 1000.0;
        if (Math.abs(ms) >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (Math.abs(ms) >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.2f", ms);
    }

    private static String ratio(double a, double b) {
        return b == 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static double mib(long kib) {
        return kib / 1024.0;
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    /**
     * Puts {@code section} between the markers in {@code file}, replacing what was there; without
     * markers it is appended, with them, at the end of the file.
     */
    static void writeInto(Path file, String section) throws IOException {
        writeInto(file, BEGIN, END, section);
    }

    /**
     * Puts {@code section} between {@code begin} and {@code end} in {@code file}, replacing what was there;
     * without both markers it is appended, with them, at the end of the file. The other benchmarks that
     * write into docs/benchmarks.md use it with markers of their own.
     */
    static void writeInto(Path file, String begin, String end, String section) throws IOException {
        String block = begin + "\n\n" + section.strip() + "\n\n" + end + "\n";
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        String result;
        if (from >= 0 && to > from) {
            int after = to + end.length();
            if (after < text.length() && text.charAt(after) == '\n') {
                after++;
            }
            result = text.substring(0, from) + block + text.substring(after);
        } else {
            result =
                    text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") + block;
        }
        Files.writeString(file, result, StandardCharsets.UTF_8);
    }
}
