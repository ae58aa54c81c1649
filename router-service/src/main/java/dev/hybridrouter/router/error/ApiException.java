package dev.hybridrouter.router.error;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * A failure with everything the caller is told about it: one {@link ErrorCode}, a message in OpenAI's
 * style, the offending field, and how long to wait. Immutable; no stack trace (these are answers, not
 * bugs: the cause, if any, keeps its own).
 */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final String param;
    private final Duration retryAfter;

    private ApiException(ErrorCode code, String message, String param, Duration retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    public static ApiException of(ErrorCode code, String message) {
        return new ApiException(code, message, null, null, null);
    }

    /** 400: the request itself is wrong; {@code param} names the offending field. */
    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(ErrorCode.INVALID_REQUEST, message, param, null, null);
    }

    public ApiException withParam(String param) {
        return new ApiException(code, getMessage(), param, retryAfter, getCause());
    }

    public ApiException withRetryAfter(Duration retryAfter) {
        return new ApiException(code, getMessage(), param, retryAfter, getCause());
    }

    public ApiException withCause(Throwable cause) {
        return new ApiException(code, getMessage(), param, retryAfter, cause);
    }

    public ErrorCode code() {
        return code;
    }

    public HttpStatus status() {
        return code.status();
    }

    /** The offending field, e.g. {@code messages[1].role}, or {@code null}. */
    public String param() {
        return param;
    }

    /** How long the caller should wait before trying again, or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Error(getMessage(), code.type(), param, code.code()));
    }
}
