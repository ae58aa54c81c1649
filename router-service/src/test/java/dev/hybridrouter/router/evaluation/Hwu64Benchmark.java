package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.Hwu64.Row;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.DomainClassifier.Classification;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import dev.hybridrouter.router.routing.TwoStageClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The HWU64 routing benchmark: policies whose domains are HWU64 scenarios, with 5, 20 and 100
 * examples each drawn from the train file, three scenarios held out as out of scope, evaluated on
 * the test file with the product's default threshold. Each of six disjoint triples of scenarios is
 * held out in turn (every scenario once); figures are means over the six. Nothing is tuned on the
 * test file: the 5% operating point is chosen on the train messages that are not examples. Prints
 * Markdown.
 *
 * <p>Usage: {@code Hwu64Benchmark <data-dir> [classifier ...]} where {@code data-dir} holds {@code
 * hwu64_fold1_train.jsonl} and {@code hwu64_fold1_test.jsonl}, and each classifier is an embedding model's id (that
 * model alone), {@value #FAST} (the fast stage alone, on static embeddings) or {@value #TWO_STAGE} (the policy's
 * classifier as the router runs it: the fast stage, then all-MiniLM for the rest).
 */
public final class Hwu64Benchmark {

    static final int[] EXAMPLES_PER_SCENARIO = {5, 20, 100};

    static final double MAX_FALSE_ESCALATION = 0.05;

    static final String FAST = "fast-stage";
    static final String TWO_STAGE = "two-stage";

    private Hwu64Benchmark() {}

    /** What one policy did on the test file; shares in [0,1]. */
    record FoldResult(
            double top1,
            double accuracy,
            double inScopeEscalation,
            double heldOutRecall,
            double trainThreshold,
            double accuracyAtTrainThreshold,
            double inScopeEscalationAtTrainThreshold,
            double heldOutRecallAtTrainThreshold,
            double oracleHeldOutRecall,
            double inScopeOutOfScope,
            double heldOutOutOfScope,
            double trainingSeconds,
            double temperature,
            double fastShare) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: Hwu64Benchmark <data-dir> [model-id | " + FAST + " | " + TWO_STAGE + " ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<Row> train = Hwu64.read(dir.resolve(Hwu64.TRAIN_FILE));
        List<Row> test = Hwu64.read(dir.resolve(Hwu64.TEST_FILE));
        List<String> models = args.length > 1
                ? List.of(args).subList(1, args.length)
                : List.of(EmbeddingCache.ALL_MINILM_L6_V2_Q, EmbeddingCache.BGE_SMALL_EN_V15_Q);

        System.out.printf(
                Locale.ROOT,
                "Machine: %d cores, %s %s (%s), %s %s, %s, load average %.1f at start%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.vm.version"),
                System.getProperty("java.vm.vendor"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                LocalDate.now(),
                loadAverage());
        for (String model : models) {
            run(model, train, test);
        }
        System.out.printf(Locale.ROOT, "Load average %.1f at the end.%n", loadAverage());
    }

