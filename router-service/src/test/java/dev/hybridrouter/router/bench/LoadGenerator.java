package dev.hybridrouter.router.bench;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends chat requests to the router, at most {@code concurrency} at a time, each with a time limit, and
 * says what came back. Every request ends in a {@link Result}: an answer, or lost.
 */
final class LoadGenerator implements AutoCloseable {

    static final String[] DOMAINS = {"it-helpdesk", "hr"};

    /** One request of the plan. */
    record Request(int index, boolean escalating, boolean streaming, String text) {

        String json() {
            return "{\"model\":\"auto\"," + (streaming ? "\"stream\":true," : "")
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
        }
    }

    /** How a request ended. */
    enum Kind {
        /** A complete answer, of any status. */
        ANSWERED,
        /** HTTP 200 and a stream that ended with an {@code error} event instead of {@code [DONE]}. */
        STREAM_ERROR,
        /** HTTP 200 and a body that is not a complete answer. */
        BAD_BODY,
        /** Lost: no complete answer within the time limit. */
        TIMED_OUT,
        /** Lost: the connection failed before a complete answer. */
        CONNECTION_FAILED
    }

    /**
     * @param status the HTTP status, or 0 when none came
     * @param degraded the answer's {@code x-router-degraded} header was {@code true}
     * @param target the answer's {@code x-router-target} header, e.g. {@code large:cloud}
     * @param latencyNanos from sending to the last byte of the answer (or to the failure)
     * @param detail what went wrong, for lost and broken answers
     */
    record Result(
            Request request,
            Phase phase,
            Kind kind,
            int status,
            boolean degraded,
            String target,
            long latencyNanos,
            String detail) {

        boolean lost() {
            return kind == Kind.TIMED_OUT || kind == Kind.CONNECTION_FAILED;
        }

        boolean ok() {
            return kind == Kind.ANSWERED && status == 200;
        }
    }

    /**
     * What came back for a body sent as it is.
     *
     * @param status the HTTP status, or 0 when no complete answer came
     * @param body the whole answer, or what went wrong when none came
     */
    record Reply(int status, String body, long latencyNanos) {

        boolean lost() {
            return status == 0;
        }
    }

    private final HttpClient client;
    private final ConnectionProvider connections;
    private final Duration timeout;

    /**
     * @param port the router's port on 127.0.0.1
     * @param concurrency the most requests in flight, and connections open
     * @param timeout the longest a request may take before it counts as lost
     * @param loops the harness's event loops, apart from the router's
     */
    LoadGenerator(int port, int concurrency, Duration timeout, LoopResources loops) {
        this.connections = ConnectionProvider.builder("soak-load")
                .maxConnections(concurrency)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(timeout)
                .build();
        this.client = HttpClient.create(connections)
                .runOn(loops)
                .baseUrl("http://127.0.0.1:" + port)
                .headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));
        this.timeout = timeout;
    }

    /**
     * The requests, in sending order, the same for a seed: {@code escalating} of them name no domain (so
     * they escalate), the rest name one; {@code streaming} of them ask for a stream.
     */
    static List<Request> plan(int count, long seed, double escalating, double streaming) {
        Random random = new Random(seed);
        List<Request> plan = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean escalates = random.nextDouble() < escalating;
            boolean streams = random.nextDouble() < streaming;
            String domain = DOMAINS[random.nextInt(DOMAINS.length)];
            String text = escalates
                    ? "write a sonnet about routers, number " + i
                    : "an " + domain + " question, number " + i + ": it does not work";
            plan.add(new Request(i, escalates, streams, text));
        }
        return plan;
    }

    /** Sends every request, at most {@code concurrency} in flight; one result per request. */
    Flux<Result> run(List<Request> requests, int concurrency, CloudPhases phases) {
        return Flux.fromIterable(requests).flatMap(request -> send(request, phases), concurrency);
    }

    /**
     * Sends {@code body} as it is to {@code POST /v1/chat/completions} and reads the whole answer; a
     * reply with status 0 when none came within the time limit or the connection failed first.
     */
    Mono<Reply> post(byte[] body) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return client.post()
                    .uri("/v1/chat/completions")
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                    .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8)
                            .defaultIfEmpty("")
                            .map(text -> new Reply(response.status().code(), text, System.nanoTime() - start)))
                    .timeout(timeout)
                    .onErrorResume(failure -> Mono.just(new Reply(
                            0,
                            failure instanceof TimeoutException
                                    ? "no complete answer within " + timeout.toSeconds() + " s"
                                    : failure.toString(),
                            System.nanoTime() - start)));
        });
    }

    @Override
    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(10));
    }

    private Mono<Result> send(Request request, CloudPhases phases) {
        return Mono.defer(() -> {
            Phase phase = phases.enter(request.index());
            long start = System.nanoTime();
            return client.post()
                    .uri("/v1/chat/completions")
                    .send(ByteBufFlux.fromString(Mono.just(request.json())))
                    .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
                            .defaultIfEmpty("")
                            .map(text -> answered(
                                    request,
                                    phase,
                                    response.status().code(),
                                    response.responseHeaders(),
                                    text,
                                    System.nanoTime() - start)))
                    .timeout(timeout)
                    .onErrorResume(failure -> Mono.just(lost(request, phase, failure, System.nanoTime() - start)));
        });
    }

    private static Result answered(
            Request request, Phase phase, int status, HttpHeaders headers, String body, long nanos) {
        boolean degraded = "true".equals(headers.get("x-router-degraded"));
        String target = headers.get("x-router-target");
        Kind kind = Kind.ANSWERED;
        String detail = null;
        if (status == 200) {
            if (request.streaming() && body.contains("event:error")) {
                kind = Kind.STREAM_ERROR;
                detail = abbreviate(body);
            } else if (request.streaming() ? !body.contains("[DONE]") : !body.contains("\"choices\"")) {
                kind = Kind.BAD_BODY;
                detail = abbreviate(body);
            }
        } else {
            detail = abbreviate(body);
        }
        return new Result(request, phase, kind, status, degraded, target, nanos, detail);
    }

    private Result lost(Request request, Phase phase, Throwable failure, long nanos) {
        if (failure instanceof TimeoutException) {
            return new Result(
                    request,
                    phase,
                    Kind.TIMED_OUT,
                    0,
                    false,
                    null,
                    nanos,
                    "no complete answer within " + timeout.toSeconds() + " s");
        }
        return new Result(request, phase, Kind.CONNECTION_FAILED, 0, false, null, nanos, failure.toString());
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
