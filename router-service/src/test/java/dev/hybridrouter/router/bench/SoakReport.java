package dev.hybridrouter.router.bench;

import dev.hybridrouter.router.bench.BreakerWatch.Call;
import dev.hybridrouter.router.bench.BreakerWatch.Transition;
import dev.hybridrouter.router.bench.LoadGenerator.Kind;
import dev.hybridrouter.router.bench.LoadGenerator.Result;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The figures of one soak run, as a markdown section and as one JSON object. */
final class SoakReport {

    private static final List<Phase> PHASES = List.of(Phase.FLAPPING, Phase.DOWN, Phase.BACK);
    private static final String OPENED = "breakers opened (times)";

    private final Map<String, Object> header;
    private final List<Result> results;
    private final int notCompleted;
    private final CloudPhases phases;
    private final BreakerWatch breakers;
    private final RuntimeSampler runtime;
    private final long runMillis;

    /**
     * @param header the run's settings and machine, in order, as {@code name -> value}
     * @param results every result, warm-up included
     * @param notCompleted requests with no result: sent but cut off, or never sent, when the run hit its
     *     deadline
     * @param runMillis from the first counted request to the last result
     */
    SoakReport(
            Map<String, Object> header,
            List<Result> results,
            int notCompleted,
            CloudPhases phases,
            BreakerWatch breakers,
            RuntimeSampler runtime,
            long runMillis) {
        this.header = header;
        this.results = List.copyOf(results);
        this.notCompleted = notCompleted;
        this.phases = phases;
        this.breakers = breakers;
        this.runtime = runtime;
        this.runMillis = runMillis;
    }

    /** Requests with no answer at all: timed out, connection failed, or cut off by the run's deadline. */
    long lost() {
        return results.stream().filter(Result::lost).count() + notCompleted;
    }

    /** The figures, per phase and in all. */
    Map<String, Map<String, Object>> figures() {
        Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
        Map<String, Object> warmup = figures(
                inPhase(Phase.WARMUP),
                phaseMillis(Phase.WARMUP),
                phases.counted(Phase.WARMUP),
                breakers.calls(Phase.WARMUP));
        warmup.put(OPENED, openings(List.of(Phase.WARMUP)));
        warmup.putAll(runtime.figures(Phase.WARMUP));
        figures.put(Phase.WARMUP.title(), warmup);
        Map<String, Long> allCounters = new LinkedHashMap<>();
        Map<String, Map<Call, Long>> allCalls = new TreeMap<>();
        for (Phase phase : PHASES) {
            Map<String, Long> counters = phases.counted(phase);
            Map<String, Map<Call, Long>> calls = breakers.calls(phase);
            Map<String, Object> column = figures(inPhase(phase), phaseMillis(phase), counters, calls);
            column.put(OPENED, openings(List.of(phase)));
            column.putAll(runtime.figures(phase));
            figures.put(phase.title(), column);
            counters.forEach((name, count) -> allCounters.merge(name, count, Long::sum));
            calls.forEach((name, counts) -> {
                Map<Call, Long> sum = allCalls.computeIfAbsent(name, n -> new EnumMap<>(Call.class));
                counts.forEach((call, count) -> sum.merge(call, count, Long::sum));
            });
        }
        Map<String, Object> all = figures(
                results.stream().filter(r -> r.phase() != Phase.WARMUP).toList(), runMillis, allCounters, allCalls);
        all.put(OPENED, openings(PHASES));
        all.putAll(runtime.figures(PHASES.toArray(Phase[]::new)));
        figures.put("phases 1-3", all);
        return figures;
    }

    /** How often each breaker opened (from closed or half open) while the phases' requests were sent. */
    private String openings(List<Phase> during) {
        Map<String, Long> opened = breakers.transitions().stream()
                .filter(t -> during.contains(t.phase()) && t.change().getToState() == CircuitBreaker.State.OPEN)
                .collect(Collectors.groupingBy(Transition::breaker, TreeMap::new, Collectors.counting()));
        return opened.isEmpty()
                ? "0"
                : opened.entrySet().stream()
                        .map(e -> e.getValue() + " (" + e.getKey() + ")")
                        .collect(Collectors.joining(", "));
    }

