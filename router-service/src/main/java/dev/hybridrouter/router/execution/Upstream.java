package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.router.routing.RoutingDecision.Target;

/**
 * One model the router can call, with the protection around every call to it.
 *
 * @param target the model, as decisions name it
 * @param client calls it; reached through {@link Execution}, which applies the request's egress first, and by
 *     the policy's labeller, which sends the teacher only what {@code Execution} already masked
 * @param guard breaker, bulkheads, retry and deadline around every call
 */
public record Upstream(Target target, ChatClient client, Guard guard) {}
