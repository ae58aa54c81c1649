package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.Hwu64.Row;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.Router;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The trade-off of a local-only domain's residency threshold, measured on HWU64: one scenario is marked
 * local-only (as if it held sensitive data), the policy has 20 examples a scenario, and for several
 * residency thresholds it counts how many of that scenario's test messages stay local, how many
 * unrelated ones are kept local needlessly, and how many two-turn conversations that start with a
 * sensitive message and go on about something else stay local. Run with the HWU64 directory and the
 * local-only scenarios, e.g. {@code /path/to/hwu64 email social}.
 */
public final class ResidencyBenchmark {

    static final double[] THRESHOLDS = {0.15, 0.25, 0.35, 0.45, 0.55};
    static final int EXAMPLES_PER_SCENARIO = 20;

    private ResidencyBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ResidencyBenchmark HWU64_DIR SCENARIO...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<Row> train = Hwu64.read(dir.resolve(Hwu64.TRAIN_FILE));
        List<Row> test = Hwu64.read(dir.resolve(Hwu64.TEST_FILE));
        EmbeddingCache embeddings = EmbeddingCache.ofDefaults();
        Policy policy = Hwu64.policy(
                EmbeddingCache.ALL_MINILM_L6_V2_Q, Hwu64.DEFAULT_THRESHOLD, train, EXAMPLES_PER_SCENARIO, List.of(), 0);
        EmbeddingDomainClassifier classifier = EmbeddingDomainClassifier.of(policy, embeddings);
        System.out.printf(
                "HWU64 fold 1 test file, %d examples a scenario, all-minilm-l6-v2-q, %s, %s%n%n",
                EXAMPLES_PER_SCENARIO, Runtime.version(), LocalDate.now());
        System.out.println(
                "| local-only scenario | residency threshold | its messages kept local | other messages "
                        + "kept local needlessly | 2-turn: sensitive, then unrelated, kept local | same, without the per-turn rule |");
        System.out.println("|---|---|---|---|---|---|");
        for (String scenario : List.of(args).subList(1, args.length)) {
            List<Row> sensitive =
                    test.stream().filter(row -> row.scenario().equals(scenario)).toList();
            List<Row> others = test.stream()
                    .filter(row -> !row.scenario().equals(scenario))
                    .toList();
            List<List<ChatMessage>> twoTurns = new ArrayList<>();
            for (int i = 0; i < sensitive.size(); i++) {
                twoTurns.add(List.of(
                        ChatMessage.user(sensitive.get(i).text()),
                        ChatMessage.assistant("Done."),
                        ChatMessage.user(others.get((i * 37) % others.size()).text())));
            }
            for (double threshold : THRESHOLDS) {
                Router router = new Router(
                        localOnly(policy, scenario, threshold), classifier, Set.of("auto"), Integer.MAX_VALUE);
                Predicate<List<ChatMessage>> keptLocal =
                        c -> router.route(ChatCompletionRequest.of("auto", c)).localOnly();
                Predicate<List<ChatMessage>> routedThere = c -> router.route(ChatCompletionRequest.of("auto", c))
                                .route()
                                .equals(scenario)
                        && !router.route(ChatCompletionRequest.of("auto", c)).escalate();
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.2f | %s | %s | %s | %s |%n",
                        scenario,
                        threshold,
                        share(sensitive.stream().map(r -> single(r)).toList(), keptLocal),
                        share(others.stream().map(r -> single(r)).toList(), keptLocal),
                        share(twoTurns, keptLocal),
                        share(twoTurns, routedThere));
            }
        }
    }

    private static Policy localOnly(Policy policy, String scenario, double residencyThreshold) {
        List<Policy.Domain> domains = policy.domains().stream()
                .map(d -> d.name().equals(scenario)
                        ? new Policy.Domain(
                                d.name(),
                                d.description(),
                                d.specialist(),
                                d.threshold(),
                                d.examples(),
                                Policy.Residency.LOCAL_ONLY,
                                residencyThreshold,
                                false)
                        : d)
                .toList();
        return new Policy(
                policy.name(),
                policy.classifier(),
                domains,
                policy.specialists(),
                policy.escalation(),
                policy.largeModels(),
                policy.residency(),
                policy.privacy(),
                policy.capture(),
                policy.cache(),
                policy.learning());
    }

    private static List<ChatMessage> single(Row row) {
        return List.of(ChatMessage.user(row.text()));
    }

    private static String share(List<List<ChatMessage>> conversations, Predicate<List<ChatMessage>> counted) {
        long count = conversations.stream().filter(counted).count();
        return String.format(
                Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * count / conversations.size(), count, conversations.size());
    }
}
