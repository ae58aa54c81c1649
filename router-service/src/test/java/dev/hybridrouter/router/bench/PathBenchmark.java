package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The request-path benchmark: the router as a black box (its jar, in a process of its own, configured
 * by a policy file and environment variables) in front of a fast fake upstream, loaded by wrk at a few
 * connection counts, with nginx in front of the same fake as the reference proxy. Reports throughput,
 * latency, errors, the router's CPU per request, memory and threads, and time to first byte of streamed
 * answers. Exit status 0 when every request was answered, 1 when some were not, 2 on a usage error, 3
 * when the run itself failed (a tool missing, a process that did not start or get ready).
 */
@Command(
        name = "path-benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Request-path benchmark: starts a fast fake OpenAI-compatible upstream, nginx in front of it"
                + " (one worker) and the router jar (java -jar, separate process) with a policy whose every"
                + " upstream is the fake, then runs wrk at each --connections against each --targets and prints"
                + " a markdown report. Exit 0 when every request got a complete 2xx answer, 1 when some did not,"
                + " 2 on a usage error, 3 when the run failed (tool missing, router not ready).")
public final class PathBenchmark implements Callable<Integer> {

    /** The scenarios that become the policy's domains when none are named: 10 of HWU64's 18. */
    static final String DEFAULT_SCENARIOS = "alarm,calendar,cooking,email,iot,music,news,takeaway,transport,weather";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            defaultValue = "15",
            description = "Measured seconds per point (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description = "Unmeasured seconds before each point, same target and connections (default"
                    + " ${DEFAULT-VALUE}; 0 for none).")
    int warmup;

    @Option(
            names = "--router-warmup",
            paramLabel = "SECONDS",
            defaultValue = "180",
            description = "Unmeasured seconds once after the router is ready, split over the router targets, at"
                    + " 50 connections, to warm its JIT up (default ${DEFAULT-VALUE}; 0 for none).")
    int routerWarmup;

    @Option(
            names = "--connections",
            split = ",",
            paramLabel = "N,N,...",
            defaultValue = "1,10,50,200",
            description = "wrk's connections, one point each (default ${DEFAULT-VALUE}).")
    List<Integer> connections;

    @Option(
            names = "--targets",
            split = ",",
            paramLabel = "T,T,...",
            defaultValue = "direct,nginx,nginx-stream,router-repeated,router-distinct,router-stream",
            description = "What to load, in this order (default ${DEFAULT-VALUE}; also direct-stream). direct: the"
                    + " fake alone; nginx(-stream): nginx in front of the fake; router-repeated: one repeated message;"
                    + " router-distinct: a different message every request; router-stream: repeated, streamed.")
    List<String> targets;

