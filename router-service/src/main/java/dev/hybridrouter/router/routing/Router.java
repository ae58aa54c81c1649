package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides where one request goes under one policy, and the ordered plan of models to try. Immutable and
 * thread-safe: a policy reload builds a new router. Pure CPU work, no I/O; the classifier runs in
 * process.
 */
public final class Router {

    /** Why a large model answers a request meant for a specialist. */
    public static final String SPECIALIST_UNAVAILABLE = "specialist-unavailable";

    /** Why a specialist answers a request meant for a large model. */
    public static final String LARGE_MODELS_UNAVAILABLE = "large-models-unavailable";

    private final Policy policy;
    private final DomainClassifier classifier;
    private final Set<String> autoModels;
    private final PiiDetector pii;
    private final Residency residency;

    /**
     * @param policy the policy to route by
     * @param classifier scores conversations against the policy's domains
     * @param autoModels model names that mean "let the router decide" (e.g. {@code auto})
     * @param maxJudgedTexts the most distinct texts the residency check judges in one request
     */
    public Router(Policy policy, DomainClassifier classifier, Set<String> autoModels, int maxJudgedTexts) {
        this.policy = policy;
        this.classifier = classifier;
        this.autoModels = Set.copyOf(autoModels);
        this.pii = PiiDetector.of(policy.privacy());
        this.residency = new Residency(policy, classifier.full(), pii, maxJudgedTexts);
    }

    public Policy policy() {
        return policy;
    }

    /** The classifier trained for the policy. */
    public DomainClassifier classifier() {
        return classifier;
    }

    /** Finds and masks the personal data the policy names. */
    public PiiDetector pii() {
        return pii;
    }

    /**
     * Routes a request.
     *
     * @throws UnknownModelException if its {@code model} names nothing in the policy
     * @throws dev.hybridrouter.router.error.ApiException 400 if it is too large to judge for residency
     */
    public RoutingDecision route(ChatCompletionRequest request) {
        String model = request.model();
        Choice choice =
                model == null || model.isBlank() || autoModels.contains(model) ? classify(request) : forced(model);
        Optional<Residency.LocalOnly> localOnly = residency.check(choice.target(), choice.route(), request);
        if (localOnly.isEmpty()) {
            return choice.decided(null, plan(choice));
        }
        Choice kept = keepLocal(choice, localOnly.get());
        List<Attempt> plan = plan(kept);
        plan.removeIf(attempt -> attempt.target().kind() == Target.Kind.LARGE);
        if (plan.isEmpty()) {
            plan = List.of(Attempt.of(kept.target()));
        }
        return kept.decided(localOnly.get().reason(), plan);
    }

    /**
     * Where a request goes before residency is applied.
     *
     * @param cascade whether the domain's specialist answers first, its answer scored before it is kept
     */
    private record Choice(
            String route,
            Target target,
            double confidence,
            Reason reason,
            Map<String, Double> scores,
            boolean cascade) {

        RoutingDecision decided(String localOnlyReason, List<Attempt> plan) {
            return new RoutingDecision(route, target, confidence, reason, scores, localOnlyReason, plan);
        }
    }

    /**
     * A local-only request that would escalate goes to a specialist instead: that of the local-only domain a
     * text looks like, else that of the best domain. A forced large model stays as it is: its call is refused
     * with a clear error.
     */
    private Choice keepLocal(Choice choice, Residency.LocalOnly localOnly) {
        if (choice.target().kind() != Target.Kind.LARGE || choice.reason() == Reason.FORCED) {
            return choice;
        }
        Policy.Domain domain = localOnly.domain() != null
                ? localOnly.domain()
                : policy.domain(choice.route()).orElseThrow();
        return new Choice(
                domain.name(),
                Target.specialist(domain.specialist()),
                choice.confidence(),
                choice.reason(),
                choice.scores(),
                false);
    }

