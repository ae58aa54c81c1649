package dev.hybridrouter.router.upstream;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;

/** An upstream's error response, with the {@code Retry-After} it asked for (LangChain4j's own drops it). */
class UpstreamHttpException extends HttpException {

    private final Duration retryAfter;

    UpstreamHttpException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    /** The wait the upstream asked for, or {@code null}. */
    Duration retryAfter() {
        return retryAfter;
    }
}
