package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamNotConfiguredException;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges upstream failures — which count against the upstream, which may be retried — and says what the
 * caller is told. The caller's request was fine, so upstream failures are 5xx, except two that mean the
 * same for the caller: a 429 (passed on with its {@code Retry-After}) and a 400 (the upstream rejected
 * what the caller sent, e.g. a too-long conversation).
 */
final class UpstreamFailures {

    private static final Logger log = LoggerFactory.getLogger(UpstreamFailures.class);

    /** What a caller refused by a full bulkhead is told to wait. */
    static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    private UpstreamFailures() {}

    /**
     * Whether a failure says the upstream is unwell, so its breaker counts it: 5xx, 408, 429, timeouts,
     * connection errors and malformed answers; not other 4xx (about the request), nor the router's own
     * refusals (open breaker, full bulkhead, no time left).
     */
    static boolean isUpstreamFault(Throwable failure) {
        if (failure instanceof Guard.StreamBrokenException broken) {
            return isUpstreamFault(broken.getCause());
        }
        if (failure instanceof UpstreamException upstream) {
            return upstream.kind().upstreamFault();
        }
        return !(failure instanceof CallNotPermittedException
                || failure instanceof BulkheadFullException
                || failure instanceof Guard.OutOfTimeException);
    }

    /**
     * Whether a failed try may be made again: an upstream fault, not a broken stream, not a try that used up
     * the call's whole time, not a local model that cannot run (a retry would find it the same), and not a
     * 429 or 503 asking to wait longer than {@code maxRetryAfter}.
     */
    static boolean isRetryable(Throwable failure, Duration maxRetryAfter) {
        if (failure instanceof Guard.StreamBrokenException
                || failure instanceof Guard.DeadlineExceededException
                || (failure instanceof UpstreamException upstream
                        && upstream.kind() == UpstreamException.Kind.MODEL_NOT_LOADED)
                || !isUpstreamFault(failure)) {
            return false;
        }
        Duration retryAfter = retryAfter(failure);
        return retryAfter == null || retryAfter.compareTo(maxRetryAfter) <= 0;
    }

    /** The wait the upstream asked for, or {@code null}. */
    static Duration retryAfter(Throwable failure) {
        return failure instanceof UpstreamException upstream ? upstream.retryAfter() : null;
    }

    /** What the caller is told; messages name the upstream by its policy name. */
    static ApiException toApiException(Throwable failure, Upstream upstream) {
        Target target = upstream.target();
        String name = target.describe();
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof Guard.StreamBrokenException broken) {
            return toApiException(broken.getCause(), upstream);
        }
        if (failure instanceof CallNotPermittedException) {
            return ApiException.of(
                            ErrorCode.UPSTREAM_CIRCUIT_OPEN,
                            name + " is failing; the router stopped calling it for a while (circuit breaker open)")
                    .withRetryAfter(upstream.guard().waitInOpen());
        }
        if (failure instanceof BulkheadFullException) {
            return ApiException.of(ErrorCode.UPSTREAM_BUSY, name + " has as many calls in flight as it allows")
                    .withRetryAfter(BUSY_RETRY_AFTER);
        }
        if (failure instanceof Guard.DeadlineExceededException deadline) {
            return ApiException.of(
                    ErrorCode.UPSTREAM_TIMEOUT,
                    String.format(
                            Locale.ROOT,
                            "%s sent %s within its timeout of %s (waited %.1f s%s)",
                            name,
                            deadline.what(),
                            seconds(deadline.timeout()),
                            deadline.elapsed().toMillis() / 1000.0,
                            deadline.attempts() > 1 ? " over " + deadline.attempts() + " attempts" : ""));
        }
        if (failure instanceof TimeoutException timeout) {
            return ApiException.of(ErrorCode.UPSTREAM_TIMEOUT, name + " sent " + timeout.getMessage());
        }
        if (failure instanceof UpstreamNotConfiguredException notConfigured) {
            return ApiException.of(ErrorCode.UPSTREAM_NOT_CONFIGURED, notConfigured.getMessage());
        }
        if (failure instanceof UpstreamException known) {
            ErrorCode code =
                    switch (known.kind()) {
                        case UNREACHABLE -> ErrorCode.UPSTREAM_UNREACHABLE;
                        case TIMEOUT -> ErrorCode.UPSTREAM_TIMEOUT;
                        case RATE_LIMITED -> ErrorCode.UPSTREAM_RATE_LIMITED;
                        case AUTH -> ErrorCode.UPSTREAM_AUTH_FAILED;
                        case REJECTED -> ErrorCode.UPSTREAM_REJECTED_REQUEST;
                        case BUSY -> ErrorCode.UPSTREAM_BUSY;
                        case MODEL_NOT_LOADED -> ErrorCode.MODEL_NOT_LOADED;
                        case UNAVAILABLE, MALFORMED -> ErrorCode.UPSTREAM_ERROR;
                    };
            return ApiException.of(code, known.getMessage())
                    .withRetryAfter(
                            known.kind() == UpstreamException.Kind.BUSY ? BUSY_RETRY_AFTER : known.retryAfter());
        }
        log.error("Unexpected failure calling {}", name, failure);
        return ApiException.of(
                ErrorCode.UPSTREAM_ERROR, name + " failed unexpectedly; the error is in the router's log");
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