    @Option(
            names = "--jar",
            paramLabel = "FILE",
            defaultValue = "router-service/target/router-service.jar",
            description = "The router's jar (default ${DEFAULT-VALUE}).")
    Path jar;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "../shared/data/hwu64",
            description = "Folder with hwu64_fold1_train.jsonl (policy examples) and hwu64_fold1_test.jsonl"
                    + " (router-distinct messages) (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(
            names = "--scenarios",
            split = ",",
            paramLabel = "S,S,...",
            defaultValue = DEFAULT_SCENARIOS,
            description = "HWU64 scenarios that become the policy's domains (default ${DEFAULT-VALUE}).")
    List<String> scenarios;

    @Option(
            names = "--examples",
            defaultValue = "20",
            description = "Train messages per domain (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(
            names = "--message",
            defaultValue = "wake me up at seven tomorrow morning",
            description = "The repeated message (default \"${DEFAULT-VALUE}\").")
    String message;

    @Option(
            names = "--max-concurrent-calls",
            defaultValue = "1024",
            description = "The policy's bulkhead per upstream; high, so that it never refuses (default"
                    + " ${DEFAULT-VALUE}).")
    int maxConcurrentCalls;

    @Option(
            names = "--no-fast-stage",
            description = "Turn the classifier's fast stage off in the policy (classifier.fast-stage.enabled: false),"
                    + " so that the embedding model classifies every message; for builds that have one.")
    boolean noFastStage;

    @Option(
            names = "--ttfb-requests",
            defaultValue = "200",
            description = "Measured requests of the time-to-first-byte probe per server, after 20 unmeasured"
                    + " (default ${DEFAULT-VALUE}; 0 skips the probe).")
    int ttfbRequests;

    @Option(
            names = "--tenants",
            description = "Run the router with a tenants file of one tenant, with rate limits and a budget far above"
                    + " the load, and send its key with every request: every request is then authenticated and"
                    + " counted against its limits (in the router's process).")
    boolean tenants;

    @Option(
            names = "--redis",
            description = "Start a redis-server (the Debian package) on a free port and give the router its URL, as"
                    + " replicas sharing one Redis do: it counts the tenant's limits and budget there (with --tenants)"
                    + " and keeps its response cache there (with --cache).")
    boolean redis;

    @Option(
            names = "--cache",
            description = "Give the policy cache.requests: all, so that the router answers the repeated message"
                    + " from its response cache after the first time.")
    boolean cache;

    /** The bench tenant's key; not a secret. */
    static final String TENANT_KEY = "pathbench-tenant-key";

    @Option(
            names = "--profile",
            description = "Record the router with JFR (jcmd JFR.start/JFR.stop; execution samples every 10 ms and GC"
                    + " only) during the measured"
                    + " part of router-repeated at 50 connections (or the nearest connections run), and summarise"
                    + " where its CPU goes.")
    boolean profile;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Also write the report into FILE (e.g. docs/benchmarks.md) between the PathBenchmark"
                    + " markers, replacing the previous figures; appended when the markers are missing.")
    Path out;

    @Option(
            names = "--wrk-threads",
            defaultValue = "2",
            description = "wrk's threads, at most; never more than connections (default ${DEFAULT-VALUE}).")
    int wrkThreads;

    @Option(
            names = "--wrk-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description =
                    "A request unanswered after this long counts as a timeout error (default" + " ${DEFAULT-VALUE}).")
    int wrkTimeout;

    @Option(
            names = "--fake-threads",
            defaultValue = "2",
            description = "Event-loop threads of the fake upstream (default ${DEFAULT-VALUE}).")
    int fakeThreads;

    @Option(
            names = "--router-jvm-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description =
                    "JVM options for the router, space-separated, before -jar (default: none, as" + " `java -jar`).")
    String routerJvmArgs;

    @Option(
            names = "--ready-timeout",
            paramLabel = "SECONDS",
            defaultValue = "180",
            description = "The longest to wait for the router's readiness UP (default ${DEFAULT-VALUE}).")
    int readyTimeout;

    @Option(
            names = "--wrk",
            defaultValue = "wrk",
            description = "The wrk program (default ${DEFAULT-VALUE}, looked up on PATH).")
    String wrk;

    @Option(
            names = "--nginx",
            defaultValue = "nginx",
            description = "The nginx program (default ${DEFAULT-VALUE}, looked up on PATH and in /usr/sbin).")
    String nginx;

    @Option(
            names = "--java",
            paramLabel = "FILE",
            description = "The java that runs the router (default: the one running this harness).")
    Path java;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seeds the choice of examples (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--keep-temp",
            description = "Keep the temp folder (policy, configs, logs) after a successful run; it is always kept"
                    + " after a failed one.")
    boolean keepTemp;

    private final BenchmarkRun run = new BenchmarkRun(message -> log("%s", message));

    public static void main(String[] args) {
        System.exit(BenchmarkRun.execute("path-benchmark", new PathBenchmark(), args));
    }

    @Override
    public Integer call() throws Exception {
        List<Target> plan = validate();
        boolean needsNginx = plan.stream().anyMatch(t -> t.server() == Target.Server.NGINX);
        boolean needsRouter = plan.stream().anyMatch(t -> t.server() == Target.Server.ROUTER);
        // every check that needs nothing started comes first
        Path wrkProgram = program(wrk, "wrk", "apt-get install wrk");
        Path nginxProgram = needsNginx ? program(nginx, "nginx", "apt-get install nginx-light") : null;
        Path javaProgram = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        Path jcmd = javaProgram.resolveSibling("jcmd");
        if (needsRouter && !Files.isRegularFile(jar)) {
            throw new BenchmarkFailure("router jar not found: " + jar.toAbsolutePath()
                    + "; build it with ./mvnw -q package -DskipTests, or name it with --jar");
        }
        if (profile && !Files.isExecutable(jcmd)) {
            throw new BenchmarkFailure("--profile needs jcmd beside java: " + jcmd);
        }
        List<BenchPolicy.Message> train = BenchPolicy.read(data.resolve("hwu64_fold1_train.jsonl"));
        List<BenchPolicy.Message> test = plan.contains(Target.ROUTER_DISTINCT)
                ? BenchPolicy.read(data.resolve("hwu64_fold1_test.jsonl"))
                : List.of();
        Map<String, List<String>> domainExamples = BenchPolicy.examples(train, scenarios, examples, seed);

        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = ProcStats.loadAverage();
        Path temp = Files.createTempDirectory("pathbench-");
        Thread hook = new Thread(
                () -> {
                    if (run.closeAll()) {
                        log("stopped before the end: every process this run started is stopped; kept %s", temp);
                    }
                },
                "pathbench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean succeeded = false;
        try {
            log("temp folder %s", temp);
            Path script = temp.resolve("path.lua");
            try (InputStream lua = PathBenchmark.class.getResourceAsStream("/bench/path.lua")) {
                if (lua == null) {
                    throw new BenchmarkFailure("bench/path.lua is not on the classpath (run test-compile)");
                }
                Files.copy(lua, script);
            }
            Path jfrSettings = temp.resolve("pathbench.jfc");
            try (InputStream settings = PathBenchmark.class.getResourceAsStream("/bench/pathbench.jfc")) {
                if (settings == null) {
                    throw new BenchmarkFailure("bench/pathbench.jfc is not on the classpath (run test-compile)");
                }
                Files.copy(settings, jfrSettings);
            }
            Path repeated = Files.writeString(temp.resolve("repeated.txt"), BenchPolicy.oneLine(message) + "\n");
            Path distinct = Files.write(
                    temp.resolve("distinct.txt"),
                    test.stream().map(BenchPolicy.Message::text).toList(),
                    StandardCharsets.UTF_8);

            FastFakeUpstream fake = run.register(FastFakeUpstream.start(fakeThreads));
            log("fake upstream on port %d (%d event loops)", fake.port(), fakeThreads);
            NginxProxy proxy = null;
            if (needsNginx) {
                proxy = run.register(NginxProxy.start(
                        nginxProgram, temp.resolve("nginx"), Http.freePort(), fake.port(), Duration.ofSeconds(20)));
                log("nginx on port %d (worker pid %d)", proxy.port(), proxy.workerPid());
            }
            RouterProcess router = null;
            Path policy = temp.resolve("policy.yaml");
            Files.writeString(
                    policy,
                    BenchPolicy.yaml(domainExamples, fake.baseUrl(), maxConcurrentCalls, !noFastStage)
                            + (cache ? "cache:\n  requests: all\n" : ""));
            if (needsRouter) {
                log("starting the router: %s", jar);
                Map<String, String> environment = tenants
                        ? Map.of(
                                "ROUTER_TENANTS_FILE",
                                BenchPolicy.tenants(temp, TENANT_KEY).toString())
                        : Map.of();
                router = run.register(RouterProcess.start(
                        javaProgram, jar, jvmArguments(), policy, environment, temp, Duration.ofSeconds(readyTimeout)));
                log(
                        "router ready on port %d after %.1f s (pid %d, RSS %.0f MiB, %d threads)",
                        router.port(),
                        router.readySeconds(),
                        router.pid(),
                        router.atReady().rssKib() / 1024.0,
                        router.atReady().threads());
            }

            Wrk load = run.register(new Wrk(
                    wrkProgram, script, temp, wrkThreads, Duration.ofSeconds(wrkTimeout), tenants ? TENANT_KEY : null));
            Map<Target, Wrk.Load> loads = Map.of(
                    Target.DIRECT, new Wrk.Load("fixed", false, repeated),
                    Target.DIRECT_STREAM, new Wrk.Load("fixed", true, repeated),
                    Target.NGINX, new Wrk.Load("fixed", false, repeated),
                    Target.NGINX_STREAM, new Wrk.Load("fixed", true, repeated),
                    Target.ROUTER_REPEATED, new Wrk.Load("fixed", false, repeated),
                    Target.ROUTER_DISTINCT, new Wrk.Load("cycle", false, distinct),
                    Target.ROUTER_STREAM, new Wrk.Load("fixed", true, repeated));

            if (router != null && routerWarmup > 0) {
                List<Target> routerTargets = plan.stream()
                        .filter(t -> t.server() == Target.Server.ROUTER)
                        .toList();
                int each = Math.max(1, routerWarmup / routerTargets.size());
                for (Target target : routerTargets) {
                    log("router warm-up: %s, 50 connections, %d s", target.label(), each);
                    load.run(url(router.port()), 50, Duration.ofSeconds(each), loads.get(target));
                }
            }

            if (warmup > 0) {
                // the fake's JIT, before anything is measured through it
                log("fake upstream warm-up: %d s whole, %d s streamed, 10 connections", warmup, warmup);
                load.run(url(fake.port()), 10, Duration.ofSeconds(warmup), loads.get(Target.DIRECT));
                load.run(url(fake.port()), 10, Duration.ofSeconds(warmup), loads.get(Target.DIRECT_STREAM));
            }
            int profileConnections = connections.stream()
                    .min(Comparator.comparingInt((Integer c) -> Math.abs(c - 50)))
                    .orElseThrow();
            String profileSummary = null;
            List<PathReport.Point> points = new ArrayList<>();
            for (Target target : plan) {
                int port =
                        switch (target.server()) {
                            case FAKE -> fake.port();
                            case NGINX -> proxy.port();
                            case ROUTER -> router.port();
                        };
                long pid =
                        switch (target.server()) {
                            case FAKE -> ProcessHandle.current().pid();
                            case NGINX -> proxy.workerPid();
                            case ROUTER -> router.pid();
                        };
                for (int c : connections) {
                    if (warmup > 0) {
                        load.run(url(port), c, Duration.ofSeconds(warmup), loads.get(target));
                    }
                    PathReport.Point point = measure(load, target, c, port, pid, loads.get(target), fake);
                    points.add(point);
                    Wrk.Result result = point.result();
                    log(
                            "%-16s %4d conns: %,9.0f req/s  p50 %s  p99 %s  max %s ms  errors %d  CPU %.3f ms/req"
                                    + "  upstream calls/req %.2f",
                            target.label(),
                            c,
                            result.requestsPerSecond(),
                            PathReport.ms(result.p50Micros()),
                            PathReport.ms(result.p99Micros()),
                            PathReport.ms(result.maxMicros()),
                            result.errors(),
                            point.cpuMillisPerRequest(),
                            point.upstreamCallsPerRequest());
                    if (router != null && !router.isAlive()) {
                        throw new BenchmarkFailure("the router ended during " + target.label() + " at " + c
                                + " connections; the end of its log (" + router.log() + "):\n" + router.logTail(40));
                    }
                }
            }

            List<PathReport.Ttfb> ttfbs = new ArrayList<>();
            if (ttfbRequests > 0) {
                ttfbs.add(ttfb("direct (fake)", fake.port()));
                if (proxy != null) {
                    ttfbs.add(ttfb("nginx", proxy.port()));
                }
                if (router != null) {
                    ttfbs.add(ttfb("router", router.port()));
                }
            }
            if (profile && plan.contains(Target.ROUTER_REPEATED)) {
                // a run of its own after every point: starting JFR makes the JIT recompile for a while, which
                // would distort the point it ran in and the ones after it
                jcmd(jcmd, router.pid(), temp, "JFR.start", "name=pathbench", "settings=" + jfrSettings);
                load.run(
                        url(router.port()),
                        profileConnections,
                        Duration.ofSeconds(duration),
                        loads.get(Target.ROUTER_REPEATED));
                profileSummary = profile(jcmd, router.pid(), temp, profileConnections);
            }

            Map<String, String> header = header(date, loadBefore, plan, fake, router, points);
            PathReport report = new PathReport(header, points, ttfbs, profileSummary);
            String markdown = report.markdown();
            if (router != null) {
                markdown += router.logSummary(12);
            }
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println();
            stdout.println(markdown);
            stdout.flush();
            if (out != null) {
                PathReport.writeInto(out, markdown);
                log("figures written into %s", out);
            }
            List<String> problems = report.problems();
            problems.forEach(problem -> log("not every request was answered: %s", problem));
            succeeded = true;
            return problems.isEmpty() ? 0 : 1;
        } finally {
            run.closeAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
            if (succeeded && !keepTemp) {
                BenchmarkRun.deleteTree(temp);
            } else {
                log("kept %s (policy, nginx config, router and wrk logs)", temp);
            }
        }
    }

    /** One measured point, with the serving process's CPU, memory and threads sampled around it. */
    private PathReport.Point measure(
            Wrk load, Target target, int connections, int port, long pid, Wrk.Load kind, FastFakeUpstream fake)
            throws InterruptedException {
        long self = ProcessHandle.current().pid();
        ProcStats.Machine machineBefore = ProcStats.machine();
        long fakeBefore = ProcStats.process(self).cpuTicks();
        long callsBefore = fake.answered();
        boolean router = target.server() == Target.Server.ROUTER;
        Map<Long, ProcStats.ThreadTime> threadsBefore = router ? ProcStats.threads(pid) : Map.of();
        try (ProcessSampler sampler = ProcessSampler.start(pid)) {
            Wrk.Result result = load.run(url(port), connections, Duration.ofSeconds(duration), kind);
            sampler.close();
            long fakeCpu = ProcStats.process(self).cpuTicks() - fakeBefore;
            double busy = ProcStats.machine().busySince(machineBefore);
            ThreadCpu threadCpu = router ? ThreadCpu.between(threadsBefore, ProcStats.threads(pid)) : null;
            return new PathReport.Point(
                    target,
                    connections,
                    result,
                    fake.answered() - callsBefore,
                    sampler.cpuTicks(),
                    sampler.systemTicks(),
                    fakeCpu,
                    sampler.maxRssKib(),
                    sampler.peakRssKib(),
                    sampler.maxThreads(),
                    busy,
                    threadCpu);
        }
    }

    /** Stops the JFR recording of the profiled run and summarises it as markdown. */
    private String profile(Path jcmd, long pid, Path temp, int connections) throws InterruptedException, IOException {
        Path recording = temp.resolve("router-profile.jfr");
        jcmd(jcmd, pid, temp, "JFR.stop", "name=pathbench", "filename=" + recording.toAbsolutePath());
        JfrSummary summary = JfrSummary.read(recording);
        log("profile: %d execution samples in %s", summary.samples(), recording);
        return String.format(
                        Locale.ROOT,
                        "JFR (execution samples every 10 ms and garbage collections only, `bench/pathbench.jfc`)"
                                + " during a run of %d s of router-repeated at %d connections after every point was"
                                + " measured (their figures are without JFR). Recording: `%s` (kept with"
                                + " --keep-temp).%n%n",
                        duration,
                        connections,
                        recording)
                + summary.markdown(10);
    }

    private List<Target> validate() {
        List<String> problems = new ArrayList<>();
        if (duration < 1 || warmup < 0 || routerWarmup < 0 || readyTimeout < 1 || wrkTimeout < 1) {
            problems.add("--duration, --ready-timeout and --wrk-timeout must be at least 1, --warmup and"
                    + " --router-warmup at least 0");
        }
        if (connections.isEmpty() || connections.stream().anyMatch(c -> c < 1)) {
            problems.add("--connections must be numbers of at least 1");
        }
        if (wrkThreads < 1 || fakeThreads < 1 || examples < 1 || maxConcurrentCalls < 1 || ttfbRequests < 0) {
            problems.add("--wrk-threads, --fake-threads, --examples and --max-concurrent-calls must be at least 1,"
                    + " --ttfb-requests at least 0");
        }
        if (message.isBlank()) {
            problems.add("--message must not be blank");
        }
        if (redis && !tenants && !cache) {
            problems.add("--redis holds the tenant's limits or the response cache: it needs --tenants or --cache");
        }
        List<Target> plan = new ArrayList<>();
        for (String label : targets) {
            try {
                plan.add(Target.of(label));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        plan = List.copyOf(new LinkedHashSet<>(plan));
        if (plan.isEmpty() && problems.isEmpty()) {
            problems.add("--targets must name at least one of " + Target.labels());
        }
        if (profile && !plan.contains(Target.ROUTER_REPEATED)) {
            problems.add("--profile records router-repeated: add it to --targets");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
        return plan;
    }

    private List<String> jvmArguments() {
        return routerJvmArgs.isBlank()
                ? List.of()
                : List.of(routerJvmArgs.trim().split("\\s+"));
    }

    /**
     * The program {@code name}: a path as given, else the first executable on PATH or in the sbin folders.
     *
     * @throws BenchmarkFailure if there is none
     */
    private static Path program(String name, String what, String install) {
        if (name.contains("/")) {
            Path path = Path.of(name);
            if (Files.isExecutable(path)) {
                return path;
            }
            throw new BenchmarkFailure(what + " not found or not executable: " + path);
        }
        List<String> folders = new ArrayList<>(
                List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")));
        folders.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        for (String folder : folders) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, name))) {
                return Path.of(folder, name);
            }
        }
        throw new BenchmarkFailure(
                what + " not found on PATH nor in /usr/sbin: install it (" + install + ") or name it with --" + what);
    }

    private PathReport.Ttfb ttfb(String server, int port) throws IOException {
        TtfbProbe.Result result = TtfbProbe.run(port, BenchPolicy.oneLine(message), 20, ttfbRequests);
        log(
                "time to first byte, %s: p50 %s ms, p90 %s ms (%d requests, %d failed)",
                server,
                PathReport.ms(result.firstByte(50)),
                PathReport.ms(result.firstByte(90)),
                result.firstByteMicros().size(),
                result.failures());
        return new PathReport.Ttfb(server, result);
    }

    private void jcmd(Path jcmd, long pid, Path directory, String... arguments) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        command.addAll(List.of(arguments));
        Path log = directory.resolve("jcmd-" + arguments[0] + ".log");
        try (ChildProcess process = ChildProcess.start("jcmd", command, directory, Map.of(), log)) {
            if (!process.waitFor(Duration.ofSeconds(60)) || process.exitValue() != 0) {
                throw new BenchmarkFailure("jcmd failed: " + String.join(" ", command) + "\n" + process.logTail(20));
            }
        }
    }

    private Map<String, String> header(
            String date,
            String loadBefore,
            List<Target> plan,
            FastFakeUpstream fake,
            RouterProcess router,
            List<PathReport.Point> points) {
        Runtime runtime = Runtime.getRuntime();
        Map<String, String> header = new LinkedHashMap<>();
        header.put("date", date);
        header.put("commit", gitCommit() + (router != null ? " (jar built " + jarTime() + ")" : ""));
        header.put(
                "machine",
                String.format(
                        Locale.ROOT,
                        "%d cores (%s), %s RAM, %s %s %s",
                        runtime.availableProcessors(),
                        ProcStats.firstValue(Path.of("/proc/cpuinfo"), "model name"),
                        memory(),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        System.getProperty("os.arch")));
        header.put(
                "JDK",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + (java == null ? " (harness and router)" : " (harness; router: " + java + ")"));
        header.put("wrk / nginx", toolVersion(program(wrk, "wrk", "")) + " / " + nginxVersion(plan));
        header.put("load average before / after", loadBefore + " / " + ProcStats.loadAverage());
        header.put(
                "settings",
                String.format(
                        Locale.ROOT,
                        "`--duration %d --warmup %d --router-warmup %d --connections %s --wrk-threads %d"
                                + " --fake-threads %d%s`; wrk threads = min(%d, connections), `--timeout %ds`",
                        duration,
                        warmup,
                        routerWarmup,
                        connections.stream().map(String::valueOf).collect(Collectors.joining(",")),
                        wrkThreads,
                        fakeThreads,
                        routerJvmArgs.isBlank() ? "" : " --router-jvm-args \"" + routerJvmArgs + "\"",
                        wrkThreads,
                        wrkTimeout));
        header.put(
                "targets",
                plan.stream()
                        .map(t -> "`" + t.label() + "`: " + t.description())
                        .collect(Collectors.joining("; ")));
        header.put(
                "policy",
                String.format(
                        Locale.ROOT,
                        "%d domains (HWU64 %s) × %d train examples, all-minilm-l6-v2-q, threshold 0.55%s; a"
                                + " specialist per domain and one large model, all `openai-compatible` on the fake;"
                                + " max-concurrent-calls %d",
                        scenarios.size(),
                        String.join(", ", scenarios),
                        examples,
                        noFastStage ? ", fast stage off (`--no-fast-stage`)" : "",
                        maxConcurrentCalls));
        header.put(
                "callers",
                (tenants
                                ? "`--tenants`: a tenants file of one tenant with rate limits and a budget far above"
                                        + " the load; every request sends its key and is counted"
                                : "single-user mode (no tenants file, no key checked)")
                        + (redis ? ", in a redis-server on this machine (`--redis`)" : "")
                        + (cache ? "; the policy caches every whole answer (`--cache`)" : ""));
        header.put(
                "repeated message",
                "\"" + message + "\""
                        + (plan.contains(Target.ROUTER_DISTINCT)
                                ? "; router-distinct cycles through hwu64_fold1_test.jsonl, each text tagged to be unique"
                                : ""));
        double fakeBest = points.stream()
                .filter(p -> p.target().server() == Target.Server.FAKE)
                .mapToDouble(p -> p.result().requestsPerSecond())
                .max()
                .orElse(0);
        header.put(
                "fake upstream",
                String.format(
                        Locale.ROOT,
                        "Reactor Netty on 127.0.0.1, answers at once; %,d chat completions served; most it"
                                + " served in a point: %s",
                        fake.answered(),
                        fakeBest > 0 ? String.format(Locale.ROOT, "%,.0f req/s (direct)", fakeBest) : "not measured"));
        if (router != null) {
            header.put(
                    "router cold start",
                    String.format(
                            Locale.ROOT,
                            "%.1f s from `java -jar` to readiness UP%s; at ready: RSS %.0f MiB, %d threads",
                            router.readySeconds(),
                            router.loggedStartSeconds()
                                    .map(s -> String.format(Locale.ROOT, " (Spring Boot logged %.1f s)", s))
                                    .orElse(""),
                            router.atReady().rssKib() / 1024.0,
                            router.atReady().threads()));
            ProcStats.Process end = ProcStats.process(router.pid());
            header.put(
                    "router at the end",
                    String.format(
                            Locale.ROOT,
                            "RSS %.0f MiB (peak %.0f MiB), %d threads",
                            end.rssKib() / 1024.0,
                            end.peakRssKib() / 1024.0,
                            end.threads()));
        }
        return header;
    }

    /** The machine's memory, from {@code /proc/meminfo}. */
    static String memory() {
        String total = ProcStats.firstValue(Path.of("/proc/meminfo"), "MemTotal");
        try {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(total.replaceAll("[^0-9]", "")) / 1048576.0);
        } catch (NumberFormatException e) {
            return total;
        }
    }

    private String nginxVersion(List<Target> plan) {
        if (plan.stream().noneMatch(t -> t.server() == Target.Server.NGINX)) {
            return "not run";
        }
        return toolVersion(program(nginx, "nginx", "")).replace("nginx version: ", "") + " (1 worker)";
    }

    /** The first line a program prints for {@code -v} (wrk and nginx both answer it). */
    private static String toolVersion(Path program) {
        return firstLineOf(List.of(program.toString(), "-v"))
                .map(line -> line.replaceAll("\\s+Copyright.*", ""))
                .orElse("unknown");
    }

    /** The checked-out commit, marked when tracked files have changes. */
    static String gitCommit() {
        Optional<String> commit = firstLineOf(List.of("git", "rev-parse", "--short", "HEAD"));
        if (commit.isEmpty()) {
            return "unknown";
        }
        boolean dirty = firstLineOf(List.of("git", "status", "--porcelain", "--untracked-files=no"))
                .isPresent();
        return commit.get() + (dirty ? " (with uncommitted changes)" : "");
    }

    private String jarTime() {
        try {
            return Files.getLastModifiedTime(jar)
                    .toInstant()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The first line a command prints that is not blank, or empty when it cannot run. */
    static Optional<String> firstLineOf(List<String> command) {
        try {
            java.lang.Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return output.lines().filter(line -> !line.isBlank()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private void log(String format, Object... arguments) {
        BenchmarkRun.log(spec.commandLine().getErr(), format, arguments);
    }
}
