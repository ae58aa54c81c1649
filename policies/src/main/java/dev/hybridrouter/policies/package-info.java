/**
 * Routing policies: the model ({@link dev.hybridrouter.policies.Policy}), loading and validating
 * policy files ({@link dev.hybridrouter.policies.PolicyLoader}), and reading a file or directory of
 * them for hot reload ({@link dev.hybridrouter.policies.PolicySource}). Plain Java: no Spring, no
 * Reactor.
 */
package dev.hybridrouter.policies;
