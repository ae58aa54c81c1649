package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import org.springframework.http.HttpStatus;

/**
 * Where one request's data may go. {@link UpstreamCalls} checks it before every call — the one choke
 * point every model call passes — so no code path can send a local-only request to a large model.
 *
 * @param localOnlyReason why the request must never reach a large model, or {@code null} when it may
 */
public record Egress(String localOnlyReason) {

    /** Data that may go to any model. */
    public static final Egress ANYWHERE = new Egress(null);

    public static Egress localOnly(String reason) {
        return new Egress(reason);
    }

    public boolean localOnly() {
        return localOnlyReason != null;
    }

    /** @throws ApiException 503 {@code local_only} if this request may not go to that model */
    void check(Upstream upstream) {
        if (localOnly() && upstream.target().kind() == Target.Kind.LARGE) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "server_error",
                    "local_only",
                    null,
                    "This request must stay on local models (" + localOnlyReason + "); it was not sent to "
                            + upstream.description());
        }
    }
}
