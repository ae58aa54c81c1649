package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.CalibrationReport.CurvePoint;
import dev.hybridrouter.router.evaluation.CalibrationReport.OperatingPoint;
import dev.hybridrouter.router.evaluation.EvaluationReport.DomainMetrics;
import dev.hybridrouter.router.evaluation.LabeledDataset.MalformedLine;
import dev.hybridrouter.router.execution.AnswerScore;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Routes labelled conversations through a {@link Router} (model {@value #AUTO}) and measures the
 * result: {@link #evaluate} with the policy's thresholds, {@link #calibrate} for the thresholds
 * that give a target escalation share, {@link #calibrateCascades} for the cascade domains' answer-score
 * thresholds (which calls their specialists). Conversations are routed one at a time on the calling thread.
 */
public final class RouterEvaluator {

    /** Specialist calls in flight at once while calibrating cascades. */
    static final int CASCADE_CALLS = 4;

    /** The model name the evaluator asks the router for: let the classifier decide. */
    public static final String AUTO = "auto";

    private final Policy policy;
    private final Router router;
    private final LongSupplier nanoTime;

    /**
     * @param policy the policy to route by
     * @param classifier the classifier trained for that policy
     */
    public RouterEvaluator(Policy policy, DomainClassifier classifier) {
        this(policy, classifier, System::nanoTime);
    }

    RouterEvaluator(Policy policy, DomainClassifier classifier, LongSupplier nanoTime) {
        this.policy = policy;
        this.router = new Router(policy, classifier, Set.of(AUTO), Integer.MAX_VALUE);
        this.nanoTime = nanoTime;
    }

    /** Routes every conversation with the policy's thresholds and measures accuracy, escalation and speed. */
    public EvaluationReport evaluate(List<LabeledConversation> data) {
        Routing routing = route(data);
        List<Routed> inScope = routing.inScope();
        List<Routed> outOfScope = routing.shouldEscalate();

        Map<String, Map<String, Integer>> confusion = new LinkedHashMap<>();
        policy.domains().forEach(domain -> confusion.put(domain.name(), new LinkedHashMap<>()));
        confusion.put(LabeledConversation.ESCALATE, new LinkedHashMap<>());
        for (Routed routed : routing.routed()) {
            String outcome = routed.decision().escalate()
                    ? LabeledConversation.ESCALATE
                    : routed.decision().route();
            confusion.get(routed.item().label()).merge(outcome, 1, Integer::sum);
        }

        Map<String, DomainMetrics> domains = new LinkedHashMap<>();
        for (Policy.Domain domain : policy.domains()) {
            String name = domain.name();
            int support = (int)
                    inScope.stream().filter(r -> r.item().label().equals(name)).count();
            int routedThere = confusion.values().stream()
                    .mapToInt(row -> row.getOrDefault(name, 0))
                    .sum();
            int right = confusion.get(name).getOrDefault(name, 0);
            domains.put(
                    name, new DomainMetrics(support, routedThere, share(right, routedThere), share(right, support)));
        }

        long[] latencies =
                routing.routed().stream().mapToLong(Routed::nanos).sorted().toArray();
        return new EvaluationReport(
                routing.routed().size(),
                inScope.size(),
                outOfScope.size(),
                share(count(inScope, r -> !r.decision().escalate() && r.correct()), inScope.size()),
                share(count(inScope, r -> r.decision().escalate()), inScope.size()),
                share(count(outOfScope, r -> r.decision().escalate()), outOfScope.size()),
                domains,
                confusion,
                latencies.length == 0 ? 0 : latencies.length / (routing.busyNanos() / 1e9),
                percentile(latencies, 50) / 1e6,
                percentile(latencies, 99) / 1e6,
                routing.skipped());
    }

    /**
     * Finds the thresholds that make {@code targetEscalation} of the in-scope conversations escalate,
     * ignoring the policy's own thresholds.
     *
     * @param targetEscalation share of in-scope conversations to escalate, in [0,1]
     * @throws IllegalArgumentException if the target is outside [0,1] or no conversation is in scope
     */
    public CalibrationReport calibrate(List<LabeledConversation> data, double targetEscalation) {
        if (!(targetEscalation >= 0 && targetEscalation <= 1)) {
            throw new IllegalArgumentException("targetEscalation must be in [0,1]: " + targetEscalation);
        }
        Routing routing = route(data);
        List<Routed> inScope = routing.inScope();
        if (inScope.isEmpty()) {
            throw new IllegalArgumentException("No conversation labelled with a domain of policy " + policy.name());
        }
        double shared = highestThreshold(inScope, targetEscalation);
        Map<String, Double> perDomain = new LinkedHashMap<>();
        Map<String, List<Routed>> byRoute =
                inScope.stream().collect(Collectors.groupingBy(r -> r.decision().route()));
        for (Policy.Domain domain : policy.domains()) {
            List<Routed> routedThere = byRoute.get(domain.name());
            if (routedThere != null) {
                perDomain.put(domain.name(), highestThreshold(routedThere, targetEscalation));
            }
        }
        List<CurvePoint> curve = new ArrayList<>();
        for (int step = 0; step <= 20; step++) {
            double threshold = step / 20.0;
            OperatingPoint point = operatingPoint(routing, r -> threshold);
            curve.add(new CurvePoint(
                    threshold, point.inScopeEscalationShare(), point.accuracy(), point.escalationRecall()));
        }
        return new CalibrationReport(
                targetEscalation,
                shared,
                operatingPoint(routing, r -> shared),
                perDomain,
                operatingPoint(routing, r -> perDomain.getOrDefault(r.decision().route(), shared)),
                curve,
                Map.of());
    }

    /**
     * Learns each cascade domain's answer-score threshold: every labelled conversation the policy cascades (its
     * confidence in the domain's band, low confidence) is answered by the domain's specialist, asked for its token
     * log-probabilities, {@value #CASCADE_CALLS} calls at a time, each within the specialist's timeout; the answer
     * is scored as the service scores it ({@link AnswerScore}), and the threshold chosen that sends the most answers
     * where their labels say (keep when labelled with the domain, escalate otherwise), the higher on a tie.
     *
     * @param specialists the specialist of each name the policy gives
     * @return by cascade domain of the policy, in policy order
     */
    public Map<String, CascadeCalibration> calibrateCascades(
            List<LabeledConversation> data, Function<String, ChatClient> specialists) {
        List<Routed> cascading = route(data).routed().stream()
                .filter(routed -> routed.decision().cascades())
                .toList();
        List<Answered> answered = Flux.fromIterable(cascading)
                .flatMapSequential(routed -> answer(routed, specialists), CASCADE_CALLS)
                .collectList()
                .block();
        Map<String, CascadeCalibration> calibrations = new LinkedHashMap<>();
        for (Policy.Domain domain : policy.domains()) {
            if (domain.cascade() != null) {
                calibrations.put(
                        domain.name(),
                        calibration(
                                domain,
                                answered.stream()
                                        .filter(a -> a.route().equals(domain.name()))
                                        .toList()));
            }
        }
        return calibrations;
    }

    /** The specialist's answer to a cascading conversation, scored; a failed call has neither. */
    private Mono<Answered> answer(Routed routed, Function<String, ChatClient> specialists) {
        String route = routed.decision().route();
        boolean keep = routed.correct();
        String name = routed.decision().plan().get(0).target().name();
        ChatCompletionRequest request =
                ChatCompletionRequest.of(AUTO, routed.item().messages()).withLogprobs();
        return Mono.defer(() -> specialists.apply(name).complete(request, Map.of()))
                .timeout(policy.specialists().get(name).timeout())
                .map(answer -> new Answered(route, keep, AnswerScore.of(answer), false))
                .onErrorResume(failure -> Mono.just(new Answered(route, keep, OptionalDouble.empty(), true)));
    }

    private static CascadeCalibration calibration(Policy.Domain domain, List<Answered> answered) {
        List<Answered> ok = answered.stream().filter(a -> !a.failed()).toList();
        List<Answered> scored = ok.stream().filter(a -> a.score().isPresent()).toList();
        double[] scores = scored.stream()
                .mapToDouble(a -> a.score().getAsDouble())
                .distinct()
                .sorted()
                .toArray();
        List<Double> candidates = new ArrayList<>(List.of(0.0));
        for (int i = 0; i + 1 < scores.length; i++) {
            candidates.add(round((scores[i] + scores[i + 1]) / 2));
        }
        candidates.add(1.0);
        Double best = null;
        int bestRight = -1;
        for (double threshold : candidates) {
            int right = count(ok, a -> a.keep() == a.kept(threshold));
            if (!scored.isEmpty() && right >= bestRight) {
                best = threshold;
                bestRight = right;
            }
        }
        Double minScore = best;
        int kept = minScore == null ? 0 : count(ok, a -> a.kept(minScore));
        return new CascadeCalibration(
                domain.cascade().band(),
                answered.size(),
                count(answered, Answered::keep),
                ok.size() - scored.size(),
                answered.size() - ok.size(),
                minScore,
                domain.cascade().minScore(),
                minScore == null ? null : share(bestRight, ok.size()),
                minScore == null ? null : share(count(ok, a -> a.kept(minScore) && a.keep()), kept),
                minScore == null ? null : share(ok.size() - kept, ok.size()));
    }

    private static double round(double threshold) {
        return BigDecimal.valueOf(threshold).setScale(4, RoundingMode.HALF_UP).doubleValue();
    }

    /** A specialist's answer to a cascading conversation: where it was routed, whether to keep it, its score. */
    private record Answered(String route, boolean keep, OptionalDouble score, boolean failed) {
        boolean kept(double threshold) {
            return score.isPresent() && score.getAsDouble() >= threshold;
        }
    }

    /**
     * The highest threshold under which at most {@code target} of these conversations escalate: the
     * confidence of the first one that must stay local, in ascending order.
     */
    private static double highestThreshold(List<Routed> routed, double target) {
        int allowed = (int) Math.floor(target * routed.size() + 1e-9);
        double[] confidences = routed.stream()
                .filter(r -> r.decision().reason() != Reason.OUT_OF_SCOPE)
                .mapToDouble(r -> r.decision().confidence())
                .sorted()
                .toArray();
        int escalatedAnyway = routed.size() - confidences.length;
        int index = allowed - escalatedAnyway;
        if (index < 0) {
            return 0;
        }
        return index < confidences.length ? confidences[index] : 1;
    }

    private static OperatingPoint operatingPoint(Routing routing, ToDoubleFunction<Routed> threshold) {
        List<Routed> inScope = routing.inScope();
        List<Routed> outOfScope = routing.shouldEscalate();
        return new OperatingPoint(
                count(inScope, r -> escalates(r, threshold)) / (double) inScope.size(),
                count(inScope, r -> r.correct() && !escalates(r, threshold)) / (double) inScope.size(),
                share(count(outOfScope, r -> escalates(r, threshold)), outOfScope.size()));
    }

    private static boolean escalates(Routed routed, ToDoubleFunction<Routed> threshold) {
        RoutingDecision decision = routed.decision();
        return decision.reason() == Reason.OUT_OF_SCOPE || decision.confidence() < threshold.applyAsDouble(routed);
    }

    private Routing route(List<LabeledConversation> data) {
        List<Routed> routed = new ArrayList<>();
        List<MalformedLine> skipped = new ArrayList<>();
        long busy = 0;
        for (LabeledConversation item : data) {
            if (item.inScope() && policy.domain(item.label()).isEmpty()) {
                skipped.add(new MalformedLine(
                        item.line(), "label '" + item.label() + "' is no domain of policy " + policy.name()));
                continue;
            }
            long start = nanoTime.getAsLong();
            RoutingDecision decision = router.route(ChatCompletionRequest.of(AUTO, item.messages()));
            long nanos = nanoTime.getAsLong() - start;
            busy += nanos;
            routed.add(new Routed(item, decision, nanos));
        }
        return new Routing(routed, skipped, busy);
    }

    private static long percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    private static <T> int count(List<T> items, Predicate<T> condition) {
        return (int) items.stream().filter(condition).count();
    }

    private static Double share(int part, int whole) {
        return whole == 0 ? null : part / (double) whole;
    }

    private record Routed(LabeledConversation item, RoutingDecision decision, long nanos) {
        boolean correct() {
            return decision.route().equals(item.label());
        }
    }

    private record Routing(List<Routed> routed, List<MalformedLine> skipped, long busyNanos) {
        List<Routed> inScope() {
            return routed.stream().filter(r -> r.item().inScope()).toList();
        }

        List<Routed> shouldEscalate() {
            return routed.stream().filter(r -> !r.item().inScope()).toList();
        }
    }
}
