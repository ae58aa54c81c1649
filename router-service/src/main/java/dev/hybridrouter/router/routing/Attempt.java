package dev.hybridrouter.router.routing;

import dev.hybridrouter.router.routing.RoutingDecision.Target;

/**
 * One step of a decision's plan: a model to try, and whether answering from it is a degraded service.
 *
 * @param target the model to call
 * @param degradedReason why this model answers instead of the one the decision wanted (e.g.
 *     {@code large-models-unavailable}), or {@code null} when it is the intended kind of model
 * @param cascade whether this is the cascade's try of the domain's specialist before the large models: its answer
 *     is kept only when its score reaches the domain's {@code cascade.min-score}, else the plan goes on
 */
public record Attempt(Target target, String degradedReason, boolean cascade) {

    public Attempt(Target target, String degradedReason) {
        this(target, degradedReason, false);
    }

    public static Attempt of(Target target) {
        return new Attempt(target, null);
    }

    /** The cascade's try of a specialist, whose answer is scored before it is kept. */
    public static Attempt cascade(Target specialist) {
        return new Attempt(specialist, null, true);
    }

    public boolean degraded() {
        return degradedReason != null;
    }
}
