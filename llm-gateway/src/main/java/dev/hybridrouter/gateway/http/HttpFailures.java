package dev.hybridrouter.gateway.http;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.wire.WireJson;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What an upstream's failure means, in words a caller may read. Messages name the upstream by the name
 * it was given (its policy name); they never carry its URL or its response body, which may echo the
 * prompt. Only the error's {@code type} and {@code code}, when they are short tokens, are quoted.
 */
public final class HttpFailures {

    /** A short machine token such as {@code context_length_exceeded}. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private HttpFailures() {}

    /**
     * An error response.
     *
     * @param upstream how the upstream is named, e.g. {@code large model 'cloud'}
     * @param body the response body, read up to a limit; may be empty
     */
    public static UpstreamException status(String upstream, int status, HttpHeaders headers, byte[] body) {
        Duration retryAfter = retryAfter(headers.get("Retry-After"));
        String detail = upstream + " answered HTTP " + status + reason(body);
        return switch (status) {
            case 401, 403 -> new UpstreamException(
                    Kind.AUTH,
                    upstream + " rejected the router's credentials (HTTP " + status + "); check its API key",
                    status,
                    null,
                    null);
            case 408, 504 -> new UpstreamException(Kind.TIMEOUT, detail, status, retryAfter, null);
            case 429 -> new UpstreamException(Kind.RATE_LIMITED, detail, status, retryAfter, null);
                // the path or the model is not there: the router's configuration, not the caller's request
            case 404, 405 -> new UpstreamException(Kind.UNAVAILABLE, detail, status, null, null);
            default -> status >= 500
                    ? new UpstreamException(Kind.UNAVAILABLE, detail, status, retryAfter, null)
                    : new UpstreamException(Kind.REJECTED, detail, status, null, null);
        };
    }

    /** A failure below HTTP: no connection, a broken one, an answer that could not be read. */
    public static UpstreamException transport(String upstream, Throwable failure) {
        if (failure instanceof UpstreamException known) {
            return known;
        }
        if (failure instanceof JacksonException) {
            return new UpstreamException(
                    Kind.MALFORMED,
                    upstream + " answered with a body that is not a valid chat completion",
                    null,
                    null,
                    failure);
        }
        return new UpstreamException(
                Kind.UNREACHABLE, upstream + " cannot be reached: " + why(failure), null, null, failure);
    }

    /** {@code Retry-After} in seconds; the HTTP-date form is rare from model APIs and is ignored. */
    public static Duration retryAfter(String value) {
        if (value == null || !value.trim().matches("\\d{1,9}")) {
            return null;
        }
        return Duration.ofSeconds(Long.parseLong(value.trim()));
    }

    private static String why(Throwable failure) {
        if (failure instanceof ConnectTimeoutException) {
            return "no connection within the connect timeout";
        }
        if (failure instanceof ConnectException) {
            return "connection refused (is it running?)";
        }
        if (failure instanceof UnknownHostException) {
            return "its host name does not resolve";
        }
        if (failure instanceof SSLException) {
            return "the TLS handshake failed";
        }
        if (failure instanceof PrematureCloseException || failure instanceof ClosedChannelException) {
            return "it closed the connection before the answer was complete";
        }
        if (failure.getMessage() != null && failure.getMessage().contains("reset")) {
            return "the connection was reset";
        }
        return "the connection failed";
    }

    /** {@code " (invalid_request_error: context_length_exceeded)"} from an OpenAI-style error body, or "". */
    private static String reason(byte[] body) {
        if (body.length == 0 || body.length > 65_536) {
            return "";
        }
        try {
            JsonNode error = WireJson.MAPPER.readTree(body).path("error");
            String type = token(error.path("type"));
            String code = token(error.path("code"));
            if (type == null && code == null) {
                return "";
            }
            return " (" + (type == null ? code : code == null ? type : type + ": " + code) + ")";
        } catch (JacksonException notJson) {
            return "";
        }
    }

    private static String token(JsonNode node) {
        String value = node.isString() ? node.asString() : null;
        return value != null && TOKEN.matcher(value).matches() ? value : null;
    }
}
