package dev.hybridrouter.router.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Embedding one short message at a time, as the router does per request, from several threads at once:
 * LangChain4j's all-MiniLM-L6-v2 (q) on ONNX Runtime's default session (a thread per core, spinning)
 * against the router's own session of the same model ({@link EmbeddingCache} with caching off: one
 * intra-op thread, no spinning). Prints messages per second and CPU per message, each the median of the
 * rounds.
 */
@Command(
        name = "embedding-benchmark",
        mixinStandardHelpOptions = true,
        description = "Embeds distinct short messages from --callers threads, LangChain4j's default ONNX session"
                + " against the router's own, and prints messages/s and CPU ms per message.")
public final class EmbeddingBenchmark implements Callable<Integer> {

    @Option(names = "--messages", defaultValue = "600", description = "Messages per round (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "Measured rounds, after one warm-up (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--callers",
            defaultValue = "1,2,4",
            split = ",",
            description = "Threads embedding at once (default ${DEFAULT-VALUE}).")
    List<Integer> callers;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EmbeddingBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EmbeddingModel langchain4j = new AllMiniLmL6V2QuantizedEmbeddingModel();
        EmbeddingCache router = new EmbeddingCache(0);
        System.out.printf(
                "%d cores, %d messages a round, median of %d rounds%n",
                Runtime.getRuntime().availableProcessors(), messages, rounds);
        System.out.println("| session | callers | messages/s | CPU ms per message |");
        System.out.println("|---|---:|---:|---:|");
        for (int threads : callers) {
            print("LangChain4j default", threads, measure(threads, text -> langchain4j.embed(text)));
            print("router", threads, measure(threads, text -> router.embed(EmbeddingCache.ALL_MINILM_L6_V2_Q, text)));
        }
        return 0;
    }

    /** Median messages/s and CPU ms per message over the rounds, after one warm-up round. */
    private double[] measure(int threads, Consumer<String> embed) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Double> rates = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                long wall = System.nanoTime();
                long cpuStart = os.getProcessCpuTime();
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < messages; i++) {
                    String text = "please set an alarm for " + round + ":" + i + " tomorrow morning, " + threads;
                    done.add(pool.submit(() -> embed.accept(text)));
                }
                for (Future<?> future : done) {
                    future.get();
                }
                if (round > 0) {
                    rates.add(messages / ((System.nanoTime() - wall) / 1e9));
                    cpu.add((os.getProcessCpuTime() - cpuStart) / 1e6 / messages);
                }
            }
            return new double[] {median(rates), median(cpu)};
        } finally {
            pool.shutdownNow();
        }
    }

    private static void print(String session, int threads, double[] figures) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f |%n", session, threads, figures[0], figures[1]);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
