package dev.hybridrouter.router.routing;

import java.util.Map;

/**
 * Where one request goes and why.
 *
 * @param route the domain chosen (for a forced large model, the model's name)
 * @param target the model that answers
 * @param confidence the classifier's confidence in {@code route}, in [0,1]; 1 when forced
 * @param escalate whether the request goes to a large remote model
 * @param reason why: one of the {@link Reason} values
 * @param scores the classifier's confidence per domain; empty when forced
 * @param localOnlyReason why this request must never reach a large model, or {@code null} when it may
 */
public record RoutingDecision(
        String route,
        Target target,
        double confidence,
        boolean escalate,
        Reason reason,
        Map<String, Double> scores,
        String localOnlyReason) {

    public RoutingDecision {
        scores = Map.copyOf(scores);
    }

    /** Whether the request must never reach a large model. */
    public boolean localOnly() {
        return localOnlyReason != null;
    }

    /** This decision, kept local: answered by {@code specialist} of {@code domain}, for {@code why}. */
    RoutingDecision keptLocal(String domain, String specialist, String why) {
        return new RoutingDecision(domain, Target.specialist(specialist), confidence, false, reason, scores, why);
    }

    /** This decision, marked local-only without changing where it goes. */
    RoutingDecision markedLocalOnly(String why) {
        return new RoutingDecision(route, target, confidence, escalate, reason, scores, why);
    }

    /** Why a request went where it went. Serialised in kebab case, e.g. {@code low-confidence}. */
    public enum Reason {
        /** The classifier was confident enough in one domain. */
        CONFIDENT,
        /** The best domain's confidence was under its threshold. */
        LOW_CONFIDENCE,
        /** The request looks unlike every domain. */
        OUT_OF_SCOPE,
        /** The caller named a domain, specialist or large model. */
        FORCED;

        /** The reason as it appears in headers and JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** The model that answers: a local specialist or a large remote model. */
    public record Target(Kind kind, String name) {

        public enum Kind {
            SPECIALIST,
            LARGE
        }

        public static Target specialist(String name) {
            return new Target(Kind.SPECIALIST, name);
        }

        public static Target large(String name) {
            return new Target(Kind.LARGE, name);
        }

        /** {@code specialist:<name>} or {@code large:<name>}, as in the {@code x-router-target} header. */
        @Override
        public String toString() {
            return (kind == Kind.SPECIALIST ? "specialist:" : "large:") + name;
        }
    }
}
