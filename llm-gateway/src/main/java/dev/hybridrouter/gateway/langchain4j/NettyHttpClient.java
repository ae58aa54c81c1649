package dev.hybridrouter.gateway.langchain4j;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.http.Bodies;
import dev.hybridrouter.gateway.http.HttpFailures;
import dev.hybridrouter.gateway.http.SseDecoder;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientResponse;

/**
 * LangChain4j's HTTP client interface on the router's pooled Reactor Netty client, so that providers
 * reached through LangChain4j share the pool and never hold a thread while they wait. Server-sent events
 * are read by the router's own decoder (the standard format; the parser LangChain4j passes is not used).
 * Error responses fail with the router's {@link dev.hybridrouter.gateway.UpstreamException}, which keeps
 * the upstream's status and {@code Retry-After}.
 */
public final class NettyHttpClient implements HttpClient {

    private final String upstream;
    private final reactor.netty.http.client.HttpClient http;
    private final Duration readTimeout;

    private NettyHttpClient(String upstream, reactor.netty.http.client.HttpClient http, Duration readTimeout) {
        this.upstream = upstream;
        this.http = http;
        this.readTimeout = readTimeout;
    }

    /**
     * @param upstream how errors name the upstream
     * @param readTimeout the longest a blocking call waits (the caller's own deadline is usually shorter)
     */
    public static HttpClientBuilder builder(String upstream, UpstreamHttpClient http, Duration readTimeout) {
        return new Builder(upstream, http, readTimeout);
    }

    /** Blocks: LangChain4j calls this only from its blocking APIs, never on an event loop of the router. */
    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        return send(request)
                .response((response, body) -> Bodies.read(body, Integer.MAX_VALUE - 8, upstream)
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> {
                            if (response.status().code() >= 400) {
                                throw HttpFailures.status(
                                        upstream, response.status().code(), response.responseHeaders(), bytes);
                            }
                            return SuccessfulHttpResponse.builder()
                                    .statusCode(response.status().code())
                                    .headers(headers(response.responseHeaders()))
                                    .body(bytes)
                                    .build();
                        }))
                .single()
                .onErrorMap(failure -> HttpFailures.transport(upstream, failure))
                .block(readTimeout);
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        SseDecoder events = new SseDecoder(16 * 1024 * 1024);
        Handle handle = new Handle();
        ServerSentEventContext context = new ServerSentEventContext(handle);
        handle.subscription = send(request)
                .response((response, body) -> {
                    if (response.status().code() >= 400) {
                        return Bodies.read(body, 1 << 20, upstream)
                                .defaultIfEmpty(new byte[0])
                                .flatMapMany(bytes -> Flux.error(HttpFailures.status(
                                        upstream, response.status().code(), response.responseHeaders(), bytes)));
                    }
                    String type = response.responseHeaders().get("Content-Type", "");
                    if (!type.startsWith("text/event-stream")) {
                        return Bodies.read(body, 1 << 20, upstream)
                                .flatMapMany(bytes -> Flux.error(new UpstreamException(
                                        UpstreamException.Kind.MALFORMED,
                                        upstream + " answered with " + (type.isEmpty() ? "no content type" : type)
                                                + " instead of an event stream")));
                    }
                    listener.onOpen(opened(response));
                    return body.asByteArray()
                            .concatMapIterable(events::feed)
                            .concatWith(Flux.defer(() -> Flux.fromIterable(events.finish())));
                })
                .onErrorMap(failure -> HttpFailures.transport(upstream, failure))
                .subscribe(
                        event -> {
                            if (!handle.isCancelled()) {
                                listener.onEvent(new ServerSentEvent(event.name(), event.data()), context);
                            }
                        },
                        listener::onError,
                        listener::onClose);
        if (handle.isCancelled()) {
            handle.subscription.dispose();
        }
    }

    private reactor.netty.http.client.HttpClient.ResponseReceiver<?> send(HttpRequest request) {
        reactor.netty.http.client.HttpClient withHeaders =
                http.headers(headers -> request.headers().forEach((name, values) -> headers.set(name, values)));
        byte[] body = request.body() == null ? new byte[0] : request.body().getBytes(StandardCharsets.UTF_8);
        return withHeaders
                .request(HttpMethod.valueOf(request.method().name()))
                .uri(request.url())
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
    }

    private static SuccessfulHttpResponse opened(HttpClientResponse response) {
        return SuccessfulHttpResponse.builder()
                .statusCode(response.status().code())
                .headers(headers(response.responseHeaders()))
                .build();
    }

    private static Map<String, List<String>> headers(HttpHeaders headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        headers.forEach(header ->
                map.computeIfAbsent(header.getKey(), name -> new ArrayList<>()).add(header.getValue()));
        return map;
    }

    /** Cancelling the parse cancels the HTTP exchange, which closes its connection. */
    private static final class Handle implements ServerSentEventParsingHandle {

        private volatile Disposable subscription;
        private volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
            Disposable current = subscription;
            if (current != null) {
                current.dispose();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    private static final class Builder implements HttpClientBuilder {

        private final String upstream;
        private final UpstreamHttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout;

        Builder(String upstream, UpstreamHttpClient http, Duration readTimeout) {
            this.upstream = upstream;
            this.http = http;
            this.readTimeout = readTimeout;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            if (timeout != null) {
                connectTimeout = timeout;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            if (timeout != null) {
                readTimeout = timeout;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new NettyHttpClient(upstream, http.forUpstream(connectTimeout), readTimeout);
        }
    }
}
