package dev.hybridrouter.router.bench;

import dev.hybridrouter.router.bench.LoadGenerator.Request;
import dev.hybridrouter.router.bench.LoadGenerator.Result;
import dev.hybridrouter.router.bench.MemoryReport.Checkpoint;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;
import reactor.netty.resources.LoopResources;

/**
 * The memory benchmark: the router's jar in a process of its own, in front of a healthy local
 * specialist and a cloud model that flaps, first sent hostile bodies (the fuzz tests' generated requests
 * and large ones near the input limits), then loaded at 200 concurrent connections while the cloud fails
 * a share of calls, goes down and comes back, then left idle. Its resident memory, peak, threads and the
 * JVM's own account of its memory (Native Memory Tracking) are read after it is ready, after each phase
 * and after the idle period. Exit 0 when every criterion holds, 1 when one does not, 2 on a usage error, 3
 * when the run itself failed.
 */
@Command(
        name = "memory-benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Memory benchmark: starts the router jar (java -jar, separate process) against a fake local"
                + " specialist and a fake cloud, sends --hostile-requests hostile bodies, then --requests chat"
                + " requests at --concurrency while the cloud flaps (40%%), is down (30%%) and is back (30%%),"
                + " then idles --idle-seconds; reads RSS, peak RSS, threads and NMT at each checkpoint and prints"
                + " a markdown report. Exit 0 when every criterion holds, 1 when one does not, 2 on a usage"
                + " error, 3 when the run failed.")
public final class MemoryBenchmark implements Callable<Integer> {

