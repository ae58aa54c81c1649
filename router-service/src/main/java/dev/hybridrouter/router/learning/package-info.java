/**
 * The large model as teacher: escalated requests are labelled by a large model, off the request path, with one of
 * the policy's domains or {@code none}; labels are kept as JSON lines and become the policy's learned examples,
 * through review and promote or by the automatic rules, each new classifier judged on held-back labels first.
 */
package dev.hybridrouter.router.learning;
