package dev.hybridrouter.router.bench;

import dev.hybridrouter.router.bench.LoadGenerator.Result;
import dev.hybridrouter.router.error.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The figures of one memory benchmark run: the router's memory and threads at each checkpoint, what the
 * hostile bodies and the load got back, and the verdict on each criterion, as markdown.
 */
final class MemoryReport {

    static final String BEGIN = "<!-- MemoryBenchmark figures: begin. Written by MemoryBenchmark --out; a run"
            + " replaces everything up to the end marker. -->";
    static final String END = "<!-- MemoryBenchmark figures: end -->";

    /** The phases of the load, in order. */
    static final List<Phase> LOAD_PHASES = List.of(Phase.FLAPPING, Phase.DOWN, Phase.BACK);

    /** How much RSS may grow while the router is idle and still count as no growth: the larger of the two. */
    static final long IDLE_TOLERANCE_KIB = 16 * 1024;

    static final double IDLE_TOLERANCE_SHARE = 0.02;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<Integer> UPSTREAM_STATUSES = Set.of(502, 503, 504);

    /** What a body sent as it is got back. */
    enum Answer {
        OK("2xx, complete"),
        BROKEN_OK("2xx, incomplete or a stream ended by an `error` event"),
        CLIENT_ERROR("4xx with an OpenAI error body"),
        UPSTREAM_ERROR("502/503/504 with an OpenAI error body of an upstream code"),
        UNTYPED("**any other answer**: a 500, or no OpenAI error body"),
        LOST("**lost**: no complete answer");

        private final String description;