    /** The chart's JVM options ({@code javaToolOptions} in helm/hybrid-router/values.yaml). */
    static final List<String> CHART_JVM_OPTIONS = List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--hostile-requests",
            defaultValue = "5000",
            description = "Bodies of the first phase (default ${DEFAULT-VALUE}).")
    int hostileRequests;

    @Option(
            names = "--hostile-concurrency",
            defaultValue = "16",
            description = "Bodies in flight at once in the first phase (default ${DEFAULT-VALUE}).")
    int hostileConcurrency;

    @Option(
            names = "--large-share",
            defaultValue = "0.05",
            description = "Share of the first phase's bodies that are large, near or over an input limit, the"
                    + " kinds in turn (default ${DEFAULT-VALUE}).")
    double largeShare;

    @Option(
            names = "--requests",
            defaultValue = "20000",
            description = "Chat requests of the load phase (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--concurrency",
            defaultValue = "200",
            description = "Requests in flight at once in the load phase, and connections (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--failure-rate",
            defaultValue = "0.3",
            description = "Share of cloud calls that fail while it flaps (default ${DEFAULT-VALUE}).")
    double failureRate;

    @Option(
            names = "--faults",
            split = ",",
            defaultValue = "HTTP_500,HTTP_503,RESET",
            description = "How failing cloud calls fail, each as often (default ${DEFAULT-VALUE}).")
    List<FakeOpenAiServer.Outcome> faults;

    @Option(
            names = "--streaming",
            defaultValue = "0.2",
            description = "Share of the load's requests that ask for a stream (default ${DEFAULT-VALUE}).")
    double streaming;

    @Option(
            names = "--idle-seconds",
            defaultValue = "30",
            description = "Seconds the router is left idle after the load (default ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Option(
            names = "--container-memory",
            paramLabel = "SIZE",
            description = "Run the router as the Helm chart does in a container with this memory limit (e.g. 1g):"
                    + " -XX:MaxRAM=SIZE, so that the JVM sizes its heap from SIZE as it would from the cgroup, plus the"
                    + " chart's -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError. The limit itself is not"
                    + " enforced. Default: none, the JVM's defaults on this machine, as `java -jar`.")
    String containerMemory;

    @Option(
            names = "--native-memory-tracking",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Run the router with -XX:NativeMemoryTracking=summary and read jcmd's"
                    + " VM.native_memory summary at each checkpoint (default on; --no-native-memory-tracking to"
                    + " leave it off).")
    boolean nativeMemoryTracking;

    @Option(
            names = "--router-jvm-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description = "More JVM options for the router, space-separated, before -jar (default: none).")
    String routerJvmArgs;

    @Option(
            names = "--memory-limit",
            paramLabel = "MIB",
            defaultValue = "1024",
            description = "The pod memory limit the figures are held to, in MiB (default ${DEFAULT-VALUE}: the chart's"
                    + " 1Gi).")
    int memoryLimitMib;

    @Option(
            names = "--margin",
            defaultValue = "0.15",
            description =
                    "Share of --memory-limit that RSS and peak RSS must stay clear of (default ${DEFAULT-VALUE}).")
    double margin;

    @Option(
            names = "--max-threads",
            defaultValue = "0",
            description = "The most threads the router may have at any sample (default 0: 64 + 4 per core, the"
                    + " pools that follow the cores being event loops, parallel scheduler, GC and refinement"
                    + " threads).")
    int maxThreads;

    @Option(
            names = "--max-concurrent-calls",
            defaultValue = "512",
            description = "The policy's bulkhead per upstream (default ${DEFAULT-VALUE}, as the soak's; the service's"
                    + " is 64).")
    int maxConcurrentCalls;

    @Option(
            names = "--timeout-seconds",
            defaultValue = "30",
            description = "A request with no complete answer after this long is lost (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(
            names = "--max-minutes",
            defaultValue = "20",
            description = "The load phase stops after this long; what is unfinished counts as lost (default"
                    + " ${DEFAULT-VALUE}).")
    int maxMinutes;

    @Option(
            names = "--jar",
            paramLabel = "FILE",
            defaultValue = "router-service/target/router-service.jar",
            description = "The router's jar (default ${DEFAULT-VALUE}).")
    Path jar;

    @Option(
            names = "--java",
            paramLabel = "FILE",
            description = "The java that runs the router (default: the one running this harness).")
    Path java;

    @Option(
            names = "--ready-timeout",
            paramLabel = "SECONDS",
            defaultValue = "180",
            description = "The longest to wait for the router's readiness UP (default ${DEFAULT-VALUE}).")
    int readyTimeout;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Also write the report into FILE (e.g. docs/benchmarks.md) between the MemoryBenchmark"
                    + " markers, replacing the previous figures; appended when the markers are missing.")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seeds the bodies, the load's plan and the fakes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--keep-temp",
            description = "Keep the temp folder (policy, router log, jcmd output) after a successful run; it is"
                    + " always kept after a failed one.")
    boolean keepTemp;

    public static void main(String[] args) {
        System.exit(BenchmarkRun.execute("memory-benchmark", new MemoryBenchmark(), args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Path javaProgram = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        Path jcmd = javaProgram.resolveSibling("jcmd");
        if (nativeMemoryTracking && !Files.isExecutable(jcmd)) {
            throw new BenchmarkFailure("--native-memory-tracking needs jcmd beside java: " + jcmd
                    + "; or run with --no-native-memory-tracking");
        }
        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = ProcStats.loadAverage();
        log("load average at the start: %s", loadBefore);
        Path temp = Files.createTempDirectory("memorybench-");
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        LoopResources loops = LoopResources.create("memory-harness", 2, true);
        FakeOpenAiServer local = new FakeOpenAiServer("local", loops, seed, 5, 20);
        FakeOpenAiServer cloud = new FakeOpenAiServer("cloud", loops, seed + 1, 20, 60);
        boolean succeeded = false;
        RouterProcess[] started = new RouterProcess[1];
        Thread hook = new Thread(
                () -> {
                    if (started[0] != null && started[0].isAlive()) {
                        started[0].close();
                        log("stopped before the end: the router is stopped; kept %s", temp);
                    }
                },
                "memorybench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (local;
                cloud) {
            log("temp folder %s", temp);
            local.start();
            cloud.faults(faults);
            cloud.start();
            Path policy = Files.writeString(temp.resolve("policy.yaml"), policy(local.baseUrl(), cloud.baseUrl()));
            List<String> jvm = jvmArguments();
            log("starting the router: %s %s", String.join(" ", jvm), jar);
            try (RouterProcess router = RouterProcess.start(
                            javaProgram, jar, jvm, policy, Map.of(), temp, Duration.ofSeconds(readyTimeout));
                    LoadGenerator client = new LoadGenerator(router.port(), concurrency, timeout, loops)) {
                started[0] = router;
                log(
                        "router ready on port %d after %.1f s (pid %d)",
                        router.port(), router.readySeconds(), router.pid());
                List<Checkpoint> checkpoints = new ArrayList<>();
                checkpoints.add(checkpoint("ready", router, jcmd, temp, null));

                log("hostile bodies: generating %d", hostileRequests);
                List<String> fuzzed = HostileBodies.fuzzed(seed, hostileRequests, largeShare);
                List<MemoryReport.Sent> hostile = Collections.synchronizedList(new ArrayList<>());
                long hostileStart = System.nanoTime();
                try (ProcessSampler sampler = ProcessSampler.start(router.pid())) {
                    log("hostile bodies: sending %d, %d at a time", hostileRequests, hostileConcurrency);
                    Duration deadline = Duration.ofMinutes(maxMinutes);
                    Flux.range(0, hostileRequests)
                            .flatMap(i -> send(client, fuzzed, i), hostileConcurrency)
                            .take(deadline)
                            .doOnNext(hostile::add)
                            .blockLast(deadline.plusMinutes(1));
                    sampler.close();
                    cutOff(hostile);
                    alive(router, "the hostile bodies");
                    checkpoints.add(checkpoint("after hostile bodies", router, jcmd, temp, sampler));
                }
                long hostileMillis = (System.nanoTime() - hostileStart) / 1_000_000;
                log("hostile bodies: done in %.1f s: %s", hostileMillis / 1000.0, MemoryReport.answers(hostile));

                List<Result> results = Collections.synchronizedList(new ArrayList<>());
                Map<Phase, Long> phaseMillis = new EnumMap<>(Phase.class);
                Map<Phase, Map<String, Long>> counters = new EnumMap<>(Phase.class);
                List<Request> plan = plan(requests, seed, streaming);
                try (CloudPhases phases = new CloudPhases(
                                cloud, () -> counters(List.of(cloud, local)), 0, requests, failureRate);
                        ProcessSampler sampler = ProcessSampler.start(router.pid())) {
                    log("load: %d requests, %d in flight, the cloud flapping, down, back", requests, concurrency);
                    Duration deadline = Duration.ofMinutes(maxMinutes);
                    client.run(plan, concurrency, phases)
                            .take(deadline)
                            .doOnNext(results::add)
                            .blockLast(deadline.plusMinutes(1));
                    long end = phases.elapsedMillis();
                    phases.end();
                    phases.awaitSwitches();
                    sampler.close();
                    alive(router, "the load");
                    for (int p = 0; p < MemoryReport.LOAD_PHASES.size(); p++) {
                        Phase phase = MemoryReport.LOAD_PHASES.get(p);
                        long from = phases.startedAtMillis(phase);
                        long to = p + 1 < MemoryReport.LOAD_PHASES.size()
                                ? phases.startedAtMillis(MemoryReport.LOAD_PHASES.get(p + 1))
                                : end;
                        phaseMillis.put(phase, from < 0 ? 0 : Math.max(0, (to < 0 ? end : to) - from));
                        counters.put(phase, phases.counted(phase));
                    }
                    checkpoints.add(checkpoint("after load", router, jcmd, temp, sampler));
                }
                List<Result> load;
                synchronized (results) {
                    load = List.copyOf(results);
                }
                log(
                        "load: done; %d answered, %d lost",
                        load.size(), load.stream().filter(Result::lost).count());

                log("idle: %d s", idleSeconds);
                try (ProcessSampler sampler = ProcessSampler.start(router.pid())) {
                    Thread.sleep(idleSeconds * 1000L);
                    sampler.close();
                    alive(router, "the idle period");
                    checkpoints.add(checkpoint("after " + idleSeconds + " s idle", router, jcmd, temp, sampler));
                }

                List<MemoryReport.Sent> sent;
                synchronized (hostile) {
                    sent = List.copyOf(hostile);
                }
                MemoryReport report = new MemoryReport(
                        header(date, loadBefore, jvm, router, javaProgram),
                        checkpoints,
                        sent,
                        hostileMillis,
                        load,
                        requests - load.size(),
                        phaseMillis,
                        counters,
                        new MemoryReport.Limits(memoryLimitMib * 1024L, margin, threadBound()));
                String markdown = report.markdown() + "\n" + router.logSummary(12);
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println();
                stdout.println(markdown);
                stdout.flush();
                if (out != null) {
                    PathReport.writeInto(out, markdown, MemoryReport.BEGIN, MemoryReport.END);
                    log("figures written into %s", out);
                }
                report.criteria().stream()
                        .filter(c -> !c.passed())
                        .forEach(c -> log("criterion not met: %s (%s)", c.name(), c.detail()));
                succeeded = true;
                return report.passed() ? 0 : 1;
            }
        } finally {
            loops.disposeLater().block(Duration.ofSeconds(10));
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
            if (succeeded && !keepTemp) {
                BenchmarkRun.deleteTree(temp);
            } else {
                log("kept %s (policy, router log, jcmd output)", temp);
            }
        }
    }

    /**
     * The load's requests, in sending order, the same for a seed: a different text every request (so the
     * embedding cache never answers), in turn one for the IT helpdesk, one for HR, one that names the
     * local-only domain's subject and one that names no domain (so it escalates); {@code streaming} of them
     * ask for a stream.
     */
    static List<Request> plan(int count, long seed, double streaming) {
        Random random = new Random(seed);
        List<Request> plan = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean streams = random.nextDouble() < streaming;
            String text =
                    switch (i % 4) {
                        case 0 -> "my laptop will not connect to the VPN since update " + i;
                        case 1 -> "how many vacation days do I have left after request " + i;
                        case 2 -> "please pull up the patient records of case " + i;
                        default -> "write a sonnet about routers, number " + i;
                    };
            plan.add(new Request(i, i % 4 == 3, streams, text));
        }
        return plan;
    }

    /**
     * The policy: two domains and a local-only one, each with a specialist on the local fake; escalation
     * to the cloud fake with {@code on-unavailable: local}; the service's classifier (the embedding model
     * in the jar). Resilience as the soak's: a breaker waits 1 s when open, every call is limited to 5 s,
     * and the bulkhead is {@code --max-concurrent-calls}.
     */
    String policy(String localBaseUrl, String cloudBaseUrl) {
        return """
                # Written by MemoryBenchmark: the specialists point at the local fake, the large model at the cloud fake.
                version: 1
                name: memory
                domains:
                  - name: it-helpdesk
                    specialist: helpdesk-slm
                    examples: [I forgot my password, my laptop will not connect to the VPN, the printer is offline]
                  - name: hr
                    specialist: hr-slm
                    examples: [how many vacation days do I have left, when is payday, how do I request parental leave]
                  - name: medical-records
                    specialist: records-slm
                    residency: local-only
                    examples: [show me the patient records, what is the diagnosis in this chart, list the prescriptions of this patient]
                specialists:
                  helpdesk-slm:
                    provider: openai-compatible
                    base-url: %1$s
                    model: qwen2.5-1.5b-instruct
                    system-prompt: You are the IT helpdesk.
                    timeout: 5s
                  hr-slm:
                    provider: openai-compatible
                    base-url: %1$s
                    model: llama3.2-1b-instruct
                    system-prompt: You are the HR assistant.
                    timeout: 5s
                  records-slm:
                    provider: openai-compatible
                    base-url: %1$s
                    model: qwen2.5-1.5b-instruct
                    system-prompt: You answer questions about patient records.
                    timeout: 5s
                escalation:
                  large-model: cloud
                  on-unavailable: local
                  on-specialist-unavailable: escalate
                large-models:
                  cloud:
                    provider: openai
                    base-url: %2$s
                    model: gpt-4o-mini
                    api-key-env: %3$s
                    timeout: 5s
                resilience:
                  circuit-breaker:
                    wait-in-open: 1s
                  first-token-timeout: 5s
                  max-concurrent-calls: %4$d
                """
                .formatted(localBaseUrl, cloudBaseUrl, BenchPolicy.API_KEY_ENV, maxConcurrentCalls);
    }

    /** {@code --max-threads}, or when it is 0, 64 + 4 per core of this machine. */
    int threadBound() {
        return maxThreads > 0 ? maxThreads : 64 + 4 * Runtime.getRuntime().availableProcessors();
    }

    /** The router's JVM options: NMT, the chart's options under --container-memory, then --router-jvm-args. */
    List<String> jvmArguments() {
        List<String> arguments = new ArrayList<>();
        if (nativeMemoryTracking) {
            arguments.add("-XX:NativeMemoryTracking=summary");
        }
        if (containerMemory != null && !containerMemory.isBlank()) {
            arguments.add("-XX:MaxRAM=" + containerMemory.trim());
            arguments.addAll(CHART_JVM_OPTIONS);
        }
        if (!routerJvmArgs.isBlank()) {
            arguments.addAll(List.of(routerJvmArgs.trim().split("\\s+")));
        }
        return arguments;
    }

    /** Adds a lost body for each one that got no answer before the deadline. */
    private void cutOff(List<MemoryReport.Sent> hostile) {
        synchronized (hostile) {
            java.util.Set<Integer> answered =
                    hostile.stream().map(MemoryReport.Sent::index).collect(Collectors.toSet());
            for (int i = 0; i < hostileRequests; i++) {
                if (!answered.contains(i)) {
                    HostileBodies.Large large = HostileBodies.largeAt(i, largeShare);
                    hostile.add(new MemoryReport.Sent(
                            i,
                            large == null ? "fuzzed" : large.name(),
                            0,
                            0,
                            MemoryReport.Answer.LOST,
                            "cut off by --max-minutes"));
                }
            }
        }
    }

    private reactor.core.publisher.Mono<MemoryReport.Sent> send(LoadGenerator client, List<String> fuzzed, int index) {
        HostileBodies.Large large = HostileBodies.largeAt(index, largeShare);
        byte[] body =
                large == null ? fuzzed.get(index).getBytes(StandardCharsets.UTF_8) : HostileBodies.body(large, index);
        String kind = large == null ? "fuzzed" : large.name();
        return client.post(body).map(reply -> {
            MemoryReport.Answer answer = MemoryReport.classify(reply.status(), reply.body());
            return new MemoryReport.Sent(index, kind, body.length, reply.status(), answer, abbreviate(reply.body()));
        });
    }

    private Checkpoint checkpoint(String name, RouterProcess router, Path jcmd, Path temp, ProcessSampler sampler)
            throws InterruptedException {
        // /proc first: jcmd's attach starts a thread of its own in the router
        ProcStats.Process process = ProcStats.process(router.pid());
        Map<String, Integer> threads = MemoryReport.threadGroups(ProcStats.threads(router.pid()));
        NativeMemory.Summary nmt = nativeMemoryTracking
                ? NativeMemory.read(jcmd, router.pid(), temp).orElse(null)
                : null;
        Checkpoint checkpoint = new Checkpoint(
                name,
                process,
                nmt,
                threads,
                sampler == null ? 0 : sampler.maxRssKib(),
                sampler == null ? 0 : sampler.maxThreads());
        log(
                "%s: RSS %s, peak %s, %d threads%s",
                name,
                MemoryReport.mib(process.rssKib()),
                MemoryReport.mib(process.peakRssKib()),
                process.threads(),
                nmt == null
                        ? ""
                        : ", NMT committed " + MemoryReport.mib(nmt.totalCommittedKib()) + " (heap "
                                + MemoryReport.mib(nmt.committedKib("Java Heap")) + ")");
        return checkpoint;
    }

    private static void alive(RouterProcess router, String during) {
        if (!router.isAlive()) {
            throw new BenchmarkFailure("the router ended during " + during + "; the end of its log (" + router.log()
                    + "):\n" + router.logTail(40));
        }
    }

    /** Calls each fake received, by outcome, named {@code calls received by fake NAME|outcome}. */
    private static Map<String, Long> counters(List<FakeOpenAiServer> fakes) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (FakeOpenAiServer fake : fakes) {
            fake.outcomes()
                    .forEach((outcome, count) ->
                            counters.put("calls received by fake " + fake.name() + "|" + outcome.label(), count));
        }
        return counters;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (hostileRequests < 0 || requests < 10) {
            problems.add("--hostile-requests must be at least 0, --requests at least 10");
        }
        if (hostileConcurrency < 1
                || concurrency < 1
                || idleSeconds < 0
                || timeoutSeconds < 1
                || maxMinutes < 1
                || readyTimeout < 1
                || maxConcurrentCalls < 1
                || memoryLimitMib < 1
                || maxThreads < 0) {
            problems.add("--hostile-concurrency, --concurrency, --timeout-seconds, --max-minutes, --ready-timeout,"
                    + " --max-concurrent-calls and --memory-limit must be at least 1, --idle-seconds and"
                    + " --max-threads at least 0");
        }
        for (double share : new double[] {largeShare, failureRate, streaming}) {
            if (share < 0 || share > 1) {
                problems.add("--large-share, --failure-rate and --streaming must be between 0 and 1");
                break;
            }
        }
        if (margin < 0 || margin >= 1) {
            problems.add("--margin must be at least 0 and below 1");
        }
        if (containerMemory != null && !containerMemory.trim().matches("[0-9]+[kKmMgG]?")) {
            problems.add("--container-memory must be a size as the JVM reads it, e.g. 1g or 1536m");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private Map<String, String> header(
            String date, String loadBefore, List<String> jvm, RouterProcess router, Path javaProgram) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("date", date);
        header.put("commit", PathBenchmark.gitCommit());
        header.put(
                "machine",
                String.format(
                        Locale.ROOT,
                        "%d cores (%s), %s RAM, %s %s %s",
                        Runtime.getRuntime().availableProcessors(),
                        ProcStats.firstValue(Path.of("/proc/cpuinfo"), "model name"),
                        PathBenchmark.memory(),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        System.getProperty("os.arch")));
        header.put(
                "JDK",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + (java == null ? " (harness and router)" : " (harness; router: " + javaProgram + ")"));
        header.put(
                "load average (1, 5, 15 min) at the start / at the end", loadBefore + " / " + ProcStats.loadAverage());
        header.put(
                "router JVM options",
                (jvm.isEmpty() ? "none" : "`" + String.join(" ", jvm) + "`")
                        + (containerMemory == null
                                ? " (the JVM's defaults on this machine, as `java -jar`)"
                                : " (the chart's JAVA_TOOL_OPTIONS with the heap sized from " + containerMemory
                                        + ", as in a container with that limit; the limit is not enforced)"));
        header.put(
                "settings",
                String.format(
                        Locale.ROOT,
                        "`--hostile-requests %d --hostile-concurrency %d --large-share %s --requests %d --concurrency %d"
                                + " --failure-rate %s --faults %s --streaming %s --idle-seconds %d --max-concurrent-calls"
                                + " %d --timeout-seconds %d --seed %d`",
                        hostileRequests,
                        hostileConcurrency,
                        largeShare,
                        requests,
                        concurrency,
                        failureRate,
                        faults.stream().map(Enum::name).collect(Collectors.joining(",")),
                        streaming,
                        idleSeconds,
                        maxConcurrentCalls,
                        timeoutSeconds,
                        seed));
        header.put(
                "held to",
                String.format(
                        Locale.ROOT,
                        "`--memory-limit %d --margin %s`: RSS at most %s; threads at most %d%s",
                        memoryLimitMib,
                        margin,
                        MemoryReport.mib(Math.round(memoryLimitMib * 1024L * (1 - margin))),
                        threadBound(),
                        maxThreads > 0
                                ? " (`--max-threads`)"
                                : " (64 + 4 × " + Runtime.getRuntime().availableProcessors() + " cores)"));
        header.put(
                "router cold start",
                String.format(Locale.ROOT, "%.1f s from `java -jar` to readiness UP", router.readySeconds()));
        header.put(
                "fakes (Reactor Netty, in the harness's JVM)",
                "local specialist answers in 5-20 ms; cloud (OpenAI API) in 20-60 ms");
        return header;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }

    private void log(String format, Object... arguments) {
        BenchmarkRun.log(spec.commandLine().getErr(), format, arguments);
    }
}