    private Choice classify(ChatCompletionRequest request) {
        DomainClassifier.Classification classification = classifier.classify(request.messages());
        Map<String, Double> scores = classification.scores();
        Policy.Domain best = policy.domains().stream()
                .max(Comparator.comparingDouble(d -> scores.getOrDefault(d.name(), 0.0)))
                .orElseThrow(() -> new IllegalStateException("policy " + policy.name() + " has no domains"));
        double confidence = scores.getOrDefault(best.name(), 0.0);
        Reason reason = classification.outOfScope()
                ? Reason.OUT_OF_SCOPE
                : confidence < policy.threshold(best) ? Reason.LOW_CONFIDENCE : Reason.CONFIDENT;
        String largeModel = policy.escalation().largeModel();
        Target target = reason == Reason.CONFIDENT || largeModel == null
                ? Target.specialist(best.specialist())
                : Target.large(largeModel);
        return new Choice(
                best.name(), target, confidence, reason, scores, cascades(best, reason, target, confidence, request));
    }

    /**
     * Whether a request that would escalate for low confidence tries the domain's specialist first: its
     * confidence is in the domain's cascade band, and it is not a stream the cascade skips. Out-of-scope
     * requests escalate as they would.
     */
    private static boolean cascades(
            Policy.Domain domain, Reason reason, Target target, double confidence, ChatCompletionRequest request) {
        Policy.Cascade cascade = domain.cascade();
        return cascade != null
                && reason == Reason.LOW_CONFIDENCE
                && target.kind() == Target.Kind.LARGE
                && cascade.covers(confidence)
                && !(request.streaming() && cascade.stream() == Policy.CascadeStream.SKIP);
    }

    private Choice forced(String model) {
        var domain = policy.domain(model);
        if (domain.isPresent()) {
            return forcedChoice(model, Target.specialist(domain.get().specialist()));
        }
        if (policy.specialists().containsKey(model)) {
            String route = policy.domains().stream()
                    .filter(d -> d.specialist().equals(model))
                    .map(Policy.Domain::name)
                    .findFirst()
                    .orElse(model);
            return forcedChoice(route, Target.specialist(model));
        }
        if (policy.largeModels().containsKey(model)) {
            return forcedChoice(model, Target.large(model));
        }
        throw new UnknownModelException(model);
    }

    private static Choice forcedChoice(String route, Target target) {
        return new Choice(route, target, 1.0, Reason.FORCED, Map.of(), false);
    }

    /**
     * The models to try, in order. A forced target is tried alone. A cascade tries the domain's specialist first,
     * then goes on as the plan of its escalation. A specialist is followed by its fallback
     * specialists and then, if the policy escalates when specialists are unavailable, by the large models.
     * The large models are followed, if the policy allows, by the domain's specialists, marked degraded.
     */
    private List<Attempt> plan(Choice choice) {
        List<Attempt> plan = new ArrayList<>();
        if (choice.reason() == Reason.FORCED) {
            plan.add(Attempt.of(choice.target()));
            return plan;
        }
        Policy.Escalation escalation = policy.escalation();
        if (choice.target().kind() == Target.Kind.SPECIALIST) {
            specialistChain(choice.target().name()).forEach(name -> plan.add(Attempt.of(Target.specialist(name))));
            if (escalation.onSpecialistUnavailable() == Policy.OnSpecialistUnavailable.ESCALATE) {
                escalation.chain().forEach(name -> plan.add(new Attempt(Target.large(name), SPECIALIST_UNAVAILABLE)));
            }
        } else {
            if (choice.cascade()) {
                plan.add(Attempt.cascade(Target.specialist(
                        policy.domain(choice.route()).orElseThrow().specialist())));
            }
            escalation.chain().forEach(name -> plan.add(Attempt.of(Target.large(name))));
            if (escalation.onUnavailable() == Policy.OnUnavailable.LOCAL) {
                policy.domain(choice.route()).ifPresent(domain -> specialistChain(domain.specialist())
                        .forEach(name -> plan.add(new Attempt(Target.specialist(name), LARGE_MODELS_UNAVAILABLE))));
            }
        }
        return plan;
    }

    /** A specialist and the fallbacks after it; the loader rejects cycles. */
    private List<String> specialistChain(String first) {
        List<String> chain = new ArrayList<>();
        for (String name = first;
                name != null;
                name = policy.specialists().get(name).fallback()) {
            chain.add(name);
        }
        return chain;
    }
}
