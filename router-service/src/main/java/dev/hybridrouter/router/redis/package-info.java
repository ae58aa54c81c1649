/**
 * The router's connection to Redis ({@code router.redis.url}), shared by what the replicas keep there
 * together: tenants' limits and budgets, and the response cache.
 */
package dev.hybridrouter.router.redis;
