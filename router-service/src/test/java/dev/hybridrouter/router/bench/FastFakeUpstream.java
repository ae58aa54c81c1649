package dev.hybridrouter.router.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * An OpenAI-compatible upstream on 127.0.0.1 that answers at once, built to cost as little as possible
 * so that it is never what limits a run: {@code POST .../chat/completions} gets a small whole
 * {@code chat.completion} (with {@code usage}) or, when the body asks for {@code "stream": true}, an SSE
 * stream of seven events ending in {@code [DONE]}; any {@code GET} gets a small JSON health answer
 * ({@code GET .../models} a model list). Answers are prebuilt bytes; the request body is only searched
 * for {@code "stream":true}. It runs on event loops of its own, apart from the harness's other work.
 */
final class FastFakeUpstream implements AutoCloseable {

    static final String MODEL = "fake-model";

    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\","
                    + "\"created\":1700000000,\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"Done: your request is handled.\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":7,"
                    + "\"total_tokens\":32}}")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] STREAM = (chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null")
                    + chunk("{\"content\":\"Done:\"}", "null")
                    + chunk("{\"content\":\" your request\"}", "null")
                    + chunk("{\"content\":\" is handled.\"}", "null")
                    + chunk("{}", "\"stop\"")
                    + "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"" + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":25,"
                    + "\"completion_tokens\":7,\"total_tokens\":32}}\n\n"
                    + "data: [DONE]\n\n")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] HEALTH = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private static final byte[] MODELS = ("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL
                    + "\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] NOT_FOUND = ("{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":null}}")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] STREAM_TRUE = "\"stream\"".getBytes(StandardCharsets.US_ASCII);

    private final LoopResources loops;
    private final LongAdder whole = new LongAdder();
    private final LongAdder streamed = new LongAdder();
    private final DisposableServer server;

    private FastFakeUpstream(int threads) {
        this.loops = LoopResources.create("fake-upstream", threads, true);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
    }

    /** Listens on a free port of 127.0.0.1 with {@code threads} event loops. */
    static FastFakeUpstream start(int threads) {
        return new FastFakeUpstream(threads);
    }

    int port() {
        return server.port();
    }

    /** The base URL a policy is given: {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Chat completions answered so far, whole and streamed. */
    long answered() {
        return whole.sum() + streamed.sum();
    }

    long streamedAnswers() {
        return streamed.sum();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String uri = request.uri();
        if (request.method() == HttpMethod.GET) {
            return send(response, "application/json", uri.endsWith("/models") ? MODELS : HEALTH);
        }
        if (request.method() != HttpMethod.POST || !uri.endsWith("/chat/completions")) {
            return response.status(404)
                    .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .sendObject(Unpooled.wrappedBuffer(NOT_FOUND));
        }
        return request.receive()
                .aggregate()
                .defaultIfEmpty(Unpooled.EMPTY_BUFFER)
                .flatMap(body -> {
                    if (asksForStream(body)) {
                        streamed.increment();
                        // a Flux: sent with Transfer-Encoding: chunked, as real servers send SSE
                        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                                .send(Flux.just(Unpooled.wrappedBuffer(STREAM)))
                                .then();
                    }
                    whole.increment();
                    return send(response, "application/json", COMPLETION).then();
                });
    }

    private static Mono<Void> send(HttpServerResponse response, String contentType, byte[] body) {
        // a Mono: sent with Content-Length
        return response.header(HttpHeaderNames.CONTENT_TYPE, contentType)
                .sendObject(Mono.just(Unpooled.wrappedBuffer(body)))
                .then();
    }

    /** Whether the JSON body has {@code "stream"} followed, after blanks and a colon, by {@code true}. */
    static boolean asksForStream(ByteBuf body) {
        int end = body.writerIndex();
        int last = end - STREAM_TRUE.length;
        for (int at = body.readerIndex(); at <= last; at++) {
            if (!matches(body, at)) {
                continue;
            }
            int i = at + STREAM_TRUE.length;
            while (i < end && isBlankOrColon(body.getByte(i))) {
                i++;
            }
            return i + 4 <= end
                    && body.getByte(i) == 't'
                    && body.getByte(i + 1) == 'r'
                    && body.getByte(i + 2) == 'u'
                    && body.getByte(i + 3) == 'e';
        }
        return false;
    }

    private static boolean matches(ByteBuf body, int at) {
        for (int j = 0; j < STREAM_TRUE.length; j++) {
            if (body.getByte(at + j) != STREAM_TRUE[j]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlankOrColon(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == ':';
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason
                + "}]}\n\n";
    }
}
