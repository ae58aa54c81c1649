package dev.hybridrouter.router.error;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.chat.RequestIds;
import dev.hybridrouter.router.routing.UnknownModelException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

/**
 * Turns every failure into OpenAI's error JSON with the right status. Runs before Spring Boot's own
 * handler ({@code @Order(-1)}), so no request ever sees Boot's error page or a bare 500. Expected
 * failures are logged on one line without a stack trace; only the router's own bugs get one.
 */
@Component
@Order(-2)
class OpenAiErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorHandler.class);

    private final RouterProperties properties;

    OpenAiErrorHandler(RouterProperties properties) {
        this.properties = properties;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (clientWentAway(failure)) {
            log.debug(
                    "{} {}: the client went away",
                    exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath());
            return Mono.empty();
        }
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        ApiException error = toApiException(failure);
        logged(exchange, error, failure);
        response.setStatusCode(error.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (error.retryAfter() != null) {
            headers.set(
                    HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(
                            1, error.retryAfter().plusNanos(999_999_999).toSeconds())));
        }
        byte[] body = WireJson.MAPPER.writeValueAsBytes(error.body());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /** Maps any failure to what the caller is told. */
    ApiException toApiException(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof UnknownModelException unknown) {
            return ApiException.of(
                            ErrorCode.MODEL_NOT_FOUND,
                            unknown.getMessage() + "; GET /v1/models lists the models this router serves")
                    .withParam("model");
        }
        if (failure instanceof UnsupportedMediaTypeStatusException unsupported) {
            return ApiException.of(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported content type '" + unsupported.getContentType()
                            + "'; send the request body as application/json");
        }
        if (Causes.find(failure, DataBufferLimitException.class) != null) {
            return ApiException.of(
                    ErrorCode.REQUEST_TOO_LARGE,
                    "The request body is larger than the limit of "
                            + properties.limits().maxRequestSize().toBytes()
                            + " bytes (router.limits.max-request-size)");
        }
        if (requestTimedOut(failure)) {
            return ApiException.of(
                    ErrorCode.REQUEST_TIMEOUT,
                    "The request did not arrive in time (router.server.read-timeout, router.server.request-timeout)");
        }
        if (failure instanceof MethodNotAllowedException notAllowed) {
            return ApiException.of(
                    ErrorCode.METHOD_NOT_ALLOWED,
                    notAllowed.getHttpMethod() + " is not allowed here; use " + notAllowed.getSupportedMethods());
        }
        if (failure instanceof ServerWebInputException) {
            return ApiException.invalidRequest(
                    null, "The request could not be read; send a JSON chat completion request");
        }
        if (failure instanceof ResponseStatusException status
                && status.getStatusCode().value() == 404) {
            return ApiException.of(ErrorCode.NOT_FOUND, "There is nothing at this path; the API is under /v1");
        }
        if (failure instanceof ResponseStatusException status
                && status.getStatusCode().is4xxClientError()) {
            return ApiException.invalidRequest(
                    null,
                    "The request could not be handled (HTTP "
                            + status.getStatusCode().value() + ")");
        }
        return ApiException.of(ErrorCode.INTERNAL, "The router failed unexpectedly; the error is in its log")
                .withCause(failure);
    }

    private static void logged(ServerWebExchange exchange, ApiException error, Throwable failure) {
        if (!error.status().is5xxServerError()) {
            return;
        }
        String request = exchange.getRequest().getMethod() + " "
                + exchange.getRequest().getPath() + " [" + RequestIds.of(exchange) + "]";
        if (error.code() == ErrorCode.INTERNAL) {
            log.error("{} failed: {}", request, error.getMessage(), failure);
        } else {
            log.warn("{} failed: {}", request, error.getMessage());
        }
    }

    /**
     * A request that did not arrive within the server's read or request timeout. Reactor Netty's exception
     * for the latter is not public, so it is known by its name.
     */
    private static boolean requestTimedOut(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ReadTimeoutException
                    || cause.getClass().getName().equals("reactor.netty.http.server.RequestTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** A client that closed its connection: nothing to answer, nothing wrong with the router. */
    static boolean clientWentAway(Throwable failure) {
        return Causes.find(failure, AbortedException.class) != null
                || (failure instanceof IOException io
                        && io.getMessage() != null
                        && (io.getMessage().contains("Connection reset")
                                || io.getMessage().contains("Broken pipe")));
    }
}
