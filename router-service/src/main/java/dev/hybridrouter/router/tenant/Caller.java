package dev.hybridrouter.router.tenant;

import dev.hybridrouter.router.policy.ActivePolicy;
import java.util.Objects;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who a request comes from and the policy that serves it, decided once by {@link TenantFilter} before the request
 * is read.
 *
 * @param tenant the tenant's name, or {@code null} in single-user mode
 * @param policy the policy that serves the request
 */
public record Caller(String tenant, ActivePolicy policy) {

    private static final String ATTRIBUTE = Caller.class.getName();

    /** The caller of a request that passed {@link TenantFilter}. */
    public static Caller of(ServerWebExchange exchange) {
        return Objects.requireNonNull(exchange.getAttribute(ATTRIBUTE), "the request did not pass TenantFilter");
    }

    void attachTo(ServerWebExchange exchange) {
        exchange.getAttributes().put(ATTRIBUTE, this);
    }
}
