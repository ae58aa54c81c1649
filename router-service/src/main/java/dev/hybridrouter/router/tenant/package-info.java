/**
 * Who calls: the API key of each request checked against the tenants file, the policy that serves the caller,
 * and the caller's rate limits ({@link dev.hybridrouter.router.tenant.TenantFilter}); the admin endpoints.
 */
package dev.hybridrouter.router.tenant;
