package dev.hybridrouter.specialists.inprocess;

import dev.hybridrouter.specialists.inprocess.BareLlamaCall.Timing;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compares, in one JVM and on one loaded model, the bare {@code LlamaModel.generate} loop with
 * {@link LlamaCppChatModel} (whole and streamed), then runs N callers against one slot.
 *
 * <pre>
 * ./mvnw -q -pl specialists -am test-compile dependency:build-classpath -Dspotless.check.skip=true \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp specialists/target/test-classes:specialists/target/classes:$(cat specialists/target/test-classpath.txt) \
 *     dev.hybridrouter.specialists.inprocess.LlamaCppEngineBenchmark [--model FILE.gguf] [--tokens 64] [--runs 10] \
 *     [--threads N] [--callers 8] [--context 1024]
 * </pre>
 *
 * From the repository root; see docs/benchmarks.md, "In-process engine". Without {@code --model} it writes and
 * uses the tiny test model. The bare loop is {@link BareLlamaCall}'s, with the sampling parameters the engine
 * sends.
 */
public final class LlamaCppEngineBenchmark {

    private LlamaCppEngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path model = null;
        int tokens = 64;
        int runs = 10;
        Integer threads = null;
        int callers = 8;
        int context = 1024;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[i + 1]);
                case "--tokens" -> tokens = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--callers" -> callers = Integer.parseInt(args[i + 1]);
                case "--context" -> context = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (model == null) {
            Path dir = Files.createTempDirectory("hybrid-router-bench");
            model = TinyLlamaModel.ofDefaults().writeTo(dir, "tiny.gguf");
        }
        BareLlamaCall.nativeLibraryDir(Path.of(System.getProperty("java.io.tmpdir"), "hybrid-router-bench-llama"));
        environment(model, threads);
        int exit = 0;
        try (LlamaCppModels models = LlamaCppModels.create()) {
            long rssBefore = orZero(ResidentMemory.bytes());
            long loadStart = System.nanoTime();
            LlamaCppModel shared = models.model(LlamaCppModelSettings.of(model)
                    .withContextSize(context)
                    .withThreads(threads)
                    .withQueue(callers, LlamaCppModelSettings.DEFAULT_QUEUE_TIMEOUT.multipliedBy(20)));
            shared.awaitReady();
            System.out.printf(
                    Locale.ROOT,
                    "load: %.0f ms, resident +%s (status says %s), KV cache %s%n%n",
                    (System.nanoTime() - loadStart) / 1e6,
                    ModelDownloader.bytes(orZero(ResidentMemory.bytes()) - rssBefore),
                    ModelDownloader.bytes(orZero(shared.status().residentGrowthBytes())),
                    ModelDownloader.bytes(orZero(shared.status().kvCacheBytes())));
            LlamaCppChatModel chat = LlamaCppChatModel.builder().model(shared).build();
            compare(shared, chat, tokens, runs);
            concurrency(shared, chat, tokens, callers);
        } catch (RuntimeException e) {
            e.printStackTrace();
            exit = 1;
        }
        // The bindings leave llama.cpp's loop thread attached as a non-daemon thread: exit explicitly.
        System.exit(exit);
    }

    private static void compare(LlamaCppModel shared, LlamaCppChatModel chat, int tokens, int runs) throws Exception {
        ChatRequest request = ChatRequest.builder()
                .messages(UserMessage.from(BareLlamaCall.QUESTION))
                .parameters(LlamaCppChatRequestParameters.builder()
                        .seed(42)
                        .maxOutputTokens(tokens)
                        .build())
                .build();
        BareLlamaCall call = new BareLlamaCall(shared);
        String prompt = call.prompt(BareLlamaCall.QUESTION);
        List<Timing> bare = new ArrayList<>();
        List<Timing> whole = new ArrayList<>();
        List<Timing> streamed = new ArrayList<>();
        for (int run = -2; run < runs; run++) { // two warm-up runs
            Timing b = call.generate(prompt, tokens, 42, null);
            Timing w = whole(chat, request);
            Timing s = BareLlamaCall.streamed(chat, request);
            if (run >= 0) {
                bare.add(b);
                whole.add(w);
                streamed.add(s);
            }
        }
        System.out.printf(Locale.ROOT, "%d runs of %d tokens, median (min-max):%n", runs, tokens);
        System.out.println("| path | total ms | time to first token ms | tokens/s after first | tokens |");
        System.out.println("|---|---|---|---|---|");
        row("bare LlamaModel.generate", bare);
        row("LlamaCppChatModel whole", whole);
        row("LlamaCppChatModel streaming", streamed);
        System.out.printf(
                Locale.ROOT,
                "per-request overhead over the bare loop (median total): whole %+.2f ms, streaming %+.2f ms%n%n",
                median(whole, Timing::totalMs) - median(bare, Timing::totalMs),
                median(streamed, Timing::totalMs) - median(bare, Timing::totalMs));
    }

    private static Timing whole(LlamaCppChatModel chat, ChatRequest request) {
        long start = System.nanoTime();
        ChatResponse response = chat.chat(request);
        long end = System.nanoTime();
        LlamaCppChatResponseMetadata metadata = (LlamaCppChatResponseMetadata) response.metadata();
        long first = start
                + metadata.queueTime().toNanos()
                + metadata.timeToFirstToken().toNanos();
        return new Timing(start, first, end, response.tokenUsage().outputTokenCount());
    }

    private static void concurrency(LlamaCppModel shared, LlamaCppChatModel chat, int tokens, int callers)
            throws Exception {
        ChatRequest request = ChatRequest.builder()
                .messages(UserMessage.from(BareLlamaCall.QUESTION))
                .parameters(LlamaCppChatRequestParameters.builder()
                        .seed(7)
                        .maxOutputTokens(tokens)
                        .build())
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger maxQueued = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        long rssBefore = orZero(ResidentMemory.bytes());
        List<Future<Long>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(pool.submit(() -> {
                go.await();
                long start = System.nanoTime();
                chat.chat(request);
                return System.nanoTime() - start;
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        long rssPeak = rssBefore;
        while (calls.stream().anyMatch(f -> !f.isDone())) {
            ModelStatus status = shared.status();
            maxQueued.accumulateAndGet(status.queued(), Math::max);
            maxRunning.accumulateAndGet(status.running(), Math::max);
            rssPeak = Math.max(rssPeak, orZero(ResidentMemory.bytes()));
            Thread.sleep(1);
        }
        long wall = System.nanoTime() - start;
        List<Double> latencies = new ArrayList<>();
        for (Future<Long> call : calls) {
            latencies.add(call.get() / 1e6);
        }
        pool.shutdown();
        Collections.sort(latencies);
        System.out.printf(
                Locale.ROOT,
                "%d callers at once against max-concurrent %d (queue limit %d): all %d answered in %.0f ms wall;"
                        + " at most %d generating and %d queued; latency p50 %.0f ms, max %.0f ms; resident memory"
                        + " %s before, peak %s during%n",
                callers,
                shared.settings().maxConcurrent(),
                shared.settings().queueLimit(),
                latencies.size(),
                wall / 1e6,
                maxRunning.get(),
                maxQueued.get(),
                latencies.get(latencies.size() / 2),
                latencies.get(latencies.size() - 1),
                ModelDownloader.bytes(rssBefore),
                ModelDownloader.bytes(rssPeak));
    }

    private static void environment(Path model, Integer threads) throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse(cpu);
        }
        System.out.printf(
                Locale.ROOT,
                "%s, %d CPUs (%s), %s %s, model %s (%s), threads %s%n",
                LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                cpu,
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                model.getFileName(),
                ModelDownloader.bytes(Files.size(model)),
                threads == null ? "llama.cpp default" : threads);
    }

    private static void row(String name, List<Timing> samples) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %s | %s | %s | %.0f |%n",
                name,
                spread(samples, Timing::totalMs, "%.2f"),
                spread(samples, Timing::firstTokenMs, "%.2f"),
                spread(samples, Timing::tokensPerSecond, "%.0f"),
                median(samples, s -> s.tokens()));
    }

    private static String spread(List<Timing> samples, java.util.function.ToDoubleFunction<Timing> f, String format) {
        List<Double> values = samples.stream().map(f::applyAsDouble).sorted().toList();
        return String.format(
                Locale.ROOT,
                format + " (" + format + "-" + format + ")",
                median(samples, f),
                values.get(0),
                values.get(values.size() - 1));
    }

    private static double median(List<Timing> samples, java.util.function.ToDoubleFunction<Timing> f) {
        List<Double> values = samples.stream().map(f::applyAsDouble).sorted().toList();
        return values.get(values.size() / 2);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
