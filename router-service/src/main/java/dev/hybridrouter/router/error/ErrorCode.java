package dev.hybridrouter.router.error;

import java.util.Locale;
import org.springframework.http.HttpStatus;

/**
 * Every error the router answers, once: its HTTP status, OpenAI error {@code type} and {@code code}.
 * docs/api.md lists them for callers.
 */
public enum ErrorCode {
    /** The request is wrong; {@code param} names the field. */
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid_request_error", null),
    /** The request is larger than an input limit allows; the message names the setting. */
    REQUEST_OVER_LIMIT(HttpStatus.BAD_REQUEST, "invalid_request_error", "request_over_limit"),
    /** The model that would answer cannot honour a field the caller sent. */
    UNSUPPORTED_PARAMETER(HttpStatus.BAD_REQUEST, "invalid_request_error", "unsupported_parameter"),
    /** Tenants are configured and the request has no API key. */
    MISSING_API_KEY(HttpStatus.UNAUTHORIZED, "invalid_request_error", "missing_api_key"),
    /** The API key is not one of a tenant (or, for the admin endpoints, not the admin key). */
    INVALID_API_KEY(HttpStatus.UNAUTHORIZED, "invalid_request_error", "invalid_api_key"),
    /** The tenant sent more requests per second than its {@code rate-limit.requests-per-second}. */
    REQUESTS_PER_SECOND_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "requests_per_second_exceeded"),
    /** The tenant has {@code rate-limit.max-concurrent} requests being answered already. */
    CONCURRENT_REQUESTS_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "concurrent_requests_exceeded"),
    /** The tenant has spent its {@code budget.tokens-per-day}. */
    TOKEN_BUDGET_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "token_budget_exceeded"),
    /** The request would escalate and the tenant has spent its {@code budget.large-model-tokens-per-day}. */
    LARGE_MODEL_BUDGET_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "large_model_budget_exceeded"),
    /** The shared store of limits and budgets (Redis) does not answer and {@code router.redis.on-failure} is closed. */
    LIMITS_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "limits_unavailable"),
    /** {@code POST /admin/cache/purge} could not empty the response cache in Redis. */
    CACHE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "cache_unavailable"),
    MODEL_NOT_FOUND(HttpStatus.NOT_FOUND, "invalid_request_error", "model_not_found"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "invalid_request_error", null),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null),
    REQUEST_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large"),
    /** The request did not arrive within the server's read or request timeout. */
    REQUEST_TIMEOUT(HttpStatus.REQUEST_TIMEOUT, "invalid_request_error", "request_timeout"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error", null),
    /** The upstream rejected the request as invalid (e.g. the conversation is too long for it). */
    UPSTREAM_REJECTED_REQUEST(HttpStatus.BAD_REQUEST, "invalid_request_error", "upstream_rejected_request"),
    UPSTREAM_RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "upstream_rate_limited"),
    UPSTREAM_AUTH_FAILED(HttpStatus.BAD_GATEWAY, "server_error", "upstream_auth_failed"),
    UPSTREAM_UNREACHABLE(HttpStatus.BAD_GATEWAY, "server_error", "upstream_unreachable"),
    /** The upstream failed, or answered something that is not a chat completion. */
    UPSTREAM_ERROR(HttpStatus.BAD_GATEWAY, "server_error", "upstream_error"),
    UPSTREAM_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout"),
    UPSTREAM_BUSY(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_busy"),
    /** An in-process model cannot run: its file is missing, still downloading, or was refused at load. */
    MODEL_NOT_LOADED(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "model_not_loaded"),
    UPSTREAM_CIRCUIT_OPEN(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_circuit_open"),
    /** The model cannot be called as configured, e.g. its API key variable is unset. */
    UPSTREAM_NOT_CONFIGURED(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_not_configured"),
    /** A local-only request would have had to reach a large model. */
    LOCAL_ONLY(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "local_only"),
    /** Every model of the failover plan failed. */
    NO_MODEL_AVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_model_available"),
    /** A stream failed after it had begun; sent as an SSE {@code error} event. */
    STREAM_FAILED(HttpStatus.BAD_GATEWAY, "server_error", "stream_failed"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null);

    private final HttpStatus status;
    private final String type;
    private final String code;

    ErrorCode(HttpStatus status, String type, String code) {
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** OpenAI's {@code code}, or {@code null}. */
    public String code() {
        return code;
    }

    /** How metrics name a call that ended with this error: its {@code code}, or its name in lower case. */
    public String outcome() {
        return code != null ? code : name().toLowerCase(Locale.ROOT);
    }
}
