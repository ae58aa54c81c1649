package dev.hybridrouter.router.bench;

import dev.hybridrouter.router.bench.LoadGenerator.Request;
import dev.hybridrouter.router.bench.LoadGenerator.Result;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

/**
 * The soak: the router in process in front of a healthy local specialist and a cloud model that flaps
 * (phase 1), goes down (phase 2) and comes back (phase 3), under bounded concurrent load. Reports what
 * every request got, latencies, the breakers' transitions and what each fake received. Exit status 0
 * when no request was lost, 1 when one was, 2 on a usage error, 3 when the run itself failed.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Soak benchmark: runs the router in this JVM on 127.0.0.1 against a healthy local"
                + " specialist and a flapping cloud, sends chat requests at a bounded concurrency and reports"
                + " answers, lost requests, latencies, breaker transitions and upstream calls. The counted"
                + " requests are split by count into phase 1 (40%%, the cloud fails --failure-rate of calls),"
                + " phase 2 (30%%, the cloud is down: connections refused) and phase 3 (30%%, the cloud is"
                + " back). Exit 0 when no request was lost, 1 when one was, 2 on a usage error, 3 when the run"
                + " itself failed.")
public final class SoakBenchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--requests", defaultValue = "10000", description = "Counted requests (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--concurrency",
            defaultValue = "200",
            description = "Requests in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description =
                    "Also append the figures to FILE: one JSON object per line if it ends in .json, else markdown.")
    Path out;

    @Option(
            names = "--warmup",
            defaultValue = "3000",
            description = "Requests sent first with a healthy cloud, not counted, to warm the JIT up (default"
                    + " ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--failure-rate",
            defaultValue = "0.3",
            description = "Share of cloud calls that fail in phase 1 (default ${DEFAULT-VALUE}).")
    double failureRate;

    @Option(
            names = "--faults",
            split = ",",
            defaultValue = "HTTP_500,HTTP_503,RESET",
            description = "How failing cloud calls fail in phase 1, each as often: any of HTTP_500, HTTP_503, RESET"
                    + " (default ${DEFAULT-VALUE}).")
    List<FakeOpenAiServer.Outcome> faults;

    @Option(
            names = "--streaming",
            defaultValue = "0.2",
            description = "Share of requests that ask for a stream (default ${DEFAULT-VALUE}).")
    double streaming;

    @Option(
            names = "--escalating",
            defaultValue = "0.5",
            description = "Share of requests that name no domain, so escalate (default ${DEFAULT-VALUE}).")
    double escalating;

    @Option(
            names = "--timeout-seconds",
            defaultValue = "30",
            description = "A request with no complete answer after this long is lost (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(
            names = "--breaker-window",
            defaultValue = "100",
            description =
                    "The policy's circuit-breaker sliding-window-size (default ${DEFAULT-VALUE}, as the service's).")
    int breakerWindow;

    @Option(
            names = "--breaker-minimum-calls",
            defaultValue = "20",
            description = "The policy's circuit-breaker minimum-calls (default ${DEFAULT-VALUE}, as the service's).")
    int breakerMinimumCalls;

    @Option(
            names = "--max-concurrent-calls",
            defaultValue = "512",
            description = "The policy's bulkhead per upstream (default ${DEFAULT-VALUE}; the service's is 64).")
    int maxConcurrentCalls;

    @Option(
            names = "--max-minutes",
            defaultValue = "15",
            description = "Stop the run after this long; what is unfinished counts as lost (default ${DEFAULT-VALUE}).")
    int maxMinutes;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seeds the request plan and the fakes (default ${DEFAULT-VALUE}).")
    long seed;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakBenchmark())
                .setExitCodeExceptionMapper(failure -> failure instanceof CommandLine.ParameterException ? 2 : 3)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        LoopResources loops = LoopResources.create("soak-harness", 2, true);
        FakeOpenAiServer local = new FakeOpenAiServer("local", loops, seed, 5, 20);
        FakeOpenAiServer cloud = new FakeOpenAiServer("cloud", loops, seed + 1, 20, 60);
        try (local;
                cloud) {
            local.start();
            cloud.faults(faults);
            cloud.start();
            Path policy = SoakRouter.writePolicy(
                    Files.createTempDirectory("soak-policy"),
                    local.baseUrl(),
                    cloud.baseUrl(),
                    breakerWindow,
                    breakerMinimumCalls,
                    maxConcurrentCalls);
            try (SoakRouter router = SoakRouter.start(policy);
                    CloudPhases phases = new CloudPhases(
                            cloud, () -> counters(List.of(cloud, local), router), warmup, requests, failureRate);
                    LoadGenerator load = new LoadGenerator(router.port(), concurrency, timeout, loops);
                    RuntimeSampler runtime = RuntimeSampler.start(phases, 250)) {
                BreakerWatch breakers = new BreakerWatch(phases);
                breakers.watch(router.resilience().circuitBreakers());
                List<Request> plan = LoadGenerator.plan(warmup + requests, seed, escalating, streaming);
                List<Result> results = Collections.synchronizedList(new ArrayList<>());
                Duration deadline = Duration.ofMinutes(maxMinutes);
                err().printf(
                                Locale.ROOT,
                                "soak: %d warm-up + %d requests, %d in flight, router on port %d%n",
                                warmup,
                                requests,
                                concurrency,
                                router.port());
                load.run(plan, concurrency, phases)
                        .take(deadline)
                        .doOnNext(results::add)
                        .blockLast(deadline.plusMinutes(1));
                long end = phases.elapsedMillis();
                phases.end();
                runtime.close();
                phases.awaitSwitches();
                List<Result> all;
                synchronized (results) {
                    all = List.copyOf(results);
                }
                Map<String, Object> header = header(date, loadBefore, policy);
                SoakReport report = new SoakReport(
                        header,
                        all,
                        warmup + requests - all.size(),
                        phases,
                        breakers,
                        runtime,
                        end - phases.startedAtMillis(Phase.FLAPPING));
                String markdown = report.markdown();
                spec.commandLine().getOut().println();
                spec.commandLine().getOut().println(markdown);
                spec.commandLine().getOut().flush();
                if (out != null) {
                    append(out, date, report);
                }
                return report.lost() == 0 ? 0 : 1;
            }
        } finally {
            loops.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    /** The counters told per phase: calls each fake received, by outcome; the router's retries, by kind. */
    private static Map<String, Long> counters(List<FakeOpenAiServer> fakes, SoakRouter router) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (FakeOpenAiServer fake : fakes) {
            fake.outcomes()
                    .forEach((outcome, count) ->
                            counters.put("calls received by fake " + fake.name() + "|" + outcome.label(), count));
        }
        router.retries()
                .forEach((name, kinds) -> kinds.forEach(
                        (kind, count) -> counters.put("retries `" + name + "`|" + kind.replace('_', ' '), count)));
        return counters;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (requests < 10) {
            problems.add("--requests must be at least 10");
        }
        if (concurrency < 1 || warmup < 0 || timeoutSeconds < 1 || maxMinutes < 1 || maxConcurrentCalls < 1) {
            problems.add("--concurrency, --timeout-seconds, --max-minutes and --max-concurrent-calls must be "
                    + "at least 1, --warmup at least 0");
        }
        if (breakerMinimumCalls < 1 || breakerWindow < breakerMinimumCalls) {
            problems.add("--breaker-minimum-calls must be at least 1 and at most --breaker-window");
        }
        for (double share : new double[] {failureRate, streaming, escalating}) {
            if (share < 0 || share > 1) {
                problems.add("--failure-rate, --streaming and --escalating must be between 0 and 1");
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private Map<String, Object> header(String date, double loadBefore, Path policy) {
        Runtime runtime = Runtime.getRuntime();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("date", date);
        header.put(
                "settings",
                String.format(
                        Locale.ROOT,
                        "--requests %d --concurrency %d --warmup %d --failure-rate %s --faults %s --streaming %s"
                                + " --escalating %s"
                                + " --timeout-seconds %d --breaker-window %d --breaker-minimum-calls %d"
                                + " --max-concurrent-calls %d --seed %d",
                        requests,
                        concurrency,
                        warmup,
                        failureRate,
                        faults.stream().map(Enum::name).collect(Collectors.joining(",")),
                        streaming,
                        escalating,
                        timeoutSeconds,
                        breakerWindow,
                        breakerMinimumCalls,
                        maxConcurrentCalls,
                        seed));
        header.put(
                "machine",
                String.format(
                        Locale.ROOT,
                        "%d cores (%s), %s RAM; %s %s, max heap %d MiB; %s %s %s",
                        runtime.availableProcessors(),
                        firstLine(Path.of("/proc/cpuinfo"), "model name"),
                        firstLine(Path.of("/proc/meminfo"), "MemTotal"),
                        System.getProperty("java.vm.name"),
                        System.getProperty("java.runtime.version"),
                        runtime.maxMemory() / (1024 * 1024),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        System.getProperty("os.arch")));
        header.put(
                "load average (1 min) before / after",
                String.format(
                        Locale.ROOT,
                        "%.2f / %.2f",
                        loadBefore,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        header.put(
                "fakes (Reactor Netty, 127.0.0.1)",
                "local specialist answers in 5-20 ms; cloud (OpenAI API) in 20-60 ms");
        header.put(
                "policy",
                String.format(
                        Locale.ROOT,
                        "2 domains on the local fake; escalation to the cloud, on-unavailable: local; breakers: failure"
                                + " rate 50%%, window %d, minimum calls %d, wait in open 1 s, 3 half-open calls;"
                                + " retry: 2 attempts, backoff from 200 ms; every call limited to 5 s; bulkhead %d"
                                + " (written to %s)",
                        breakerWindow,
                        breakerMinimumCalls,
                        maxConcurrentCalls,
                        policy));
        return header;
    }

    private static String firstLine(Path file, String key) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void append(Path file, String date, SoakReport report) throws IOException {
        String text = file.toString().endsWith(".json")
                ? JsonMapper.builder().build().writeValueAsString(report.json()) + "\n"
                : "\n### Soak run " + date + "\n\n" + report.markdown();
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private java.io.PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