    private List<Result> inPhase(Phase phase) {
        return results.stream().filter(r -> r.phase() == phase).toList();
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        header.forEach((name, value) ->
                out.append("- ").append(name).append(": ").append(value).append('\n'));
        out.append('\n');
        Map<String, Map<String, Object>> figures = figures();
        out.append("| | ")
                .append(String.join(" | ", figures.keySet()))
                .append(" |\n|---|")
                .append("---:|".repeat(figures.size()))
                .append('\n');
        for (String row : figures.get("phases 1-3").keySet()) {
            out.append("| ").append(row).append(" |");
            figures.values().forEach(column -> out.append(' ')
                    .append(column.getOrDefault(row, "0"))
                    .append(" |"));
            out.append('\n');
        }
        out.append('\n').append("Phases: ");
        out.append(Phase.WARMUP.title() + " = " + Phase.WARMUP.description() + "; ");
        out.append(PHASES.stream()
                .map(p -> p.title() + " = " + p.description() + ", from " + phases.startedAtMillis(p) + " ms")
                .collect(Collectors.joining("; ")));
        out.append(".\n\n");
        if (notCompleted > 0) {
            out.append("**The run hit its deadline**: ")
                    .append(notCompleted)
                    .append(" requests were cut off in flight or never sent; they count as lost.\n\n");
        }
        out.append("Breaker transitions (ms since the run began, phase, requests sent by then):\n\n");
        List<Transition> transitions = breakers.transitions();
        if (transitions.isEmpty()) {
            out.append("- none\n");
        }
        transitions.forEach(t -> out.append(String.format(
                Locale.ROOT,
                "- %d ms, phase %s, %d sent: %s %s%n",
                t.atMillis(),
                t.phase().title(),
                t.sent(),
                t.breaker(),
                t.change())));
        out.append('\n');
        breakerTimings()
                .forEach((name, value) ->
                        out.append("- ").append(name).append(": ").append(value).append('\n'));
        out.append("\nFailures the breakers recorded, by cause:\n\n");
        Map<String, Long> causes = breakers.failureCauses();
        if (causes.isEmpty()) {
            out.append("- none\n");
        }
        causes.forEach((cause, count) ->
                out.append("- ").append(cause).append(": ").append(count).append('\n'));
        List<Result> failed =
                results.stream().filter(r -> r.detail() != null).limit(5).toList();
        if (!failed.isEmpty()) {
            out.append("\nFirst failed or lost requests:\n\n");
            failed.forEach(r -> out.append(String.format(
                    Locale.ROOT,
                    "- #%d (%s, %s, phase %s): %s, HTTP %d, after %d ms: %s%n",
                    r.request().index(),
                    r.request().escalating() ? "escalating" : "local",
                    r.request().streaming() ? "stream" : "whole",
                    r.phase().title(),
                    r.kind(),
                    r.status(),
                    r.latencyNanos() / 1_000_000,
                    r.detail())));
        }
        return out.toString();
    }

    /** The header, the figures, the transitions and the breaker timings, as one JSON-ready map. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>(header);
        Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
        figures().forEach((column, rows) -> {
            Map<String, Object> plain = new LinkedHashMap<>();
            rows.forEach((row, value) -> plain.put(row.replace("**", "").replace("`", ""), value));
            figures.put(column, plain);
        });
        json.put("figures", figures);
        json.put(
                "transitions",
                breakers.transitions().stream()
                        .map(t -> Map.of(
                                "atMillis", t.atMillis(),
                                "phase", t.phase().title(),
                                "sent", t.sent(),
                                "breaker", t.breaker(),
                                "transition", t.change().toString()))
                        .toList());
        json.put("breakerTimings", breakerTimings());
        json.put("breakerFailureCauses", breakers.failureCauses());
        return json;
    }

    /**
     * How fast the cloud's breaker reacted: the first opening after the outage began, and the last closing
     * after the cloud came back.
     */
    private Map<String, String> breakerTimings() {
        Map<String, String> timings = new LinkedHashMap<>();
        long down = phases.startedAtMillis(Phase.DOWN);
        long back = phases.startedAtMillis(Phase.BACK);
        List<Transition> cloud = breakers.transitions().stream()
                .filter(t -> t.breaker().startsWith("large:"))
                .toList();
        cloud.stream()
                .filter(t -> t.atMillis() >= down && t.change().getToState() == CircuitBreaker.State.OPEN)
                .findFirst()
                .ifPresent(t -> timings.put(
                        "cloud breaker first opened after the outage began",
                        (t.atMillis() - down) + " ms (" + t.breaker() + ")"));
        if (back >= 0) {
            cloud.stream()
                    .filter(t -> t.atMillis() >= back && t.change().getToState() == CircuitBreaker.State.CLOSED)
                    .reduce((first, second) -> second)
                    .ifPresentOrElse(
                            t -> timings.put(
                                    "cloud breaker closed (for the last time) after the cloud came back",
                                    (t.atMillis() - back) + " ms (" + t.breaker() + ")"),
                            () -> timings.put(
                                    "cloud breaker closed after the cloud came back", "no closing transition seen"));
        }
        breakers.transitions().stream()
                .filter(t -> !t.breaker().startsWith("large:"))
                .map(Transition::breaker)
                .distinct()
                .forEach(name -> timings.put("other breaker that changed state", name));
        return timings;
    }

