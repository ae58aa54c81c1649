package dev.hybridrouter.router.error;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * A failure with everything the caller is told about it.
 *
 * @see ErrorBody
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;

    public ApiException(HttpStatus status, String type, String code, String param, String message) {
        this(status, type, code, param, message, null, null);
    }

    public ApiException(
            HttpStatus status,
            String type,
            String code,
            String param,
            String message,
            Duration retryAfter,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** 400: the request itself is wrong; {@code param} names the offending field. */
    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, param, message);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** How long the caller should wait before trying again, or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Error(getMessage(), type, param, code));
    }
}
