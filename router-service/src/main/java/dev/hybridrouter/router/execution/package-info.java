/**
 * Running a routing decision's plan: each attempt through its upstream's guard (bulkhead, circuit
 * breaker, retries, one deadline), large-model attempts through the request's egress (residency, masking,
 * capture), failover to the next attempt while the model is unavailable, for whole and streamed answers.
 * {@link dev.hybridrouter.router.execution.Execution} is the one place that does it.
 */
package dev.hybridrouter.router.execution;
