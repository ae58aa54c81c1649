package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.Causes;
import dev.langchain4j.exception.HttpException;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/**
 * Judges upstream failures — which count against the upstream, which may be retried — and says what
 * the caller is told. The caller's request was fine, so upstream failures are 5xx, except two that mean
 * the same for the caller: a 429 (passed on with its {@code Retry-After}) and a 400 (the upstream
 * rejected what the caller sent, e.g. a too-long conversation).
 */
final class UpstreamErrors {

    private UpstreamErrors() {}

    /**
     * Whether a failure says the upstream is unwell, so its breaker counts it: 5xx, 408, 429, timeouts,
     * connection errors and malformed answers; not other 4xx, which are about the request.
     */
    static boolean isUpstreamFailure(Throwable failure) {
        HttpException http = Causes.find(failure, HttpException.class);
        if (http != null) {
            int status = http.statusCode();
            return status >= 500 || status == 408 || status == 429;
        }
        return !(failure instanceof CallNotPermittedException) && !(failure instanceof BulkheadFullException);
    }

    /**
     * Whether a failed call may be tried again: an upstream failure, not a broken stream, and not a 429 or
     * 503 asking to wait longer than {@code maxRetryAfter}.
     */
    static boolean isRetryable(Throwable failure, Duration maxRetryAfter) {
        if (failure instanceof Guard.StreamBrokenException || !isUpstreamFailure(failure)) {
            return false;
        }
        Duration retryAfter = retryAfter(failure);
        return retryAfter == null || retryAfter.compareTo(maxRetryAfter) <= 0;
    }

    /** The wait the upstream asked for, or {@code null}. */
    static Duration retryAfter(Throwable failure) {
        UpstreamHttpException http = Causes.find(failure, UpstreamHttpException.class);
        return http != null ? http.retryAfter() : null;
    }

    static ApiException toApiException(Throwable failure, Upstream upstream) {
        if (failure instanceof ApiException api) {
            return api;
        }
        String name = upstream.description();
        if (failure instanceof CallNotPermittedException) {
            return new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "server_error",
                    "upstream_circuit_open",
                    null,
                    name + " is failing; the router stopped calling it for a while (circuit breaker open)",
                    upstream.guard().waitInOpen(),
                    failure);
        }
        if (failure instanceof BulkheadFullException) {
            return new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "server_error",
                    "upstream_busy",
                    null,
                    name + " has as many calls in flight as it allows",
                    Duration.ofSeconds(1),
                    failure);
        }
        HttpException http = Causes.find(failure, HttpException.class);
        if (http != null) {
            return fromStatus(http, name, failure);
        }
        if (Causes.find(failure, TimeoutException.class) != null
                || Causes.find(failure, HttpTimeoutException.class) != null
                || Causes.find(failure, dev.langchain4j.exception.TimeoutException.class) != null) {
            return new ApiException(
                    HttpStatus.GATEWAY_TIMEOUT,
                    "server_error",
                    "upstream_timeout",
                    null,
                    name + " did not answer in time (" + rootMessage(failure) + ")",
                    null,
                    failure);
        }
        if (Causes.find(failure, IOException.class) != null) {
            return new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    "server_error",
                    "upstream_unreachable",
                    null,
                    name + " cannot be reached: "
                            + (Causes.find(failure, ConnectException.class) != null
                                    ? "connection refused (is it running?)"
                                    : rootMessage(failure)),
                    null,
                    failure);
        }
        return new ApiException(
                HttpStatus.BAD_GATEWAY,
                "server_error",
                "upstream_error",
                null,
                name + " failed: " + rootMessage(failure),
                null,
                failure);
    }

    private static ApiException fromStatus(HttpException http, String name, Throwable failure) {
        int status = http.statusCode();
        String detail = name + " answered HTTP " + status + ": " + abbreviate(http.getMessage());
        Duration retryAfter = retryAfter(http);
        return switch (status) {
            case 401, 403 -> new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    "server_error",
                    "upstream_auth_failed",
                    null,
                    name + " rejected the router's credentials (HTTP " + status + "); check its API key",
                    null,
                    failure);
            case 429 -> new ApiException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "rate_limit_error",
                    "upstream_rate_limited",
                    null,
                    detail,
                    retryAfter,
                    failure);
            case 400, 413, 422 -> new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_request_error",
                    "upstream_rejected_request",
                    null,
                    detail,
                    null,
                    failure);
            case 408, 504 -> new ApiException(
                    HttpStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout", null, detail, null, failure);
            default -> new ApiException(
                    HttpStatus.BAD_GATEWAY, "server_error", "upstream_error", null, detail, retryAfter, failure);
        };
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
