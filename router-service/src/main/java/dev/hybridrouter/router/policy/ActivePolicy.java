package dev.hybridrouter.router.policy;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.capture.CapturedExchange;
import dev.hybridrouter.router.capture.JsonLinesWriter;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.execution.Upstream;
import dev.hybridrouter.router.learning.Labeller;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.util.Map;
import java.util.Optional;

/**
 * One policy made ready to serve: its router and the models it names. Immutable; a request takes one
 * snapshot and uses it throughout.
 *
 * @param router decides where each request goes, and its plan
 * @param upstreams the models that can be called, by {@link Target#toString()}
 * @param unavailable why a model the policy names cannot be called (e.g. its API key is not set), by target
 * @param capture where escalated exchanges of opted-in domains are recorded, or {@code null}
 * @param cache the policy's exact response cache
 * @param labeller asks the policy's teacher to label its escalated requests, or {@code null} without {@code learning}
 */
public record ActivePolicy(
        Router router,
        Map<String, Upstream> upstreams,
        Map<String, String> unavailable,
        JsonLinesWriter<CapturedExchange> capture,
        ResponseCache cache,
        Labeller labeller) {

    public ActivePolicy {
        upstreams = Map.copyOf(upstreams);
        unavailable = Map.copyOf(unavailable);
    }

    public Policy policy() {
        return router.policy();
    }

    /** The model to call for a target, if it can be called. */
    public Optional<Upstream> upstream(Target target) {
        return Optional.ofNullable(upstreams.get(target.toString()));
    }

    /** Why a target cannot be called. */
    public String unavailableReason(Target target) {
        return unavailable.getOrDefault(target.toString(), target.describe() + " is not configured");
    }
}
