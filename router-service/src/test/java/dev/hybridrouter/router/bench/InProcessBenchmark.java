package dev.hybridrouter.router.bench;

import dev.hybridrouter.specialists.inprocess.BareLlamaCall;
import dev.hybridrouter.specialists.inprocess.LlamaCppChatModel;
import dev.hybridrouter.specialists.inprocess.LlamaCppChatRequestParameters;
import dev.hybridrouter.specialists.inprocess.LlamaCppModel;
import dev.hybridrouter.specialists.inprocess.LlamaCppModelSettings;
import dev.hybridrouter.specialists.inprocess.LlamaCppModels;
import dev.hybridrouter.specialists.inprocess.TinyLlamaModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-process benchmark (issue 11): one GGUF model, run by the router jar in a process of its own as an
 * in-process specialist, against the same file loaded in this JVM by the engine's own classes and called bare
 * ({@link BareLlamaCall}). Measures, one request at a time, total time, time to first token and tokens per second
 * for the bare call, the engine's {@link LlamaCppChatModel} in this JVM, and the router streamed (SSE) and whole;
 * then C callers at once against one slot (queueing, memory, threads), and with queue limit 0 (refusals). Judges
 * the targets and prints a markdown report. Exit status 0 when every request was answered as expected, 1
 * when some were not, 2 on a usage error, 3 when the run failed (jar missing, router not ready, model refused).
 */
@Command(
        name = "in-process-benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "In-process engine benchmark: starts the router jar with a policy whose one specialist runs"
                + " the model in process, loads the same model in this JVM, compares the bare llama.cpp call with"
                + " the router (streamed and whole), sends --callers requests at once, and prints a markdown report."
                + " Exit 0 when every request was answered as expected, 1 when some were not, 2 on a usage error, 3"
                + " when the run failed.")
public final class InProcessBenchmark implements Callable<Integer> {

