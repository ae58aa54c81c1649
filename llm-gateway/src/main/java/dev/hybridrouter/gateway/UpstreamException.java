package dev.hybridrouter.gateway;

import java.time.Duration;

/**
 * A call to an upstream model failed. The message names the upstream by its policy name and says what
 * happened in words a caller may read: never the upstream's URL, never its response body.
 */
public class UpstreamException extends RuntimeException {

    /** What went wrong, as far as a caller and a circuit breaker are concerned. */
    public enum Kind {
        /** No connection, or the connection broke before the answer was complete. */
        UNREACHABLE(true),
        /** The upstream said it timed out (408, 504). */
        TIMEOUT(true),
        /** The upstream failed (5xx). */
        UNAVAILABLE(true),
        /** The upstream's rate limit (429). */
        RATE_LIMITED(true),
        /** The upstream rejected the router's credentials (401, 403). */
        AUTH(false),
        /** The upstream rejected the request as invalid (other 4xx, e.g. a too-long conversation). */
        REJECTED(false),
        /** The upstream answered something that is not a chat completion. */
        MALFORMED(true),
        /** A local model has as many calls running and waiting as it allows. */
        BUSY(false),
        /** A local model cannot run: its file is missing, still downloading, or was refused at load. */
        MODEL_NOT_LOADED(true);

        private final boolean upstreamFault;

        Kind(boolean upstreamFault) {
            this.upstreamFault = upstreamFault;
        }

        /** Whether the failure says the upstream is unwell, so that its circuit breaker counts it. */
        public boolean upstreamFault() {
            return upstreamFault;
        }
    }

    private final Kind kind;
    private final Integer status;
    private final Duration retryAfter;

    /**
     * @param status the upstream's HTTP status, or {@code null} when it gave none
     * @param retryAfter how long the upstream asked to wait, or {@code null}
     */
    public UpstreamException(Kind kind, String message, Integer status, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public UpstreamException(Kind kind, String message) {
        this(kind, message, null, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The upstream's HTTP status, or {@code null}. */
    public Integer status() {
        return status;
    }

    /** How long the upstream asked to wait, or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
