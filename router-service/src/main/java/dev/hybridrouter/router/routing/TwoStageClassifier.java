package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A policy's classifier in two stages (see {@code docs/classifier.md}): a fast one, trained like the full one but on
 * {@link StaticEmbeddings} (microseconds a message), decides every conversation it puts in a domain with at least
 * {@code classifier.fast-stage.min-confidence} (and that domain's routing threshold) and does not find out of scope;
 * the full classifier (the policy's embedding model) decides all the others. So the fast stage only ever keeps
 * local what it is sure of: whatever might escalate, by low confidence or as out of scope, is the full model's call.
 * Privacy judgements (a text that looks like a local-only domain) never take the shortcut: they use {@link #full()}.
 *
 * <p>Counts which stage decided in {@value #DECISIONS} (by policy and stage). Immutable and thread-safe.
 */
public final class TwoStageClassifier implements DomainClassifier {

    static final String DECISIONS = "router.classifier.decisions";

    private final EmbeddingDomainClassifier fast;
    private final EmbeddingDomainClassifier full;
    private final Map<String, Double> minConfidence;
    private final Counter decidedFast;
    private final Counter decidedFull;

    TwoStageClassifier(
            EmbeddingDomainClassifier fast,
            EmbeddingDomainClassifier full,
            Map<String, Double> minConfidence,
            Counter decidedFast,
            Counter decidedFull) {
        if (!fast.domains().equals(full.domains()) || !minConfidence.keySet().containsAll(full.domains())) {
            throw new IllegalArgumentException("the stages and their confidences are not of the same domains");
        }
        this.fast = fast;
        this.full = full;
        this.minConfidence = Map.copyOf(minConfidence);
        this.decidedFast = decidedFast;
        this.decidedFull = decidedFull;
    }

    /**
     * The policy's classifier: both stages, or the full one alone where {@code classifier.fast-stage.enabled} is
     * false.
     *
     * @param train each stage's classifier for its inputs (trained, or read from where it was kept)
     * @param meters where the stages' decisions are counted
     */
    public static DomainClassifier of(
            Policy policy, Function<Inputs, EmbeddingDomainClassifier> train, MeterRegistry meters) {
        Inputs inputs = Inputs.of(policy);
        EmbeddingDomainClassifier full = train.apply(inputs);
        Policy.FastStage settings = policy.classifier().fastStage();
        if (!settings.enabled()) {
            return full;
        }
        EmbeddingDomainClassifier fast =
                train.apply(inputs.withEmbeddingModel(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q));
        Map<String, Double> minConfidence = policy.domains().stream()
                .collect(Collectors.toMap(
                        Policy.Domain::name, domain -> Math.max(settings.minConfidence(), policy.threshold(domain))));
        return new TwoStageClassifier(
                fast,
                full,
                minConfidence,
                counter(meters, policy.name(), "fast"),
                counter(meters, policy.name(), "full"));
    }

    private static Counter counter(MeterRegistry meters, String policy, String stage) {
        return Counter.builder(DECISIONS)
                .description("Classified conversations, by the stage of the classifier that decided them")
                .tags("policy", policy, "stage", stage)
                .register(meters);
    }

    @Override
    public Classification classify(List<ChatMessage> conversation) {
        Classification quick = fast.classify(conversation);
        if (!quick.outOfScope()) {
            for (Map.Entry<String, Double> score : quick.scores().entrySet()) {
                if (score.getValue() >= minConfidence.get(score.getKey())) {
                    decidedFast.increment();
                    return quick;
                }
            }
        }
        decidedFull.increment();
        return full.classify(conversation);
    }

    /** The full stage, for judgements that must not take the fast stage's shortcut. */
    @Override
    public DomainClassifier full() {
        return full;
    }
}
