package dev.hybridrouter.router.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one in-process benchmark run as markdown, judged against the targets of issue 11: tokens per
 * second through the router within 5% of the bare llama.cpp call, at most 2 ms added to the time to first token,
 * and the router's resident memory with the model loaded at most the model file's size plus 450 MiB.
 */
final class InProcessReport {

    static final String BEGIN = "<!-- InProcessBenchmark figures: begin. Written by InProcessBenchmark --out; a run"
            + " replaces everything up to the end marker. -->";
    static final String END = "<!-- InProcessBenchmark figures: end -->";

    /** Tokens per second through the router, at least this share of the bare call's. */
    static final double TOKENS_PER_SECOND_SHARE = 0.95;
    /** Time to first token added by the router, at most. */
    static final double FIRST_TOKEN_ADDED_MS = 2.0;
    /** Resident memory of the router beyond the model file's size, at most (450 MiB). */
    static final long RSS_ALLOWANCE_BYTES = 450L << 20;

    /**
     * One request's figures.
     *
     * @param firstTokenMs time to the first token (the first content chunk, through the router); 0 when not
     *     measured (whole answers)
     * @param tokensPerSecond tokens after the first per second after it; 0 when not measured
     * @param tokens completion tokens
     */
    record Sample(double totalMs, double firstTokenMs, double tokensPerSecond, int tokens) {}

    /** Median, 90th percentile (nearest rank), least and most of some values. */
    record Spread(int n, double median, double p90, double min, double max) {

        static Spread of(List<Double> values) {
            if (values.isEmpty()) {
                return new Spread(0, 0, 0, 0, 0);
            }
            List<Double> sorted = values.stream().sorted().toList();
            return new Spread(
                    sorted.size(), rank(sorted, 50), rank(sorted, 90), sorted.get(0), sorted.get(sorted.size() - 1));
        }

        /** The nearest-rank percentile: the smallest value with at least {@code percentile}% at or below it. */
        private static double rank(List<Double> sorted, double percentile) {
            int index = (int) Math.ceil(percentile / 100 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }

        /** {@code median / p90 (min–max)} with {@code format} for each. */
        String cell(String format) {
            if (n == 0) {
                return "–";
            }
            return String.format(
                    Locale.ROOT, format + " / " + format + " (" + format + "–" + format + ")", median, p90, min, max);
        }
    }

    /**
     * One way of asking for the same answer, {@code samples} times.
     *
     * @param timed whether time to first token and tokens per second were measured (not for whole answers)
     * @param promptTokens the prompt's tokens as the engine or the router's usage counted them, -1 if unknown
     */
    record Path(String name, String how, boolean timed, List<Sample> samples, int promptTokens) {

        Spread spread(ToDoubleFunction<Sample> figure) {
            List<Double> values = new ArrayList<>();
            samples.forEach(sample -> values.add(figure.applyAsDouble(sample)));
            return Spread.of(values);
        }

        double medianTotal() {
            return spread(Sample::totalMs).median();
        }

        double medianFirstToken() {
            return spread(Sample::firstTokenMs).median();
        }

        double medianTokensPerSecond() {
            return spread(Sample::tokensPerSecond).median();
        }
    }

    /** A target, what was measured, the limit, and whether the measurement is within it. */
    record Verdict(String target, String measured, String limit, boolean pass) {}