    private long phaseMillis(Phase phase) {
        long start = phases.startedAtMillis(phase);
        if (start < 0) {
            return 0;
        }
        for (Phase later : Phase.values()) {
            if (later.compareTo(phase) > 0 && phases.startedAtMillis(later) >= 0) {
                return phases.startedAtMillis(later) - start;
            }
        }
        return phases.startedAtMillis(Phase.FLAPPING) + runMillis - start;
    }

    /**
     * One column of figures: what the requests got, latencies, throughput over {@code millis}, the
     * {@code counters} grouped by the part of their name before {@code |}, and each breaker's calls. The
     * memory benchmark reports its load phase with it too.
     */
    static Map<String, Object> figures(
            List<Result> results, long millis, Map<String, Long> counters, Map<String, Map<Call, Long>> calls) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("requests", results.size());
        f.put("of which streamed", count(results, r -> r.request().streaming()));
        f.put("of which escalating", count(results, r -> r.request().escalating()));
        f.put("answered 200", count(results, Result::ok));
        f.put("200 from the cloud", count(results, r -> r.ok() && "large:cloud".equals(r.target())));
        f.put("200 degraded (`x-router-degraded: true`)", count(results, r -> r.ok() && r.degraded()));
        Map<Integer, Long> errors = results.stream()
                .filter(r -> r.kind() == Kind.ANSWERED && r.status() != 200)
                .collect(Collectors.groupingBy(Result::status, TreeMap::new, Collectors.counting()));
        f.put("answered with an error status", errors.isEmpty() ? "0" : errors.toString());
        f.put("200 stream ended by an `error` event", count(results, r -> r.kind() == Kind.STREAM_ERROR));
        f.put("200 with an incomplete body", count(results, r -> r.kind() == Kind.BAD_BODY));
        f.put("**lost**: no answer within the time limit", count(results, r -> r.kind() == Kind.TIMED_OUT));
        f.put("**lost**: connection failed", count(results, r -> r.kind() == Kind.CONNECTION_FAILED));
        long[] latencies = results.stream()
                .filter(r -> !r.lost())
                .mapToLong(Result::latencyNanos)
                .sorted()
                .toArray();
        f.put("latency p50 / p99 / max (ms)", latencies(latencies));
        f.put("wall time (s)", String.format(Locale.ROOT, "%.1f", millis / 1000.0));
        f.put(
                "throughput (requests/s)",
                millis == 0 ? "-" : String.format(Locale.ROOT, "%.0f", results.size() * 1000.0 / millis));
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        counters.forEach((key, count) -> groups.computeIfAbsent(
                        key.substring(0, key.indexOf('|')), group -> new LinkedHashMap<>())
                .put(key.substring(key.indexOf('|') + 1), count));
        groups.forEach(
                (group, counts) -> f.put(group, group.startsWith("calls received") ? received(counts) : parts(counts)));
        calls.forEach((name, counts) -> {
            Map<String, Long> named = new LinkedHashMap<>();
            counts.forEach((call, count) ->
                    named.put(call.name().toLowerCase(Locale.ROOT).replace('_', ' '), count));
            f.put("breaker `" + name + "`: calls", parts(named));
        });
        return f;
    }

    private static String latencies(long[] sorted) {
        if (sorted.length == 0) {
            return "-";
        }
        return String.format(
                Locale.ROOT,
                "%.0f / %.0f / %.0f",
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /** Nearest rank. */
    private static long percentile(long[] sorted, double percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Calls received: the total, then the failures among them. */
    private static String received(Map<String, Long> counts) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> failures = new LinkedHashMap<>(counts);
        failures.remove(FakeOpenAiServer.Outcome.ANSWERED.label());
        String failed = parts(failures);
        return total + ("0".equals(failed) ? "" : " (" + failed + ")");
    }

    /** The counts above zero, as {@code 3 failed, 5 succeeded}; {@code 0} when there are none. */
    private static String parts(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((name, count) -> {
            if (count > 0) {
                parts.add(count + " " + name);
            }
        });
        return parts.isEmpty() ? "0" : String.join(", ", parts);
    }

    private static long count(List<Result> results, Predicate<Result> test) {
        return results.stream().filter(test).count();
    }
}
