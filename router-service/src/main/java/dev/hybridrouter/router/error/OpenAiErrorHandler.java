package dev.hybridrouter.router.error;

import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.routing.UnknownModelException;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every failure into OpenAI's error JSON with the right status. Runs before Spring Boot's own
 * handler ({@code @Order(-1)}), so no request ever sees Boot's error page or a bare 500.
 */
@Component
@Order(-2)
class OpenAiErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorHandler.class);

    private final JsonMapper json;
    private final RouterProperties properties;

    OpenAiErrorHandler(JsonMapper json, RouterProperties properties) {
        this.json = json;
        this.properties = properties;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        ApiException error = toApiException(failure);
        if (error.status().is5xxServerError()) {
            log.warn(
                    "{} {} failed: {}",
                    exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(),
                    error.getMessage(),
                    error.status() == HttpStatus.INTERNAL_SERVER_ERROR ? failure : null);
        }
        response.setStatusCode(error.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (error.retryAfter() != null) {
            headers.set(
                    HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(1, error.retryAfter().toSeconds())));
        }
        byte[] body = json.writeValueAsBytes(error.body());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /** Maps any failure to what the caller is told. */
    ApiException toApiException(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof UnknownModelException unknown) {
            return new ApiException(
                    HttpStatus.NOT_FOUND,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    unknown.getMessage() + "; GET /v1/models lists the models this router serves");
        }
        if (failure instanceof WebExchangeBindException invalid) {
            FieldError field = invalid.getFieldError();
            if (field != null) {
                String param = snakeCase(field.getField());
                return ApiException.invalidRequest(param, "Invalid '" + param + "': " + field.getDefaultMessage());
            }
            return ApiException.invalidRequest(null, invalid.getReason());
        }
        if (failure instanceof UnsupportedMediaTypeStatusException unsupported) {
            return new ApiException(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "invalid_request_error",
                    null,
                    null,
                    "Unsupported content type '" + unsupported.getContentType()
                            + "'; send the request body as application/json");
        }
        if (Causes.find(failure, DataBufferLimitException.class) != null) {
            return new ApiException(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "invalid_request_error",
                    "request_too_large",
                    null,
                    "The request body is larger than the limit of "
                            + properties.maxRequestSize().toBytes() + " bytes (router.max-request-size)");
        }
        if (failure instanceof ServerWebInputException input) {
            return invalidBody(input);
        }
        if (failure instanceof ResponseStatusException status) {
            HttpStatus code = Objects.requireNonNullElse(
                    HttpStatus.resolve(status.getStatusCode().value()), HttpStatus.INTERNAL_SERVER_ERROR);
            String type = code.is4xxClientError() ? "invalid_request_error" : "server_error";
            return new ApiException(
                    code, type, null, null, Objects.requireNonNullElse(status.getReason(), code.getReasonPhrase()));
        }
        return new ApiException(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "server_error",
                null,
                null,
                "The router failed unexpectedly; the error is in its log",
                null,
                failure);
    }

    private static ApiException invalidBody(ServerWebInputException input) {
        StreamReadException malformed = Causes.find(input, StreamReadException.class);
        if (malformed != null) {
            return ApiException.invalidRequest(
                    null, "The request body is not valid JSON: " + malformed.getOriginalMessage());
        }
        JacksonException mismatch = Causes.find(input, JacksonException.class);
        if (mismatch != null) {
            String param = path(mismatch);
            return ApiException.invalidRequest(
                    param,
                    "Invalid value for '" + param + "': "
                            + mismatch.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (input.getReason() != null && input.getReason().startsWith("No request body")) {
            return ApiException.invalidRequest(null, "The request body is empty; send a JSON chat completion request");
        }
        return ApiException.invalidRequest(null, Objects.requireNonNullElse(input.getReason(), "Invalid request"));
    }

    /** The JSON path of a Jackson failure, e.g. {@code messages[0].content}. */
    private static String path(JacksonException failure) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : failure.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** {@code messages[0].toolCallId} → {@code messages[0].tool_call_id}: the caller's own field names. */
    static String snakeCase(String javaPath) {
        return javaPath.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
