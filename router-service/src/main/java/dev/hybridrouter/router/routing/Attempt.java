package dev.hybridrouter.router.routing;

import dev.hybridrouter.router.routing.RoutingDecision.Target;

/**
 * One step of a decision's plan: a model to try, and whether answering from it is a degraded service.
 *
 * @param target the model to call
 * @param degradedReason why this model answers instead of the one the decision wanted (e.g.
 *     {@code large-models-unavailable}), or {@code null} when it is the intended kind of model
 */
public record Attempt(Target target, String degradedReason) {

    public static Attempt of(Target target) {
        return new Attempt(target, null);
    }

    public boolean degraded() {
        return degradedReason != null;
    }
}
