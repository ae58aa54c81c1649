package dev.hybridrouter.router.routing;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides where one request goes under one policy. Immutable and thread-safe: a policy reload builds
 * a new router. Pure CPU work, no I/O; the classifier runs in process.
 */
public final class Router {

    private final Policy policy;
    private final DomainClassifier classifier;
    private final Set<String> autoModels;
    private final PiiDetector pii;

    /**
     * @param policy the policy to route by
     * @param classifier scores conversations against the policy's domains
     * @param autoModels model names that mean "let the router decide" (e.g. {@code auto})
     */
    public Router(Policy policy, DomainClassifier classifier, Set<String> autoModels) {
        this.policy = policy;
        this.classifier = classifier;
        this.autoModels = Set.copyOf(autoModels);
        this.pii = PiiDetector.of(policy.privacy());
    }

    public Policy policy() {
        return policy;
    }

    /** Finds and masks the personal data the policy names. */
    public PiiDetector pii() {
        return pii;
    }

    /**
     * Routes a conversation.
     *
     * @param model the request's {@code model}: an auto name (or {@code null}) to classify, a domain or
     *     specialist name to force that specialist, or a large model's name to force escalation
     * @throws UnknownModelException if {@code model} names nothing in the policy
     */
    public RoutingDecision route(String model, List<ChatMessage> conversation) {
        RoutingDecision decision =
                model == null || model.isBlank() || autoModels.contains(model) ? classify(conversation) : forced(model);
        return localOnly(decision, conversation)
                .map(localOnly -> keepLocal(decision, localOnly))
                .orElse(decision);
    }

    /**
     * Why a request must stay local, and which local-only domain it looks like if that is why.
     *
     * @param domain the local-only domain a user turn looks like, or {@code null} when another rule applies
     */
    private record LocalOnly(String reason, Policy.Domain domain) {}

    /**
     * Whether a request must stay local: the policy (tenant) is local-only; a specialist answers it that is
     * local-only or serves a local-only domain; it holds personal data whose action is {@code keep-local};
     * or any user turn of the conversation, on its own, scores at or above a local-only domain's residency
     * threshold — even when the whole conversation would escalate for low confidence. Privacy errs on the
     * side of keeping data local.
     */
    private Optional<LocalOnly> localOnly(RoutingDecision decision, List<ChatMessage> conversation) {
        if (policy.residency() == Policy.Residency.LOCAL_ONLY) {
            return Optional.of(new LocalOnly("policy '" + policy.name() + "' is local-only", null));
        }
        if (decision.target().kind() == Target.Kind.SPECIALIST) {
            Optional<Policy.Domain> routed = policy.domain(decision.route());
            if (routed.isPresent() && routed.get().localOnly()) {
                return Optional.of(new LocalOnly("domain '" + routed.get().name() + "' is local-only", null));
            }
            if (policy.specialists().get(decision.target().name()).residency() == Policy.Residency.LOCAL_ONLY) {
                return Optional.of(
                        new LocalOnly("specialist '" + decision.target().name() + "' is local-only", null));
            }
        }
        if (policy.privacy().keepsAnythingLocal()) {
            var keepLocal = pii.mask(conversation).keepLocalDetectors();
            if (!keepLocal.isEmpty()) {
                return Optional.of(new LocalOnly(
                        "it contains personal data the policy keeps local: " + String.join(", ", keepLocal), null));
            }
        }
        List<Policy.Domain> localOnlyDomains =
                policy.domains().stream().filter(Policy.Domain::localOnly).toList();
        if (localOnlyDomains.isEmpty()) {
            return Optional.empty();
        }
        int turn = 0;
        for (ChatMessage message : conversation) {
            turn++;
            if (!(message instanceof UserMessage)) {
                continue;
            }
            Map<String, Double> scores = classifier.classify(List.of(message)).scores();
            for (Policy.Domain domain : localOnlyDomains) {
                double score = scores.getOrDefault(domain.name(), 0.0);
                double threshold = residencyThreshold(domain);
                if (score >= threshold) {
                    return Optional.of(new LocalOnly(
                            String.format(
                                    Locale.ROOT,
                                    "message %d looks like local-only domain '%s' (%.2f >= %.2f)",
                                    turn,
                                    domain.name(),
                                    score,
                                    threshold),
                            domain));
                }
            }
        }
        return Optional.empty();
    }

    private double residencyThreshold(Policy.Domain domain) {
        return domain.residencyThreshold() != null ? domain.residencyThreshold() : policy.threshold(domain);
    }

    /**
     * A local-only request that would escalate goes to a specialist instead: that of the local-only domain
     * a turn looks like, else that of the best domain. A forced large model stays as it is, marked
     * local-only, so the call is refused with a clear error.
     */
    private RoutingDecision keepLocal(RoutingDecision decision, LocalOnly localOnly) {
        if (!decision.escalate() || decision.reason() == Reason.FORCED) {
            return decision.markedLocalOnly(localOnly.reason());
        }
        Policy.Domain domain = localOnly.domain() != null
                ? localOnly.domain()
                : policy.domain(decision.route()).orElseThrow();
        return decision.keptLocal(domain.name(), domain.specialist(), localOnly.reason());
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
                    best.name(), Target.specialist(best.specialist()), confidence, false, reason, scores, null);
        }
        return new RoutingDecision(best.name(), Target.large(largeModel), confidence, true, reason, scores, null);
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
        return new RoutingDecision(route, target, 1.0, escalate, Reason.FORCED, Map.of(), null);
    }
}