    private static void run(String variant, List<Row> train, List<Row> test) {
        System.out.printf("## %s%n%n", variant);
        String model = variant.equals(FAST) || variant.equals(TWO_STAGE) ? EmbeddingCache.ALL_MINILM_L6_V2_Q : variant;
        if (!Boolean.getBoolean("hwu64.skipLatency")) {
            latency(variant, model, train, test);
        }

        EmbeddingCache cache = new EmbeddingCache(train.size() + test.size() + 1_000);
        long start = System.nanoTime();
        cache.embedAll(
                model,
                Stream.concat(train.stream(), test.stream()).map(Row::text).toList());
        System.out.printf(
                Locale.ROOT,
                "Embedding all %d train and test messages in batches: %.1f s.%n%n",
                train.size() + test.size(),
                (System.nanoTime() - start) / 1e9);

        System.out.println("| examples/scenario | top-1 | accuracy @0.55 | in-scope escalated @0.55"
                + " | held-out escalated @0.55 | threshold for 5% (train) | accuracy | in-scope escalated"
                + " | held-out escalated | oracle held-out @5% | flagged out of scope: in-scope, held-out"
                + " | temperature | training s | decided by the fast stage |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> perFold = new ArrayList<>();
        int[] sizes = System.getProperty("hwu64.examples") == null
                ? EXAMPLES_PER_SCENARIO
                : new int[] {Integer.getInteger("hwu64.examples")};
        for (int n : sizes) {
            List<FoldResult> results = new ArrayList<>();
            for (List<String> heldOut : Hwu64.HELD_OUT) {
                results.add(fold(variant, model, cache, train, test, n, heldOut));
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %s | %s | %s | %s | %.3f | %s | %s | %s | %s | %s, %s | %.2f | %.1f | %s |%n",
                    n,
                    percent(results, FoldResult::top1),
                    percent(results, FoldResult::accuracy),
                    percent(results, FoldResult::inScopeEscalation),
                    percent(results, FoldResult::heldOutRecall),
                    mean(results, FoldResult::trainThreshold),
                    percent(results, FoldResult::accuracyAtTrainThreshold),
                    percent(results, FoldResult::inScopeEscalationAtTrainThreshold),
                    percent(results, FoldResult::heldOutRecallAtTrainThreshold),
                    percent(results, FoldResult::oracleHeldOutRecall),
                    percent(results, FoldResult::inScopeOutOfScope),
                    percent(results, FoldResult::heldOutOutOfScope),
                    mean(results, FoldResult::temperature),
                    mean(results, FoldResult::trainingSeconds),
                    percent(results, FoldResult::fastShare));
            StringBuilder row = new StringBuilder("| " + n + " | held-out escalated @0.55 |");
            results.forEach(r -> row.append(String.format(Locale.ROOT, " %.1f |", 100 * r.heldOutRecall())));
            row.append("\n| ").append(n).append(" | accuracy @0.55 |");
            results.forEach(r -> row.append(String.format(Locale.ROOT, " %.1f |", 100 * r.accuracy())));
            perFold.add(row.toString());
        }
        System.out.println();
        System.out.println("Per held-out triple (%):");
        System.out.println();
        StringBuilder header = new StringBuilder("| examples/scenario | figure |");
        Hwu64.HELD_OUT.forEach(
                triple -> header.append(' ').append(String.join(", ", triple)).append(" |"));
        System.out.println(header);
        System.out.println("|---|---|" + "---|".repeat(Hwu64.HELD_OUT.size()));
        perFold.forEach(System.out::println);
        System.out.println();
    }

    /** Unmeasured passes over the test messages before each measured one, for the JIT. */
    static final int WARM_UP_PASSES = 3;

    /**
     * Latency with nothing cached, every message embedded afresh: of the classifier alone and of the whole routing
     * decision, each measured after {@value #WARM_UP_PASSES} unmeasured passes.
     */
    private static void latency(String variant, String model, List<Row> train, List<Row> test) {
        List<String> heldOut = Hwu64.HELD_OUT.get(0);
        Policy policy = Hwu64.policy(model, Hwu64.DEFAULT_THRESHOLD, train, 20, heldOut, outOfScope());
        EmbeddingCache uncached = new EmbeddingCache(0);
        long start = System.nanoTime();
        uncached.preload(model);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        DomainClassifier classifier = classifier(variant, policy, uncached, new SimpleMeterRegistry());
        List<List<ChatMessage>> conversations =
                test.stream().map(row -> List.of(ChatMessage.user(row.text()))).toList();
        long[] nanos = new long[conversations.size()];
        for (int pass = 0; pass <= WARM_UP_PASSES; pass++) {
            for (int i = 0; i < nanos.length; i++) {
                long before = System.nanoTime();
                classifier.classify(conversations.get(i));
                nanos[i] = System.nanoTime() - before;
            }
        }
        Arrays.sort(nanos);
        RouterEvaluator evaluator = new RouterEvaluator(policy, classifier);
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            evaluator.evaluate(Hwu64.labelled(test, heldOut));
        }
        EvaluationReport report = evaluator.evaluate(Hwu64.labelled(test, heldOut));
        System.out.printf(
                Locale.ROOT,
                "One message, nothing cached (%d test messages, one thread, policy of 20 examples x 15 scenarios, after"
                        + " %d unmeasured passes): classifying p50 %.3f ms, p99 %.3f ms; the whole routing decision"
                        + " p50 %.3f ms, p99 %.3f ms, %.0f messages/s. Model load %.1f s.%n%n",
                report.messages(),
                WARM_UP_PASSES,
                nanos[nanos.length / 2] / 1e6,
                nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6,
                report.latencyP50Millis(),
                report.latencyP99Millis(),
                report.messagesPerSecond(),
                loadSeconds);
    }

