package dev.hybridrouter.router.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * An OpenAI-compatible chat endpoint on 127.0.0.1: answers {@code POST .../chat/completions} whole or as
 * an SSE stream after a random latency, or fails a share of calls. It can be stopped, so that
 * connections are refused, and started again on the same port. Failures and latencies come from one
 * seeded random generator.
 */
final class FakeOpenAiServer implements AutoCloseable {

    /** What one call received. */
    enum Outcome {
        ANSWERED,
        HTTP_500,
        HTTP_503,
        RESET;

        /** How the report names it, e.g. {@code http 500}. */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

    private final String name;
    private final LoopResources loops;
    private final Random random;
    private final int minLatencyMs;
    private final int maxLatencyMs;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile double failureRate;
    private volatile List<Outcome> faults = List.of(Outcome.HTTP_500, Outcome.HTTP_503, Outcome.RESET);
    private DisposableServer server;
    private int port;

    /**
     * @param name how the report names this upstream
     * @param loops the harness's event loops, apart from the router's
     * @param seed seeds failures and latencies
     * @param minLatencyMs the shortest time before an answer (or an HTTP error) starts
     * @param maxLatencyMs the longest time before an answer (or an HTTP error) starts
     */
    FakeOpenAiServer(String name, LoopResources loops, long seed, int minLatencyMs, int maxLatencyMs) {
        this.name = name;
        this.loops = loops;
        this.random = new Random(seed);
        this.minLatencyMs = minLatencyMs;
        this.maxLatencyMs = maxLatencyMs;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    String name() {
        return name;
    }

    /** The base URL an OpenAI client is given, e.g. {@code http://127.0.0.1:40123/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    /** The share of calls, from 0 to 1, that fail. */
    void failureRate(double rate) {
        this.failureRate = rate;
    }

    /** How failing calls fail, each as often (by default 500, 503 and connection reset). */
    void faults(List<Outcome> faults) {
        if (faults.isEmpty() || faults.contains(Outcome.ANSWERED)) {
            throw new IllegalArgumentException("faults must be failures, at least one: " + faults);
        }
        this.faults = List.copyOf(faults);
    }

    /** Listens on 127.0.0.1: on a free port the first time, on the same port after {@link #stop()}. */
    synchronized void start() {
        if (server != null) {
            return;
        }
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .runOn(loops)
                .option(ChannelOption.SO_REUSEADDR, true)
                .doOnConnection(connection -> connections.add(connection.channel()))
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
        port = server.port();
    }

    /** Stops listening and closes every open connection: from now on connections are refused. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        server.disposeNow(Duration.ofSeconds(10));
        connections.close().awaitUninterruptibly(10_000);
        server = null;
    }

    /** Calls received, by outcome. */
    Map<Outcome, Long> outcomes() {
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        outcomes.forEach((outcome, count) -> counts.put(outcome, count.sum()));
        return counts;
    }

    @Override
    public void close() {
        stop();
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (!request.uri().endsWith("/chat/completions")) {
            return response.status(404).send();
        }
        return request.receive().aggregate().asString().defaultIfEmpty("").flatMap(body -> {
            Outcome outcome = nextOutcome();
            boolean stream = STREAM.matcher(body).find();
            outcomes.get(outcome).increment();
            if (outcome == Outcome.RESET) {
                return reset(response);
            }
            return Mono.delay(Duration.ofMillis(latencyMs())).then(respond(outcome, stream, response));
        });
    }

    private Outcome nextOutcome() {
        if (random.nextDouble() >= failureRate) {
            return Outcome.ANSWERED;
        }
        List<Outcome> current = faults;
        return current.get(random.nextInt(current.size()));
    }

    private long latencyMs() {
        return minLatencyMs + random.nextInt(maxLatencyMs - minLatencyMs + 1);
    }

    private Mono<Void> respond(Outcome outcome, boolean stream, HttpServerResponse response) {
        return switch (outcome) {
            case HTTP_500 -> error(response, 500, "internal error");
            case HTTP_503 -> error(response, 503, "overloaded");
            case RESET -> reset(response);
            case ANSWERED -> stream ? stream(response) : completion(response);
        };
    }

    private Mono<Void> completion(HttpServerResponse response) {
        String body =
                """
                {"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":"%s",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"%s answers."},\
                "finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"""
                        .formatted(name, name);
        return response.header("Content-Type", "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private Mono<Void> stream(HttpServerResponse response) {
        Flux<String> events = Flux.just(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk("{\"content\":\"" + name + "\"}", null),
                chunk("{\"content\":\" streams\"}", null),
                chunk("{\"content\":\" an answer.\"}", null),
                chunk("{}", "\"stop\""),
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}}\n\n",
                "data: [DONE]\n\n");
        return response.header("Content-Type", "text/event-stream")
                .sendString(events)
                .then();
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}\n\n";
    }

    private static Mono<Void> error(HttpServerResponse response, int status, String message) {
        return response.status(status)
                .header("Content-Type", "application/json")
                .sendString(Mono.just(
                        "{\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\",\"code\":null}}"))
                .then();
    }

    /** Closes the connection with a TCP reset and sends nothing. */
    private static Mono<Void> reset(HttpServerResponse response) {
        response.withConnection(connection -> {
            Channel channel = connection.channel();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        });
        return Mono.never();
    }
}