    /** The policy's one domain, sent as the request's {@code model} to force its specialist. */
    static final String DOMAIN = "bench";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description = "The GGUF model (default: the tests' tiny model, written to the temp folder).")
    Path model;

    @Option(
            names = "--tokens",
            defaultValue = "64",
            description = "max_tokens of every request (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(
            names = "--requests",
            defaultValue = "100",
            description = "Measured requests of each kind, one at a time (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--warmup",
            defaultValue = "1000",
            description = "Unmeasured rounds first, one request of each kind each, so that both JVMs' JIT compilers"
                    + " are done (default ${DEFAULT-VALUE}; with a real model, a few).")
    int warmup;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "llama.cpp's threads, in the policy and for the bare call (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--context-size",
            defaultValue = "0",
            description = "Tokens of context per request, in the policy and for the bare call (default"
                    + " ${DEFAULT-VALUE}: the engine's, the smaller of 4096 and the model's).")
    int contextSize;

    @Option(
            names = "--callers",
            defaultValue = "16",
            description = "Callers sent at once against max-concurrent 1 (default ${DEFAULT-VALUE}).")
    int callers;

    @Option(
            names = "--queue-limit",
            paramLabel = "N",
            description = "The specialist's queue-limit for the run; at least --callers (default: --callers).")
    Integer queueLimit;

    @Option(
            names = "--busy-callers",
            paramLabel = "N",
            description =
                    "Callers sent at once to a second router with queue-limit 0 (default: --callers; 0 skips" + " it).")
    Integer busyCallers;

    @Option(
            names = "--cpu-requests",
            defaultValue = "100",
            description = "Streamed router requests, and as many bare calls, over which CPU is counted by thread"
                    + " (default ${DEFAULT-VALUE}; 0 skips it).")
    int cpuRequests;

    @Option(
            names = "--message",
            defaultValue = BareLlamaCall.QUESTION,
            description = "The user message of every request (default \"${DEFAULT-VALUE}\").")
    String message;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "The sampling seed of every request (default ${DEFAULT-VALUE}).")
    int seed;

    @Option(
            names = "--temperature",
            description = "Sampling temperature of every request (default: none sent, llama.cpp's own).")
    Float temperature;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "The specialist's timeout and first-token timeout, and the client's for each whole answer"
                    + " or stream (default ${DEFAULT-VALUE}).")
    int timeout;

    @Option(
            names = "--jar",
            paramLabel = "FILE",
            defaultValue = "router-service/target/router-service.jar",
            description = "The router's jar (default ${DEFAULT-VALUE}).")
    Path jar;

    @Option(
            names = "--java",
            paramLabel = "FILE",
            description = "The java that runs the router (default: the one running this benchmark).")
    Path java;

    @Option(
            names = "--router-jvm-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description = "JVM options for the router, space-separated, before -jar (default: none).")
    String routerJvmArgs;

    @Option(
            names = "--ready-timeout",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "The longest to wait for readiness and the model READY (default ${DEFAULT-VALUE}).")
    int readyTimeout;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Also write the report into FILE (e.g. docs/benchmarks.md) between the InProcessBenchmark"
                    + " markers, replacing the previous figures; appended when the markers are missing.")
    Path out;

    @Option(names = "--keep-temp", description = "Keep the temp folder (model, policies, logs) after a successful run.")
    boolean keepTemp;

    private final BenchmarkRun run = new BenchmarkRun(message -> log("%s", message));
    private final java.util.Set<Long> dumped = new java.util.HashSet<>();
    /** The router being measured and the temp folder, for thread dumps. */
    private volatile RouterProcess current;

    private Path temp;

    public static void main(String[] args) {
        // llama.cpp's loop thread stays attached to this JVM as a non-daemon thread: exit explicitly
        System.exit(BenchmarkRun.execute("in-process-benchmark", new InProcessBenchmark(), args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        int limit = queueLimit != null ? queueLimit : callers;
        int refusedCallers = busyCallers != null ? busyCallers : callers;
        Path javaProgram = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isRegularFile(jar)) {
            throw new BenchmarkFailure("router jar not found: " + jar.toAbsolutePath()
                    + "; build it with ./mvnw -q package -DskipTests, or name it with --jar");
        }
        if (model != null && !Files.isRegularFile(model)) {
            throw new BenchmarkFailure("model file not found: " + model.toAbsolutePath());
        }
        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = ProcStats.loadAverage();
        Path temp = Files.createTempDirectory("inprocessbench-");
        this.temp = temp;
        Thread hook = new Thread(
                () -> {
                    if (run.closeAll()) {
                        log("stopped before the end: the router is stopped; kept %s", temp);
                    }
                },
                "inprocessbench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean succeeded = false;
        try {
            log("temp folder %s", temp);
            Path file = model != null
                    ? model.toAbsolutePath()
                    : TinyLlamaModel.ofDefaults().writeTo(temp, "tiny.gguf");
            long modelBytes = Files.size(file);
            BareLlamaCall.nativeLibraryDir(temp.resolve("native"));

            Path policy = temp.resolve("policy.yaml");
            Files.writeString(policy, BenchPolicy.inProcess(DOMAIN, file, threads, contextSize, limit, timeout));
            log("starting the router: %s, model %s (%s)", jar, file, InProcessReport.mib(modelBytes));
            RouterProcess router = run.register(RouterProcess.start(
                    javaProgram, jar, jvmArguments(), policy, Map.of(), temp, Duration.ofSeconds(readyTimeout)));
            current = router;
            JsonNode loaded = awaitModelReady(router, Duration.ofSeconds(readyTimeout));
            double readySeconds = (System.nanoTime() - router.startedNanos()) / 1e9;
            ProcStats.Process atReady = ProcStats.process(router.pid());
            log(
                    "router ready with the model READY after %.1f s (pid %d, RSS %.0f MiB, %d threads)",
                    readySeconds, router.pid(), atReady.rssKib() / 1024.0, atReady.threads());

            long rssBefore = ProcStats.process(ProcessHandle.current().pid()).rssKib();
            long loadStart = System.nanoTime();
            LlamaCppModels models = run.register(LlamaCppModels.create());
            LlamaCppModel shared = models.model(LlamaCppModelSettings.of(file)
                    .withContextSize(contextSize)
                    .withThreads(threads)
                    .withQueue(callers, Duration.ofSeconds(timeout)));
            shared.awaitReady();
            double bareLoadMs = (System.nanoTime() - loadStart) / 1e6;
            long bareRssGrowth =
                    ProcStats.process(ProcessHandle.current().pid()).rssKib() - rssBefore;
            BareLlamaCall bare = new BareLlamaCall(shared);
            String prompt = bare.prompt(message);
            int promptTokens = bare.promptTokens(prompt);
            log(
                    "bare model loaded in this JVM in %.0f ms (RSS +%.0f MiB); prompt %d tokens, context %d (router's"
                            + " %d)",
                    bareLoadMs,
                    bareRssGrowth / 1024.0,
                    promptTokens,
                    shared.contextSize(),
                    loaded.path("contextSize").asInt());
            LlamaCppChatModel engine = LlamaCppChatModel.builder().model(shared).build();
            ChatRequest engineRequest = ChatRequest.builder()
                    .messages(UserMessage.from(message))
                    .parameters(LlamaCppChatRequestParameters.builder()
                            .seed(seed)
                            .maxOutputTokens(tokens)
                            .temperature(temperature == null ? null : temperature.doubleValue())
                            .build())
                    .build();
            RouterChat chat = new RouterChat(router.port(), Duration.ofSeconds(timeout));
            String streamBody = RouterChat.body(DOMAIN, message, tokens, seed, temperature, true);
            String wholeBody = RouterChat.body(DOMAIN, message, tokens, seed, temperature, false);

            List<String> problems = new ArrayList<>();
            List<InProcessReport.Sample> bareSamples = new ArrayList<>();
            List<InProcessReport.Sample> engineSamples = new ArrayList<>();
            List<InProcessReport.Sample> streamedSamples = new ArrayList<>();
            List<InProcessReport.Sample> wholeSamples = new ArrayList<>();
            int routerPromptTokens = -1;
            log(
                    "%d warm-up rounds, then %d measured, each: bare, engine, router streamed, router whole",
                    warmup, requests);
            for (int round = -warmup; round < requests; round++) {
                BareLlamaCall.Timing b = bare.generate(prompt, tokens, seed, temperature);
                BareLlamaCall.Timing e = BareLlamaCall.streamed(engine, engineRequest);
                RouterChat.Answer s = chat.streamed(streamBody);
                RouterChat.Answer w = chat.whole(wholeBody);
                check("streamed", s, problems);
                check("whole", w, problems);
                if (round >= 0) {
                    bareSamples.add(
                            new InProcessReport.Sample(b.totalMs(), b.firstTokenMs(), b.tokensPerSecond(), b.tokens()));
                    engineSamples.add(
                            new InProcessReport.Sample(e.totalMs(), e.firstTokenMs(), e.tokensPerSecond(), e.tokens()));
                    if (s.ok()) {
                        streamedSamples.add(new InProcessReport.Sample(
                                s.totalMs(), s.firstContentMs(), s.tokensPerSecond(), s.completionTokens()));
                        routerPromptTokens = s.promptTokens();
                    }
                    if (w.ok()) {
                        wholeSamples.add(new InProcessReport.Sample(w.totalMs(), 0, 0, w.completionTokens()));
                    }
                }
                if (!router.isAlive()) {
                    throw new BenchmarkFailure("the router ended during the sequential requests; the end of its log ("
                            + router.log() + "):\n" + router.logTail(40));
                }
            }
            InProcessReport.Path barePath = new InProcessReport.Path(
                    "bare call",
                    "`LlamaModel.generate` in this JVM, prompt templated beforehand",
                    true,
                    bareSamples,
                    promptTokens);
            InProcessReport.Path enginePath = new InProcessReport.Path(
                    "engine",
                    "`LlamaCppChatModel` streaming in this JVM (template, token count, stop sequences, LangChain4j"
                            + " callbacks)",
                    true,
                    engineSamples,
                    promptTokens);
            InProcessReport.Path streamedPath = new InProcessReport.Path(
                    "router, streamed",
                    "`POST /v1/chat/completions`, `stream: true`, SSE read line by line; first token = first content"
                            + " chunk",
                    true,
                    streamedSamples,
                    routerPromptTokens);
            InProcessReport.Path wholePath =
                    new InProcessReport.Path("router, whole", "the same, not streamed", false, wholeSamples, -1);
            log(
                    "medians: bare %.2f ms (first token %.2f ms, %.0f tokens/s); router streamed %.2f ms (%.2f ms,"
                            + " %.0f tokens/s); router whole %.2f ms",
                    barePath.medianTotal(),
                    barePath.medianFirstToken(),
                    barePath.medianTokensPerSecond(),
                    streamedPath.medianTotal(),
                    streamedPath.medianFirstToken(),
                    streamedPath.medianTokensPerSecond(),
                    wholePath.medianTotal());
            if (routerPromptTokens >= 0 && routerPromptTokens != promptTokens) {
                problems.add("the router's prompt has " + routerPromptTokens + " tokens, the bare call's "
                        + promptTokens + ": they do not run the same prompt");
            }

            String cpu = cpuRequests > 0 ? cpu(router, chat, streamBody, bare, prompt, problems) : "";

            log("%d callers at once, queue limit %d", callers, limit);
            InProcessReport.Burst queued =
                    burst(router, chat, wholeBody, callers, limit, wholePath.medianTotal(), problems, false);
            ProcStats.Process atEnd = ProcStats.process(router.pid());
            String logSummary = router.logSummary(12);
            router.close();

            InProcessReport.Burst refused = null;
            long secondPeakKib = 0;
            if (refusedCallers > 0) {
                Path busyDir = Files.createDirectories(temp.resolve("queue-limit-0"));
                Path busyPolicy = busyDir.resolve("policy.yaml");
                Files.writeString(busyPolicy, BenchPolicy.inProcess(DOMAIN, file, threads, contextSize, 0, timeout));
                log("starting a second router with queue limit 0");
                RouterProcess second = run.register(RouterProcess.start(
                        javaProgram,
                        jar,
                        jvmArguments(),
                        busyPolicy,
                        Map.of(),
                        busyDir,
                        Duration.ofSeconds(readyTimeout)));
                current = second;
                awaitModelReady(second, Duration.ofSeconds(readyTimeout));
                RouterChat busyChat = new RouterChat(second.port(), Duration.ofSeconds(timeout));
                for (int i = 0; i < 3; i++) {
                    check("whole", busyChat.whole(wholeBody), problems);
                }
                log("%d callers at once, queue limit 0", refusedCallers);
                refused =
                        burst(second, busyChat, wholeBody, refusedCallers, 0, wholePath.medianTotal(), problems, true);
                second.close();
            }

            InProcessReport.Memory memory = new InProcessReport.Memory(
                    modelBytes,
                    atReady,
                    atEnd,
                    loaded.hasNonNull("residentGrowthBytes")
                            ? loaded.path("residentGrowthBytes").asLong()
                            : null,
                    secondPeakKib);
            Map<String, String> header = header(
                    date,
                    loadBefore,
                    file,
                    modelBytes,
                    loaded,
                    shared.contextSize(),
                    limit,
                    refusedCallers,
                    readySeconds,
                    router,
                    atReady,
                    bareLoadMs,
                    bareRssGrowth,
                    problems);
            InProcessReport report = new InProcessReport(
                    header, barePath, enginePath, streamedPath, wholePath, memory, queued, refused, cpu);
            String markdown = report.markdown() + (logSummary.isEmpty() ? "" : "\n" + logSummary);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println();
            stdout.println(markdown);
            stdout.flush();
            if (out != null) {
                PathReport.writeInto(out, markdown, InProcessReport.BEGIN, InProcessReport.END);
                log("figures written into %s", out);
            }
            report.verdicts()
                    .forEach(v ->
                            log("%s: %s (%s) %s", v.target(), v.measured(), v.limit(), v.pass() ? "PASS" : "MISS"));
            problems.forEach(problem -> log("problem: %s", problem));
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
                log("kept %s (model, policies, router logs)", temp);
            }
        }
    }

    private void check(String kind, RouterChat.Answer answer, List<String> problems) {
        if (RouterChat.CLIENT_TIMEOUT.equals(answer.errorCode())) {
            dumpThreads();
        }
        if (!answer.ok() && problems.size() < 20) {
            problems.add(String.format(
                    Locale.ROOT,
                    "a %s request got %d%s%s",
                    kind,
                    answer.status(),
                    answer.errorCode() == null ? "" : " " + answer.errorCode(),
                    answer.complete() ? "" : ", incomplete"));
        }
    }

    /**
     * Once per router, after an answer did not come in time: the router's threads ({@code jcmd PID Thread.print})
     * and this JVM's, into the temp folder, which a run with problems keeps.
     */
    private void dumpThreads() {
        RouterProcess router = current;
        if (router == null || !dumped.add(router.pid())) {
            return;
        }
        Path jcmd =
                (java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java")).resolveSibling("jcmd");
        for (long pid : List.of(router.pid(), ProcessHandle.current().pid())) {
            Path dump = temp.resolve("threads-" + pid + ".txt");
            try {
                java.lang.Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                        .redirectErrorStream(true)
                        .redirectOutput(dump.toFile())
                        .start();
                process.waitFor(30, TimeUnit.SECONDS);
                log("an answer did not come in time: threads of %d in %s", pid, dump);
            } catch (IOException e) {
                log("could not dump the threads of %d: %s", pid, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Polls {@code /actuator/health} until the {@code models} component shows the one model {@code READY}, and
     * returns its details.
     *
     * @throws BenchmarkFailure if it is refused or missing, or not ready in time
     */
    private static JsonNode awaitModelReady(RouterProcess router, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String url = "http://127.0.0.1:" + router.port() + "/actuator/health";
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Http.Answer answer = Http.get(url);
            JsonNode state = modelDetails(answer.body());
            if (state != null) {
                String now = state.path("state").asString("");
                if (now.equals("READY")) {
                    return state;
                }
                if (now.equals("FAILED") || now.equals("MISSING")) {
                    throw new BenchmarkFailure("the router's model is " + now + ": "
                            + state.path("reason").asString("") + "; the end of its log (" + router.log() + "):\n"
                            + router.logTail(20));
                }
                last = now;
            }
            if (!router.isAlive()) {
                throw new BenchmarkFailure(
                        "the router ended; the end of its log (" + router.log() + "):\n" + router.logTail(40));
            }
            Thread.sleep(50);
        }
        throw new BenchmarkFailure("the router's model was not READY within " + timeout.toSeconds() + " s (last state "
                + last + "); the end of its log (" + router.log() + "):\n" + router.logTail(20));
    }

    /** The details of the first model in a health answer's {@code models} component, or null. */
    static JsonNode modelDetails(String healthBody) {
        try {
            JsonNode models = JSON.readTree(healthBody)
                    .path("components")
                    .path("models")
                    .path("details")
                    .path("models");
            for (Map.Entry<String, JsonNode> entry : models.properties()) {
                return entry.getValue();
            }
        } catch (RuntimeException e) {
            // not JSON yet
        }
        return null;
    }

    /** The router's and this JVM's CPU by thread, over streamed router requests and as many bare calls. */
    private String cpu(
            RouterProcess router,
            RouterChat chat,
            String streamBody,
            BareLlamaCall bare,
            String prompt,
            List<String> problems)
            throws IOException, InterruptedException {
        log("CPU by thread: %d streamed router requests, then %d bare calls", cpuRequests, cpuRequests);
        long self = ProcessHandle.current().pid();
        Map<Long, ProcStats.ThreadTime> before = ProcStats.threads(router.pid());
        Map<Long, ProcStats.ThreadTime> clientBefore = ProcStats.threads(self);
        long start = System.nanoTime();
        long routerTokens = 0;
        for (int i = 0; i < cpuRequests; i++) {
            RouterChat.Answer answer = chat.streamed(streamBody);
            check("streamed", answer, problems);
            routerTokens += answer.completionTokens();
        }
        double routerSeconds = (System.nanoTime() - start) / 1e9;
        ThreadCpu routerCpu = ThreadCpu.between(before, ProcStats.threads(router.pid()));
        ThreadCpu clientCpu = ThreadCpu.between(clientBefore, ProcStats.threads(self));
        Map<Long, ProcStats.ThreadTime> bareBefore = ProcStats.threads(self);
        start = System.nanoTime();
        long bareTokens = 0;
        for (int i = 0; i < cpuRequests; i++) {
            bareTokens += bare.generate(prompt, tokens, seed, temperature).tokens();
        }
        double bareSeconds = (System.nanoTime() - start) / 1e9;
        ThreadCpu bareCpu = ThreadCpu.between(bareBefore, ProcStats.threads(self));
        return String.format(
                        Locale.ROOT,
                        "#### CPU by thread%n%nFrom `/proc/PID/task/*/stat` (10 ms ticks), over %d streamed router"
                                + " requests (%.1f s, %d tokens) and then %d bare calls in this JVM (%.1f s, %d"
                                + " tokens). Thread names as Linux keeps them (15 characters), numbers folded;"
                                + " llama.cpp's own threads are named `java` or after the thread that started"
                                + " them.%n%n**Router process, streamed requests:**%n%n",
                        cpuRequests,
                        routerSeconds,
                        routerTokens,
                        cpuRequests,
                        bareSeconds,
                        bareTokens)
                + routerCpu.markdown(12, cpuRequests)
                + "\n**This JVM during those requests (the HTTP client reading the SSE body):**\n\n"
                + clientCpu.markdown(6, cpuRequests)
                + "\n**This JVM, bare calls:**\n\n"
                + bareCpu.markdown(6, cpuRequests)
                + (routerTokens == bareTokens
                        ? ""
                        : "\nTokens differ: router " + routerTokens + ", bare " + bareTokens + ".\n");
    }

    /**
     * Sends {@code count} whole requests at once and waits for every answer, sampling the router's memory and
     * threads every 10 ms and its model's running and queued requests every 20 ms.
     *
     * @param refusalsExpected whether 503 upstream_busy is an expected answer (queue limit 0)
     */
    private InProcessReport.Burst burst(
            RouterProcess router,
            RouterChat chat,
            String body,
            int count,
            int limit,
            double singleMs,
            List<String> problems,
            boolean refusalsExpected)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RouterChat.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return chat.whole(body);
            }));
        }
        ready.await();
        AtomicBoolean polling = new AtomicBoolean(true);
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger maxQueued = new AtomicInteger();
        AtomicInteger polls = new AtomicInteger();
        Thread poller = new Thread(
                () -> {
                    String url = "http://127.0.0.1:" + router.port() + "/actuator/health";
                    while (polling.get()) {
                        JsonNode details = modelDetails(Http.get(url).body());
                        if (details != null) {
                            polls.incrementAndGet();
                            maxRunning.accumulateAndGet(details.path("running").asInt(), Math::max);
                            maxQueued.accumulateAndGet(details.path("queued").asInt(), Math::max);
                        }
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "inprocessbench-health");
        poller.setDaemon(true);
        ProcStats.Process before = ProcStats.process(router.pid());
        List<RouterChat.Answer> answers = new ArrayList<>();
        long start;
        long end;
        long peakRss;
        int peakThreads;
        try (ProcessSampler sampler = ProcessSampler.start(router.pid(), 10)) {
            poller.start();
            start = System.nanoTime();
            go.countDown();
            for (Future<RouterChat.Answer> call : calls) {
                try {
                    answers.add(call.get(timeout + 60L, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    problems.add("a caller of the burst failed: " + e.getCause());
                }
            }
            end = answers.stream().mapToLong(RouterChat.Answer::endNanos).max().orElse(System.nanoTime());
            sampler.close();
            peakRss = sampler.maxRssKib();
            peakThreads = sampler.maxThreads();
        } finally {
            polling.set(false);
            poller.interrupt();
            pool.shutdownNow();
        }
        poller.join(2000);
        ProcStats.Process after = ProcStats.process(router.pid());
        Map<String, Integer> failures = new TreeMap<>();
        List<Double> latencies = new ArrayList<>();
        List<Double> refusedLatencies = new ArrayList<>();
        int ok = 0;
        for (RouterChat.Answer answer : answers) {
            if (answer.ok()) {
                ok++;
                latencies.add(answer.totalMs());
            } else {
                refusedLatencies.add(answer.totalMs());
                String key = answer.status() + (answer.errorCode() == null ? "" : " " + answer.errorCode());
                failures.merge(key, 1, Integer::sum);
                if (!(refusalsExpected && key.equals("503 upstream_busy"))) {
                    check("concurrent", answer, problems);
                }
            }
        }
        return new InProcessReport.Burst(
                count,
                limit,
                ok,
                failures,
                InProcessReport.Spread.of(latencies),
                InProcessReport.Spread.of(refusedLatencies),
                (end - start) / 1e6,
                singleMs,
                maxRunning.get(),
                maxQueued.get(),
                polls.get(),
                before,
                peakRss,
                peakThreads,
                after);
    }

    private Map<String, String> header(
            String date,
            String loadBefore,
            Path file,
            long modelBytes,
            JsonNode loaded,
            int bareContext,
            int limit,
            int refusedCallers,
            double readySeconds,
            RouterProcess router,
            ProcStats.Process atReady,
            double bareLoadMs,
            long bareRssGrowthKib,
            List<String> problems) {
        Runtime runtime = Runtime.getRuntime();
        Map<String, String> header = new LinkedHashMap<>();
        header.put("date", date);
        header.put("commit", PathBenchmark.gitCommit() + " (jar built " + jarTime() + ")");
        header.put(
                "machine",
                String.format(
                        Locale.ROOT,
                        "%d cores (%s), %s RAM, %s %s %s",
                        runtime.availableProcessors(),
                        ProcStats.firstValue(Path.of("/proc/cpuinfo"), "model name"),
                        PathBenchmark.memory(),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        System.getProperty("os.arch")));
        header.put("load average (1, 5, 15 min) before / after", loadBefore + " / " + ProcStats.loadAverage());
        header.put(
                "JDK",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + (java == null ? " (benchmark and router)" : " (benchmark; router: " + java + ")"));
        header.put(
                "model",
                String.format(
                        Locale.ROOT,
                        "`%s`, %s, %s; context %d tokens per request in the router (%d in this JVM); KV cache %s",
                        file.getFileName(),
                        InProcessReport.mib(modelBytes),
                        loaded.path("architecture").asString("?"),
                        loaded.path("contextSize").asInt(),
                        bareContext,
                        loaded.hasNonNull("kvCacheBytes")
                                ? InProcessReport.mib(
                                        loaded.path("kvCacheBytes").asLong())
                                : "?"));
        header.put(
                "options",
                String.format(
                        Locale.ROOT,
                        "`--tokens %d --requests %d --warmup %d --threads %d --context-size %d --callers %d"
                                + " --queue-limit %d --busy-callers %d --cpu-requests %d --seed %d%s%s`",
                        tokens,
                        requests,
                        warmup,
                        threads,
                        contextSize,
                        callers,
                        limit,
                        refusedCallers,
                        cpuRequests,
                        seed,
                        temperature == null ? "" : " --temperature " + temperature,
                        routerJvmArgs.isBlank() ? "" : " --router-jvm-args \"" + routerJvmArgs + "\""));
        header.put(
                "requests",
                String.format(
                        Locale.ROOT,
                        "one user message, \"%s\"; `max_tokens` %d, `seed` %d, temperature %s; `\"model\": \"%s\"`"
                                + " forces the one domain",
                        message,
                        tokens,
                        seed,
                        temperature == null ? "not sent (llama.cpp's default)" : temperature,
                        DOMAIN));
        header.put(
                "policy",
                "one domain; its specialist `provider: in-process`, `threads: " + threads
                        + "`, `max-concurrent: 1`, `queue-limit: " + limit + "`, `load: eager`, no system prompt,"
                        + " `retry.max-attempts: 1`, timeouts " + timeout + " s");
        header.put(
                "router start",
                String.format(
                        Locale.ROOT,
                        "%.1f s from `java -jar` to readiness UP and the model READY%s; then RSS %.1f MiB, %d threads",
                        readySeconds,
                        router.loggedStartSeconds()
                                .map(s -> String.format(Locale.ROOT, " (Spring Boot logged %.1f s)", s))
                                .orElse(""),
                        atReady.rssKib() / 1024.0,
                        atReady.threads()));
        header.put(
                "bare load in this JVM",
                String.format(
                        Locale.ROOT,
                        "%.0f ms, RSS +%.1f MiB (same file and load settings, through `LlamaCppModels`)",
                        bareLoadMs,
                        bareRssGrowthKib / 1024.0));
        if (!problems.isEmpty()) {
            header.put("**problems**", String.join("; ", problems));
        }
        return header;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (tokens < 2 || requests < 1 || warmup < 0 || threads < 1 || callers < 1 || cpuRequests < 0) {
            problems.add("--tokens must be at least 2, --requests, --threads and --callers at least 1, --warmup and"
                    + " --cpu-requests at least 0");
        }
        if (contextSize < 0 || timeout < 1 || readyTimeout < 1) {
            problems.add("--context-size must be at least 0, --timeout and --ready-timeout at least 1");
        }
        if (queueLimit != null && queueLimit < callers) {
            problems.add("--queue-limit must be at least --callers (" + callers + "), so that none is refused");
        }
        if (busyCallers != null && busyCallers < 0) {
            problems.add("--busy-callers must be at least 0");
        }
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            problems.add("--temperature must be between 0 and 2");
        }
        if (message.isBlank()) {
            problems.add("--message must not be blank");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private List<String> jvmArguments() {
        return routerJvmArgs.isBlank()
                ? List.of()
                : List.of(routerJvmArgs.trim().split("\\s+"));
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

    private void log(String format, Object... arguments) {
        BenchmarkRun.log(spec.commandLine().getErr(), format, arguments);
    }
}
