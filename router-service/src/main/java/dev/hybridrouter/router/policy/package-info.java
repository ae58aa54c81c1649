/**
 * The policy in force: loaded, compiled into a router and upstream clients, and swapped atomically when
 * its files change, so no request ever sees a half-loaded policy.
 */
package dev.hybridrouter.router.policy;
