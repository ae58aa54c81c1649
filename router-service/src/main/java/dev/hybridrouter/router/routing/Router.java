package dev.hybridrouter.router.routing;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.langchain4j.data.message.ChatMessage;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides where one request goes under one policy. Immutable and thread-safe: a policy reload builds
 * a new router. Pure CPU work, no I/O; the classifier runs in process.
 */
public final class Router {

    private final Policy policy;
    private final DomainClassifier classifier;
    private final Set<String> autoModels;

    /**
     * @param policy the policy to route by
     * @param classifier scores conversations against the policy's domains
     * @param autoModels model names that mean "let the router decide" (e.g. {@code auto})
     */
    public Router(Policy policy, DomainClassifier classifier, Set<String> autoModels) {
        this.policy = policy;
        this.classifier = classifier;
        this.autoModels = Set.copyOf(autoModels);
    }

    public Policy policy() {
        return policy;
    }

    /**
     * Routes a conversation.
     *
     * @param model the request's {@code model}: an auto name (or {@code null}) to classify, a domain or
     *     specialist name to force that specialist, or a large model's name to force escalation
     * @throws UnknownModelException if {@code model} names nothing in the policy
     */
    public RoutingDecision route(String model, List<ChatMessage> conversation) {
        if (model == null || model.isBlank() || autoModels.contains(model)) {
            return classify(conversation);
        }
        return forced(model);
    }

    private RoutingDecision classify(List<ChatMessage> conversation) {
        DomainClassifier.Classification classification = classifier.classify(conversation);
        Map<String, Double> scores = classification.scores();
        Policy.Domain best = policy.domains().stream()
                .max(Comparator.comparingDouble(d -> scores.getOrDefault(d.name(), 0.0)))
                .orElseThrow(() -> new IllegalStateException("policy " + policy.name() + " has no domains"));
        double confidence = scores.getOrDefault(best.name(), 0.0);
        Reason reason = classification.outOfScope()
                ? Reason.OUT_OF_SCOPE
                : confidence < policy.threshold(best) ? Reason.LOW_CONFIDENCE : Reason.CONFIDENT;
        String largeModel = policy.escalation().largeModel();
        if (reason == Reason.CONFIDENT || largeModel == null) {
            return new RoutingDecision(
                    best.name(), Target.specialist(best.specialist()), confidence, false, reason, scores);
        }
        return new RoutingDecision(best.name(), Target.large(largeModel), confidence, true, reason, scores);
    }

    private RoutingDecision forced(String model) {
        var domain = policy.domain(model);
        if (domain.isPresent()) {
            return forcedDecision(model, Target.specialist(domain.get().specialist()));
        }
        if (policy.specialists().containsKey(model)) {
            String route = policy.domains().stream()
                    .filter(d -> d.specialist().equals(model))
                    .map(Policy.Domain::name)
                    .findFirst()
                    .orElse(model);
            return forcedDecision(route, Target.specialist(model));
        }
        if (policy.largeModels().containsKey(model)) {
            return forcedDecision(model, Target.large(model));
        }
        throw new UnknownModelException(model);
    }

    private static RoutingDecision forcedDecision(String route, Target target) {
        boolean escalate = target.kind() == Target.Kind.LARGE;
        return new RoutingDecision(route, target, 1.0, escalate, Reason.FORCED, Map.of());
    }
}