        Answer(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    /**
     * The router at one moment.
     *
     * @param process its {@code /proc} reading
     * @param nativeMemory its NMT summary, or null when there is none
     * @param threadGroups its threads by name with numbers folded, from {@code /proc/PID/task}
     * @param maxRssKibBefore the most RSS sampled since the previous checkpoint, 0 for the first
     * @param maxThreadsBefore the most threads sampled since the previous checkpoint, 0 for the first
     */
    record Checkpoint(
            String name,
            ProcStats.Process process,
            NativeMemory.Summary nativeMemory,
            Map<String, Integer> threadGroups,
            long maxRssKibBefore,
            int maxThreadsBefore) {}

    /** One criterion and whether the run met it. */
    record Criterion(String name, boolean passed, String detail) {}

    /**
     * What the run is held to.
     *
     * @param memoryLimitKib the pod's memory limit
     * @param margin the share of the limit that RSS must stay clear of
     * @param maxThreads the most threads the router may have at any sample
     */
    record Limits(long memoryLimitKib, double margin, int maxThreads) {

        long rssBoundKib() {
            return Math.round(memoryLimitKib * (1 - margin));
        }
    }

    /**
     * One body of the first phase and its answer.
     *
     * @param index its place in the phase
     * @param kind the body's kind: {@code fuzzed} or a {@link HostileBodies.Large} name
     * @param bytes its size, 0 when it was never sent
     */
    record Sent(int index, String kind, int bytes, int status, Answer answer, String detail) {}

    private final Map<String, String> header;
    private final List<Checkpoint> checkpoints;
    private final List<Sent> hostile;
    private final long hostileMillis;
    private final List<Result> load;
    private final int loadNotCompleted;
    private final Map<Phase, Long> phaseMillis;
    private final Map<Phase, Map<String, Long>> phaseCounters;
    private final Limits limits;

    /**
     * @param checkpoints in order: ready, after the hostile bodies, after the load, after the idle period
     * @param loadNotCompleted requests of the load with no result when its deadline came
     * @param phaseCounters per load phase: calls each fake received, by outcome ({@code group|name})
     */
    MemoryReport(
            Map<String, String> header,
            List<Checkpoint> checkpoints,
            List<Sent> hostile,
            long hostileMillis,
            List<Result> load,
            int loadNotCompleted,
            Map<Phase, Long> phaseMillis,
            Map<Phase, Map<String, Long>> phaseCounters,
            Limits limits) {
        this.header = new LinkedHashMap<>(header);
        this.checkpoints = List.copyOf(checkpoints);
        this.hostile = List.copyOf(hostile);
        this.hostileMillis = hostileMillis;
        this.load = List.copyOf(load);
        this.loadNotCompleted = loadNotCompleted;
        this.phaseMillis = new EnumMap<>(Phase.class);
        this.phaseMillis.putAll(phaseMillis);
        this.phaseCounters = new EnumMap<>(Phase.class);
        this.phaseCounters.putAll(phaseCounters);
        this.limits = limits;
    }

    /**
     * What an answer to a body is. An error body is OpenAI's {@code {"error":{"message","type","param",
     * "code"}}} with all four keys; a 5xx is an upstream's when it is 502, 503 or 504 and its code is one
     * the catalogue ({@link ErrorCode}) gives that status.
     */
    static Answer classify(int status, String body) {
        if (status == 0) {
            return Answer.LOST;
        }
        if (status >= 200 && status < 300) {
            boolean complete = body.contains("\"chat.completion\"") || body.contains("[DONE]");
            return complete && !body.contains("event:error") ? Answer.OK : Answer.BROKEN_OK;
        }
        JsonNode error;
        try {
            error = JSON.readTree(body).path("error");
        } catch (RuntimeException e) {
            return Answer.UNTYPED;
        }
        if (!error.isObject()
                || !Set.copyOf(error.propertyNames()).equals(Set.of("message", "type", "param", "code"))) {
            return Answer.UNTYPED;
        }
        if (status >= 400 && status < 500) {
            return Answer.CLIENT_ERROR;
        }
        String code = error.path("code").asString("");
        boolean upstream = UPSTREAM_STATUSES.contains(status)
                && java.util.Arrays.stream(ErrorCode.values())
                        .anyMatch(c -> c != ErrorCode.INTERNAL
                                && code.equals(c.code())
                                && c.status().value() == status);
        return upstream ? Answer.UPSTREAM_ERROR : Answer.UNTYPED;
    }

    /** Threads by name with numbers folded ({@code reactor-http-epoll-N}), most first. */
    static Map<String, Integer> threadGroups(Map<Long, ProcStats.ThreadTime> threads) {
        Map<String, Integer> groups = new TreeMap<>();
        threads.values().forEach(t -> groups.merge(t.name().replaceAll("[0-9]+", "N"), 1, Integer::sum));
        return groups;
    }

    /** Each criterion, in order, and whether the run met it. */
    List<Criterion> criteria() {
        List<Criterion> criteria = new ArrayList<>();
        Map<Answer, Long> answers = answers(hostile);
        long hostileBad = answers.getOrDefault(Answer.LOST, 0L) + answers.getOrDefault(Answer.UNTYPED, 0L);
        criteria.add(new Criterion(
                "hostile bodies: each got a complete answer, none a 500 or an untyped error",
                hostileBad == 0,
                String.format(
                        Locale.ROOT,
                        "%d lost, %d untyped of %d",
                        answers.getOrDefault(Answer.LOST, 0L),
                        answers.getOrDefault(Answer.UNTYPED, 0L),
                        hostile.size())));
        long lost = load.stream().filter(Result::lost).count() + loadNotCompleted;
        long internal = load.stream().filter(r -> r.status() == 500).count();
        criteria.add(new Criterion(
                "load: no request lost (each got a complete HTTP answer) and none a 500",
                lost == 0 && internal == 0,
                String.format(
                        Locale.ROOT,
                        "%d lost, %d answered 500, of %d",
                        lost,
                        internal,
                        load.size() + loadNotCompleted)));
        Checkpoint afterLoad = checkpoints.get(checkpoints.size() - 2);
        Checkpoint afterIdle = checkpoints.get(checkpoints.size() - 1);
        long bound = limits.rssBoundKib();
        criteria.add(new Criterion(
                String.format(
                        Locale.ROOT,
                        "RSS after the load at most %s (the %s limit less %.0f%%)",
                        mib(bound),
                        mib(limits.memoryLimitKib()),
                        limits.margin() * 100),
                afterLoad.process().rssKib() <= bound,
                mib(afterLoad.process().rssKib())));
        long peak = afterIdle.process().peakRssKib();
        criteria.add(
                new Criterion("peak RSS (VmHWM) over the whole run at most " + mib(bound), peak <= bound, mib(peak)));
        int mostThreads = checkpoints.stream()
                .mapToInt(c -> Math.max(c.process().threads(), c.maxThreadsBefore()))
                .max()
                .orElse(0);
        criteria.add(new Criterion(
                "threads bounded: at most " + limits.maxThreads() + " at every sample",
                mostThreads <= limits.maxThreads(),
                "most seen: " + mostThreads));
        long rssBefore = afterLoad.process().rssKib();
        long rssAfter = afterIdle.process().rssKib();
        long tolerance = Math.max(IDLE_TOLERANCE_KIB, Math.round(rssBefore * IDLE_TOLERANCE_SHARE));
        int threadsBefore = afterLoad.process().threads();
        int threadsAfter = afterIdle.process().threads();
        criteria.add(new Criterion(
                "no growth while idle: RSS after the idle period at most RSS after the load + " + mib(tolerance)
                        + ", threads no more",
                rssAfter <= rssBefore + tolerance && threadsAfter <= threadsBefore,
                String.format(
                        Locale.ROOT,
                        "RSS %s → %s, threads %d → %d",
                        mib(rssBefore),
                        mib(rssAfter),
                        threadsBefore,
                        threadsAfter)));
        return criteria;
    }

    boolean passed() {
        return criteria().stream().allMatch(Criterion::passed);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| run | |\n|---|---|\n");
        header.forEach((key, value) ->
                md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
        md.append("\n#### Verdict\n\n| criterion | result | figure |\n|---|---|---|\n");
        for (Criterion criterion : criteria()) {
            md.append("| ")
                    .append(criterion.name())
                    .append(" | ")
                    .append(criterion.passed() ? "pass" : "**fail**")
                    .append(" | ")
                    .append(criterion.detail())
                    .append(" |\n");
        }
        md.append("\n#### Memory and threads at each checkpoint\n\n");
        memoryTable(md);
        md.append("\n#### The JVM's own account (Native Memory Tracking, committed MiB)\n\n");
        nativeMemoryTable(md);
        md.append("\n#### Threads by name (numbers folded)\n\n");
        threadTable(md, 40);
        md.append("\n#### Hostile bodies\n\n");
        hostileTable(md);
        md.append("\n#### Load with a flapping cloud\n\n");
        loadTable(md);
        return md.toString();
    }

    private void memoryTable(StringBuilder md) {
        header(md);
        row(md, "RSS (VmRSS)", c -> mib(c.process().rssKib()));
        row(md, "peak RSS since start (VmHWM)", c -> mib(c.process().peakRssKib()));
        row(
                md,
                "most RSS sampled since the previous checkpoint",
                c -> c.maxRssKibBefore() == 0 ? "-" : mib(c.maxRssKibBefore()));
        row(md, "threads", c -> Integer.toString(c.process().threads()));
        row(
                md,
                "most threads sampled since the previous checkpoint",
                c -> c.maxThreadsBefore() == 0 ? "-" : Integer.toString(c.maxThreadsBefore()));
        row(
                md,
                "NMT: committed in all",
                c -> c.nativeMemory() == null ? "-" : mib(c.nativeMemory().totalCommittedKib()));
        row(
                md,
                "RSS − NMT committed (outside the JVM's account)",
                c -> c.nativeMemory() == null
                        ? "-"
                        : mib(c.process().rssKib() - c.nativeMemory().totalCommittedKib()));
    }

    private void nativeMemoryTable(StringBuilder md) {
        Checkpoint reference = checkpoints.get(checkpoints.size() - 2);
        if (checkpoints.stream().allMatch(c -> c.nativeMemory() == null)) {
            md.append("Not recorded (run with --native-memory-tracking).\n");
            return;
        }
        List<String> categories = checkpoints.stream()
                .filter(c -> c.nativeMemory() != null)
                .flatMap(c -> c.nativeMemory().categories().keySet().stream())
                .distinct()
                .sorted(Comparator.comparingLong((String name) -> reference.nativeMemory() == null
                                ? 0
                                : reference.nativeMemory().committedKib(name))
                        .reversed())
                .toList();
        header(md);
        row(
                md,
                "Java Heap reserved: the most heap the JVM may take",
                c -> c.nativeMemory() == null
                        ? "-"
                        : mib(
                                c.nativeMemory().categories().containsKey("Java Heap")
                                        ? c.nativeMemory()
                                                .categories()
                                                .get("Java Heap")
                                                .reservedKib()
                                        : 0));
        List<String> rest = new ArrayList<>();
        for (String name : categories) {
            boolean large = checkpoints.stream()
                    .anyMatch(c -> c.nativeMemory() != null && c.nativeMemory().committedKib(name) >= 1024);
            if (!large) {
                rest.add(name);
                continue;
            }
            row(md, name + (name.equals("Thread") ? " (stacks; in brackets, threads as NMT counts them)" : ""), c -> {
                if (c.nativeMemory() == null) {
                    return "-";
                }
                String value = mib(c.nativeMemory().committedKib(name));
                return name.equals("Thread") ? value + " (" + c.nativeMemory().threads() + ")" : value;
            });
        }
        if (!rest.isEmpty()) {
            row(
                    md,
                    "the other " + rest.size() + " categories (each under 1 MiB)",
                    c -> c.nativeMemory() == null
                            ? "-"
                            : mib(rest.stream()
                                    .mapToLong(c.nativeMemory()::committedKib)
                                    .sum()));
        }
    }

    private void threadTable(StringBuilder md, int top) {
        Checkpoint reference = checkpoints.get(checkpoints.size() - 2);
        List<String> names = checkpoints.stream()
                .flatMap(c -> c.threadGroups().keySet().stream())
                .distinct()
                .sorted(Comparator.comparingInt(
                                (String name) -> reference.threadGroups().getOrDefault(name, 0))
                        .reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
        header(md);
        for (int i = 0; i < Math.min(top, names.size()); i++) {
            String name = names.get(i);
            row(
                    md,
                    "`" + name.replace("|", "\\|") + "`",
                    c -> Integer.toString(c.threadGroups().getOrDefault(name, 0)));
        }
        if (names.size() > top) {
            List<String> rest = names.subList(top, names.size());
            row(
                    md,
                    "the other " + rest.size() + " names",
                    c -> Integer.toString(rest.stream()
                            .mapToInt(name -> c.threadGroups().getOrDefault(name, 0))
                            .sum()));
        }
    }

    private void hostileTable(StringBuilder md) {
        Map<String, List<Sent>> byKind = new LinkedHashMap<>();
        byKind.put("fuzzed", new ArrayList<>());
        for (HostileBodies.Large kind : HostileBodies.Large.values()) {
            byKind.put(kind.name(), new ArrayList<>());
        }
        hostile.forEach(sent ->
                byKind.computeIfAbsent(sent.kind(), k -> new ArrayList<>()).add(sent));
        md.append(String.format(
                Locale.ROOT,
                "%d bodies, %.1f MiB in all, in %.1f s. Answers by kind of body (statuses in brackets):%n%n",
                hostile.size(),
                hostile.stream().mapToLong(Sent::bytes).sum() / 1048576.0,
                hostileMillis / 1000.0));
        md.append("| body | sent |");
        for (Answer answer : Answer.values()) {
            md.append(' ').append(answer.description()).append(" |");
        }
        md.append("\n|---|---:|").append("---|".repeat(Answer.values().length)).append('\n');
        byKind.forEach((kind, sents) -> {
            if (sents.isEmpty()) {
                return;
            }
            String label = kind.equals("fuzzed")
                    ? "fuzzed (`WireArbitraries`)"
                    : "`" + kind + "`: " + HostileBodies.Large.valueOf(kind).description();
            md.append("| ").append(label).append(" | ").append(sents.size()).append(" |");
            for (Answer answer : Answer.values()) {
                Map<Integer, Long> statuses = sents.stream()
                        .filter(s -> s.answer() == answer)
                        .collect(Collectors.groupingBy(Sent::status, TreeMap::new, Collectors.counting()));
                long count =
                        statuses.values().stream().mapToLong(Long::longValue).sum();
                md.append(' ')
                        .append(
                                count == 0
                                        ? "0"
                                        : count
                                                + (answer == Answer.LOST
                                                        ? ""
                                                        : " ("
                                                                + statuses.entrySet().stream()
                                                                        .map(e -> e.getKey() + ": " + e.getValue())
                                                                        .collect(Collectors.joining(", "))
                                                                + ")"))
                        .append(" |");
            }
            md.append('\n');
        });
        List<Sent> bad = hostile.stream()
                .filter(s -> s.answer() == Answer.LOST || s.answer() == Answer.UNTYPED)
                .limit(5)
                .toList();
        if (!bad.isEmpty()) {
            md.append("\nFirst lost or untyped answers:\n\n");
            bad.forEach(s -> md.append("- ")
                    .append(s.kind())
                    .append(", ")
                    .append(s.bytes())
                    .append(" bytes, HTTP ")
                    .append(s.status())
                    .append(": ")
                    .append(s.detail().replace("|", "\\|"))
                    .append('\n'));
        }
    }

    private void loadTable(StringBuilder md) {
        Map<String, Map<String, Object>> columns = new LinkedHashMap<>();
        Map<String, Long> allCounters = new LinkedHashMap<>();
        long allMillis = 0;
        for (Phase phase : LOAD_PHASES) {
            Map<String, Long> counters = phaseCounters.getOrDefault(phase, Map.of());
            long millis = phaseMillis.getOrDefault(phase, 0L);
            allMillis += millis;
            counters.forEach((name, count) -> allCounters.merge(name, count, Long::sum));
            columns.put(
                    phase.title(),
                    SoakReport.figures(
                            load.stream().filter(r -> r.phase() == phase).toList(), millis, counters, Map.of()));
        }
        columns.put("all", SoakReport.figures(load, allMillis, allCounters, Map.of()));
        md.append("| | ")
                .append(String.join(" | ", columns.keySet()))
                .append(" |\n|---|")
                .append("---:|".repeat(columns.size()))
                .append('\n');
        for (String row : columns.get("all").keySet()) {
            md.append("| ").append(row).append(" |");
            columns.values()
                    .forEach(column ->
                            md.append(' ').append(column.getOrDefault(row, "0")).append(" |"));
            md.append('\n');
        }
        if (loadNotCompleted > 0) {
            md.append("\n**The load hit its deadline**: ")
                    .append(loadNotCompleted)
                    .append(" requests were cut off in flight or never sent; they count as lost.\n");
        }
        List<Result> failed =
                load.stream().filter(r -> r.detail() != null).limit(5).toList();
        if (!failed.isEmpty()) {
            md.append("\nFirst answers that were not a 200:\n\n");
            failed.forEach(r -> md.append(String.format(
                    Locale.ROOT,
                    "- #%d (phase %s): %s, HTTP %d, after %d ms: %s%n",
                    r.request().index(),
                    r.phase().title(),
                    r.kind(),
                    r.status(),
                    r.latencyNanos() / 1_000_000,
                    r.detail().replace("|", "\\|"))));
        }
    }

    private void header(StringBuilder md) {
        md.append("| |");
        checkpoints.forEach(c -> md.append(' ').append(c.name()).append(" |"));
        md.append("\n|---|").append("---:|".repeat(checkpoints.size())).append('\n');
    }

    private void row(StringBuilder md, String name, java.util.function.Function<Checkpoint, String> value) {
        md.append("| ").append(name).append(" |");
        checkpoints.forEach(c -> md.append(' ').append(value.apply(c)).append(" |"));
        md.append('\n');
    }

    static Map<Answer, Long> answers(List<Sent> sents) {
        Map<Answer, Long> answers = new EnumMap<>(Answer.class);
        sents.forEach(s -> answers.merge(s.answer(), 1L, Long::sum));
        return answers;
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }
}
