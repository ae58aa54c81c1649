package dev.hybridrouter.router.routing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where one request goes and why, and the ordered plan of models to try: the first is the decision's
 * target (or, for a cascade, the domain's specialist tried before it), the rest its failover. A local-only
 * request's plan holds no large model, and never a cascade.
 *
 * @param route the domain chosen (for a forced large model, the model's name)
 * @param target the model that should answer
 * @param confidence the classifier's confidence in {@code route}, in [0,1]; 1 when forced
 * @param reason why: one of the {@link Reason} values
 * @param scores the classifier's confidence per domain; empty when forced
 * @param localOnlyReason why this request must never reach a large model, or {@code null} when it may
 * @param plan the models to try, in order; never empty
 */
public record RoutingDecision(
        String route,
        Target target,
        double confidence,
        Reason reason,
        Map<String, Double> scores,
        String localOnlyReason,
        List<Attempt> plan) {

    public RoutingDecision {
        scores = Map.copyOf(scores);
        plan = List.copyOf(plan);
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("a decision's plan needs at least one attempt");
        }
    }

    /** The confidence with four decimals, as headers and logs show it, e.g. {@code 0.8731}. */
    public String confidenceText() {
        return BigDecimal.valueOf(confidence).setScale(4, RoundingMode.HALF_UP).toPlainString();
    }

    /** Whether a large remote model should answer. */
    public boolean escalate() {
        return target.kind() == Target.Kind.LARGE;
    }

    /** Whether the plan begins with the cascade's try of the domain's specialist (see {@link Attempt#cascade()}). */
    public boolean cascades() {
        return plan.get(0).cascade();
    }

    /** Whether the request must never reach a large model. */
    public boolean localOnly() {
        return localOnlyReason != null;
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
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
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

        /** How messages name it: {@code specialist 'hr-slm'} or {@code large model 'cloud'}. */
        public String describe() {
            return (kind == Kind.SPECIALIST ? "specialist '" : "large model '") + name + "'";
        }

        /** {@code specialist:<name>} or {@code large:<name>}, as in the {@code x-router-target} header. */
        @Override
        public String toString() {
            return (kind == Kind.SPECIALIST ? "specialist:" : "large:") + name;
        }
    }
}
