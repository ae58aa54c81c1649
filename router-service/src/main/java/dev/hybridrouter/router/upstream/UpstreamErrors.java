package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.Causes;
import dev.langchain4j.exception.HttpException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/**
 * What the caller is told when an upstream fails. The caller's request was fine, so upstream failures
 * are 5xx, except two that mean the same for the caller: a 429 (passed on with its {@code Retry-After})
 * and a 400 (the upstream rejected what the caller sent, e.g. a too-long conversation).
 */
final class UpstreamErrors {

    private UpstreamErrors() {}

    static ApiException toApiException(Throwable failure, Upstream upstream) {
        if (failure instanceof ApiException api) {
            return api;
        }
        String name = upstream.description();
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
                    name + " did not answer in time",
                    null,
                    failure);
        }
        if (Causes.find(failure, IOException.class) != null) {
            return new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    "server_error",
                    "upstream_unreachable",
                    null,
                    name + " cannot be reached: " + rootMessage(failure),
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
        Duration retryAfter = http instanceof UpstreamHttpException withHeaders ? withHeaders.retryAfter() : null;
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
