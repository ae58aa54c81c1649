package dev.hybridrouter.router.tenant;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.policy.PolicyRegistry;
import java.time.Clock;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Decides who calls, before a request body is read. With a tenants file, every {@code /v1/} request needs the key
 * of a tenant ({@code Authorization: Bearer KEY} or {@code api-key: KEY}) and is served by that tenant's policy,
 * within its rate limits; every {@code /admin/} request needs the admin key. No key is 401 {@code missing_api_key},
 * a key of nobody 401 {@code invalid_api_key}, a request over a limit or a spent token budget 429 with {@code
 * Retry-After}. In single-user
 * mode (no tenants file) nothing is asked and the default policy serves everyone.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TenantFilter implements WebFilter {

    private final PolicyRegistry registry;
    private final TenantCounters counters;
    private final TenantLimits limits;
    private final TenantBudgets budgets;
    private volatile ApiKeys keys;

    TenantFilter(PolicyRegistry registry, Clock clock, TenantCounters counters) {
        this.registry = registry;
        this.counters = counters;
        this.limits = new TenantLimits(counters);
        this.budgets = new TenantBudgets(clock, counters);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean api = path.startsWith("/v1/");
        boolean admin = path.equals("/admin") || path.startsWith("/admin/");
        if (!api && !admin) {
            return chain.filter(exchange);
        }
        PolicyRegistry.Served served = registry.served();
        if (served.tenants() == null) {
            Caller.anyone(served.defaultPolicy()).attachTo(exchange);
            return chain.filter(exchange);
        }
        ApiKeys current = keys(served.tenants());
        Optional<String> key = ApiKeys.of(exchange.getRequest().getHeaders());
        if (key.isEmpty()) {
            return Mono.error(ApiException.of(
                    ErrorCode.MISSING_API_KEY,
                    "No API key: send your tenant's key as 'Authorization: Bearer KEY' (or 'api-key: KEY')"));
        }
        if (admin) {
            if (!current.isAdmin(key.get())) {
                return Mono.error(ApiException.of(ErrorCode.INVALID_API_KEY, "The admin endpoints need the admin key"));
            }
            return chain.filter(exchange);
        }
        Optional<Tenants.Tenant> tenant = current.tenant(key.get());
        if (tenant.isEmpty()) {
            return Mono.error(ApiException.of(
                    ErrorCode.INVALID_API_KEY, "The API key is not the key of any tenant of this router"));
        }
        Tenants.Tenant caller = tenant.get();
        ActivePolicy policy = served.policyOf(caller);
        return budgets.check(caller)
                .flatMap(largeModelsSpent -> Mono.usingWhen(
                        limits.admit(caller).map(permit -> new ReleasingResponse(exchange.getResponse(), permit)),
                        response -> {
                            Caller.of(caller, policy, budgets, largeModelsSpent, response::release)
                                    .attachTo(exchange);
                            return chain.filter(
                                    exchange.mutate().response(response).build());
                        },
                        response -> Mono.fromRunnable(response::release)));
    }

    /** The key index of the tenants in force, built again when the file changed. */
    private ApiKeys keys(Tenants tenants) {
        ApiKeys current = keys;
        if (current == null || current.tenants() != tenants) {
            current = new ApiKeys(tenants);
            counters.retain(tenants.tenants().keySet());
            keys = current;
        }
        return current;
    }
}