    /** The variant's classifier of the policy, counting its stages' decisions in {@code meters}. */
    private static DomainClassifier classifier(
            String variant, Policy policy, EmbeddingCache cache, MeterRegistry meters) {
        return switch (variant) {
            case TWO_STAGE -> TwoStageClassifier.of(
                    policy, inputs -> EmbeddingDomainClassifier.of(inputs, cache), meters);
            case FAST -> EmbeddingDomainClassifier.of(
                    Inputs.of(policy).withEmbeddingModel(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q), cache);
            default -> EmbeddingDomainClassifier.of(policy, cache);
        };
    }

    private static FoldResult fold(
            String variant,
            String model,
            EmbeddingCache cache,
            List<Row> train,
            List<Row> test,
            int n,
            List<String> heldOut) {
        Policy policy = Hwu64.policy(model, Hwu64.DEFAULT_THRESHOLD, train, n, heldOut, outOfScope());
        long start = System.nanoTime();
        MeterRegistry meters = new SimpleMeterRegistry();
        DomainClassifier classifier = classifier(variant, policy, cache, meters);
        double trainingSeconds = (System.nanoTime() - start) / 1e9;

        List<LabeledConversation> testData = Hwu64.labelled(test, heldOut);
        EvaluationReport atDefault = new RouterEvaluator(policy, classifier).evaluate(testData);

        Set<String> examples =
                policy.domains().stream().flatMap(d -> d.examples().stream()).collect(Collectors.toSet());
        List<Row> tuning = train.stream()
                .filter(row -> !heldOut.contains(row.scenario()) && !examples.contains(row.text()))
                .toList();
        double threshold = new RouterEvaluator(policy, classifier)
                .calibrate(Hwu64.labelled(tuning, heldOut), MAX_FALSE_ESCALATION)
                .threshold();
        Policy tuned = Hwu64.policy(model, threshold, train, n, heldOut, outOfScope());
        EvaluationReport atTrainThreshold = new RouterEvaluator(tuned, classifier).evaluate(testData);
        CalibrationReport oracle = new RouterEvaluator(policy, classifier).calibrate(testData, MAX_FALSE_ESCALATION);

        double fastBefore = decisions(meters, "fast");
        double fullBefore = decisions(meters, "full");
        int inScope = 0;
        int top1 = 0;
        int inScopeFlagged = 0;
        int heldOutFlagged = 0;
        for (Row row : test) {
            Classification classification = classifier.classify(List.of(ChatMessage.user(row.text())));
            if (heldOut.contains(row.scenario())) {
                heldOutFlagged += classification.outOfScope() ? 1 : 0;
            } else {
                inScope++;
                top1 += best(classification).equals(row.scenario()) ? 1 : 0;
                inScopeFlagged += classification.outOfScope() ? 1 : 0;
            }
        }
        return new FoldResult(
                top1 / (double) inScope,
                atDefault.accuracy(),
                atDefault.inScopeEscalationShare(),
                atDefault.escalationRecall(),
                threshold,
                atTrainThreshold.accuracy(),
                atTrainThreshold.inScopeEscalationShare(),
                atTrainThreshold.escalationRecall(),
                oracle.atThreshold().escalationRecall(),
                inScopeFlagged / (double) inScope,
                heldOutFlagged / (double) (test.size() - inScope),
                trainingSeconds,
                classifier instanceof EmbeddingDomainClassifier one
                        ? one.calibration().temperature()
                        : Double.NaN,
                share(decisions(meters, "fast") - fastBefore, decisions(meters, "full") - fullBefore));
    }

    private static double decisions(MeterRegistry meters, String stage) {
        return meters.find("router.classifier.decisions").tag("stage", stage).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** The fast stage's share of the decisions; 0 when it made none, or there was no fast stage. */
    private static double share(double fast, double full) {
        return fast + full == 0 ? 0 : fast / (fast + full);
    }

    private static String best(Classification classification) {
        return classification.scores().entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
    }

    /** {@code -Dhwu64.outOfScope}: out-of-scope examples from each held-out scenario, 0 by default. */
    private static int outOfScope() {
        return Integer.getInteger("hwu64.outOfScope", 0);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double mean(List<FoldResult> results, ToDoubleFunction<FoldResult> figure) {
        return results.stream().mapToDouble(figure).average().orElseThrow();
    }

    private static String percent(List<FoldResult> results, ToDoubleFunction<FoldResult> figure) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * mean(results, figure));
    }
}
