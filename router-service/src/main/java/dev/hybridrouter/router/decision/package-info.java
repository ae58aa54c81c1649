/**
 * What became of each routed request, for operators: Micrometer metrics by tenant, policy, route and target, and
 * one decision log line ({@link dev.hybridrouter.router.decision.Decisions}).
 */
package dev.hybridrouter.router.decision;