    /**
     * C callers sent at once.
     *
     * @param failures answers that were not a complete 200, by status and error code, e.g. {@code 503
     *     upstream_busy}
     * @param latencyMs every answered caller's latency, sending to last byte
     * @param refusedMs the latency of every caller not answered 200
     * @param singleMs the median whole request alone, for what pure queueing would give
     * @param maxRunning the most requests the model's health said were generating, over the polls
     * @param maxQueued the most it said were waiting
     */
    record Burst(
            int callers,
            int queueLimit,
            int ok,
            Map<String, Integer> failures,
            Spread latencyMs,
            Spread refusedMs,
            double wallMs,
            double singleMs,
            int maxRunning,
            int maxQueued,
            int healthPolls,
            ProcStats.Process before,
            long peakRssKib,
            int peakThreads,
            ProcStats.Process after) {

        int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * The router's memory with the model loaded.
     *
     * @param modelBytes the model file's size
     * @param atReady the router once the model was READY, before any request
     * @param atEnd the router after every request of the run ({@code peakRssKib} is its {@code VmHWM}: the most
     *     since it started)
     * @param loadGrowthBytes how much the native load grew the router's RSS, as its health says; null if unknown
     * @param secondPeakKib the peak ({@code VmHWM}) of the second router, the one with queue limit 0; 0 if none ran
     */
    record Memory(
            long modelBytes,
            ProcStats.Process atReady,
            ProcStats.Process atEnd,
            Long loadGrowthBytes,
            long secondPeakKib) {

        long limitBytes() {
            return modelBytes + RSS_ALLOWANCE_BYTES;
        }

        /** The most resident memory either router process had, in bytes. */
        long peakBytes() {
            return Math.max(atEnd.peakRssKib(), secondPeakKib) * 1024;
        }
    }

    private final Map<String, String> header;
    private final Path bare;
    private final Path engine;
    private final Path routerStreamed;
    private final Path routerWhole;
    private final Memory memory;
    private final Burst queued;
    private final Burst refused;
    private final String cpu;

    /**
     * @param refused the burst with queue limit 0, or null when skipped
     * @param cpu markdown: CPU by thread, or empty
     */
    InProcessReport(
            Map<String, String> header,
            Path bare,
            Path engine,
            Path routerStreamed,
            Path routerWhole,
            Memory memory,
            Burst queued,
            Burst refused,
            String cpu) {
        this.header = header;
        this.bare = bare;
        this.engine = engine;
        this.routerStreamed = routerStreamed;
        this.routerWhole = routerWhole;
        this.memory = memory;
        this.queued = queued;
        this.refused = refused;
        this.cpu = cpu;
    }

    /**
     * The three targets, judged on medians (tokens per second after the first token, streamed; time to first
     * token) and on the most resident memory a router process had ({@code VmHWM}).
     */
    static List<Verdict> verdicts(Path bare, Path router, Memory memory) {
        double share =
                bare.medianTokensPerSecond() == 0 ? 0 : router.medianTokensPerSecond() / bare.medianTokensPerSecond();
        double added = router.medianFirstToken() - bare.medianFirstToken();
        long peak = memory.peakBytes();
        return List.of(
                new Verdict(
                        "tokens/s through the router (streamed) within 5% of the bare call",
                        String.format(
                                Locale.ROOT,
                                "%.0f vs %.0f tokens/s: %.1f%%",
                                router.medianTokensPerSecond(),
                                bare.medianTokensPerSecond(),
                                100 * share),
                        "≥ 95%",
                        share >= TOKENS_PER_SECOND_SHARE),
                new Verdict(
                        "time to first token added by the router",
                        String.format(
                                Locale.ROOT,
                                "%.2f ms − %.2f ms = %+.2f ms",
                                router.medianFirstToken(),
                                bare.medianFirstToken(),
                                added),
                        "≤ 2 ms",
                        added <= FIRST_TOKEN_ADDED_MS),
                new Verdict(
                        "router RSS with the model loaded (peak VmHWM of either router process)",
                        mib(peak),
                        String.format(
                                Locale.ROOT,
                                "≤ %s (file %s + 450 MiB)",
                                mib(memory.limitBytes()),
                                mib(memory.modelBytes())),
                        peak <= memory.limitBytes()));
    }

    List<Verdict> verdicts() {
        return verdicts(bare, routerStreamed, memory);
    }

    String markdown() {
        StringBuilder md = new StringBuilder("#### Run\n\n| | |\n|---|---|\n");
        header.forEach((key, value) ->
                md.append("| ").append(key).append(" | ").append(value).append(" |\n"));

        md.append("\n#### Targets\n\n| target | measured (medians) | limit | verdict |\n|---|---|---|---|\n");
        for (Verdict verdict : verdicts()) {
            md.append("| ")
                    .append(verdict.target())
                    .append(" | ")
                    .append(verdict.measured())
                    .append(" | ")
                    .append(verdict.limit())
                    .append(" | ")
                    .append(verdict.pass() ? "**PASS**" : "**MISS**")
                    .append(" |\n");
        }

        md.append(String.format(
                Locale.ROOT,
                "%n#### One request at a time%n%n%d requests of each kind, interleaved (bare, engine, router streamed,"
                        + " router whole, then again), after the warm-up. Each cell: median / p90 (min–max).%n%n",
                bare.samples().size()));
        md.append("| path | how | total ms | time to first token ms | tokens/s after the first | completion tokens |"
                + " prompt tokens |\n|---|---|---|---|---|---|---:|\n");
        for (Path path : List.of(bare, engine, routerStreamed, routerWhole)) {
            md.append("| ")
                    .append(path.name())
                    .append(" | ")
                    .append(path.how())
                    .append(" | ")
                    .append(path.spread(Sample::totalMs).cell("%.2f"))
                    .append(" | ")
                    .append(path.timed() ? path.spread(Sample::firstTokenMs).cell("%.2f") : "–")
                    .append(" | ")
                    .append(path.timed() ? path.spread(Sample::tokensPerSecond).cell("%.0f") : "–")
                    .append(" | ")
                    .append(path.spread(s -> s.tokens()).cell("%.0f"))
                    .append(" | ")
                    .append(path.promptTokens() < 0 ? "?" : Integer.toString(path.promptTokens()))
                    .append(" |\n");
        }

        md.append("\n#### Against the bare call (medians)\n\n| | engine in this JVM | router, streamed |"
                + " router, whole |\n|---|---:|---:|---:|\n");
        md.append("| total time added per request (ms) | ")
                .append(signed(engine.medianTotal() - bare.medianTotal()))
                .append(" | ")
                .append(signed(routerStreamed.medianTotal() - bare.medianTotal()))
                .append(" | ")
                .append(signed(routerWhole.medianTotal() - bare.medianTotal()))
                .append(" |\n");
        md.append("| time to first token added (ms) | ")
                .append(signed(engine.medianFirstToken() - bare.medianFirstToken()))
                .append(" | ")
                .append(signed(routerStreamed.medianFirstToken() - bare.medianFirstToken()))
                .append(" | – |\n");
        md.append("| tokens/s, share of the bare call's | ")
                .append(percent(engine.medianTokensPerSecond(), bare.medianTokensPerSecond()))
                .append(" | ")
                .append(percent(routerStreamed.medianTokensPerSecond(), bare.medianTokensPerSecond()))
                .append(" | – |\n");
        md.append("| time added per token after the first (µs) | ")
                .append(perToken(engine))
                .append(" | ")
                .append(perToken(routerStreamed))
                .append(" | – |\n");

        md.append("\n#### Memory\n\n");
        md.append(String.format(
                Locale.ROOT,
                "The router's resident memory (`VmRSS` of `/proc/PID/status`): %s once the model was READY, before"
                        + " any request; %s after the run, %s at its peak (`VmHWM`). The model file is %s; the"
                        + " router's health says the native load added %s.%s Target: peak ≤ file + 450 MiB = %s.%n",
                mib(memory.atReady().rssKib() * 1024),
                mib(memory.atEnd().rssKib() * 1024),
                mib(memory.atEnd().peakRssKib() * 1024),
                mib(memory.modelBytes()),
                memory.loadGrowthBytes() == null ? "unknown" : mib(memory.loadGrowthBytes()),
                memory.secondPeakKib() == 0
                        ? ""
                        : " The second router (queue limit 0, same model and settings) peaked at "
                                + mib(memory.secondPeakKib() * 1024) + ".",
                mib(memory.limitBytes())));

        md.append(burst("callers at once, queue limit " + queued.queueLimit(), queued));
        if (refused != null) {
            md.append(burst("callers at once, queue limit 0", refused));
        }
        if (!cpu.isEmpty()) {
            md.append("\n").append(cpu.strip()).append("\n");
        }
        return md.toString();
    }

    private static String burst(String title, Burst b) {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n#### %d %s%n%n", b.callers(), title));
        String failures = b.failures().isEmpty()
                ? "none refused or failed"
                : b.failures().entrySet().stream()
                        .map(e -> e.getValue() + " × " + e.getKey())
                        .reduce((x, y) -> x + ", " + y)
                        .orElse("");
        md.append(String.format(
                Locale.ROOT,
                "All %d sent at once (whole answers, max-concurrent 1): **%d answered 200**, %s. Wall time %.0f ms.",
                b.callers(),
                b.ok(),
                failures,
                b.wallMs()));
        if (b.ok() > 0) {
            md.append(String.format(
                    Locale.ROOT,
                    " Latency of the answered: min %.0f ms, p50 %.0f ms, p90 %.0f ms, max %.0f ms.",
                    b.latencyMs().min(),
                    b.latencyMs().median(),
                    b.latencyMs().p90(),
                    b.latencyMs().max()));
        }
        if (b.refusedMs().n() > 0) {
            md.append(String.format(
                    Locale.ROOT,
                    " Latency of the others: p50 %.1f ms, max %.1f ms.",
                    b.refusedMs().median(),
                    b.refusedMs().max()));
        }
        if (b.queueLimit() > 0) {
            md.append(String.format(
                    Locale.ROOT,
                    " One whole request alone took %.1f ms (median above): queued one after another, the last"
                            + " would end after about %.0f ms (%d × %.1f), the median after about %.0f ms.",
                    b.singleMs(),
                    b.callers() * b.singleMs(),
                    b.callers(),
                    b.singleMs(),
                    (b.callers() + 1) / 2.0 * b.singleMs()));
        }
        md.append(String.format(
                Locale.ROOT,
                " The model's health (`/actuator/health`, polled back to back every 20 ms: %d answers during the"
                        + " burst) showed at most %d generating and %d waiting.%n%n",
                b.healthPolls(),
                b.maxRunning(),
                b.maxQueued()));
        md.append("| router | before | peak (sampled every 10 ms) | after |\n|---|---:|---:|---:|\n");
        md.append(String.format(
                Locale.ROOT,
                "| RSS (MiB) | %.1f | %.1f | %.1f |%n| threads | %d | %d | %d |%n",
                b.before().rssKib() / 1024.0,
                b.peakRssKib() / 1024.0,
                b.after().rssKib() / 1024.0,
                b.before().threads(),
                b.peakThreads(),
                b.after().threads()));
        return md.toString();
    }

    /** Microseconds per token after the first, over the bare call's: 10^6 / tokens per second, minus the same. */
    private String perToken(Path path) {
        double measured = path.medianTokensPerSecond();
        double baseline = bare.medianTokensPerSecond();
        return measured == 0 || baseline == 0 ? "–" : signed(1e6 / measured - 1e6 / baseline);
    }

    private static String signed(double value) {
        return String.format(Locale.ROOT, "%+.2f", value);
    }

    private static String percent(double part, double whole) {
        return whole == 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * part / whole);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
