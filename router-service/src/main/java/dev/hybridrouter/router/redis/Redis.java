package dev.hybridrouter.router.redis;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * One Redis server (Lettuce), connected on first use and again after a failed connect, so that the router starts
 * while Redis is down; while disconnected, commands fail at once instead of queueing. Every key the router writes
 * starts with {@value #PREFIX}.
 */
public final class Redis implements AutoCloseable {

    public static final String PREFIX = "hybrid-router:";

    /**
     * The two connections: text values, and byte values (Bucket4j's buckets, cached answers).
     */
    public record Connections(
            StatefulRedisConnection<String, String> strings, StatefulRedisConnection<String, byte[]> bytes) {}

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final String where;
    private final Mono<Connections> connected;

    /**
     * @param url e.g. {@code redis://redis:6379/0}, with a password if it needs one
     * @param timeout the longest a connect, and a command, may take
     */
    public Redis(String url, Duration timeout) {
        this.uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.timeout = timeout;
        this.where = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.connected = Mono.defer(this::connect)
                .cache(value -> Duration.ofMillis(Long.MAX_VALUE), failure -> Duration.ZERO, () -> Duration.ZERO);
    }

    private Mono<Connections> connect() {
        Mono<StatefulRedisConnection<String, String>> strings =
                Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri));
        Mono<StatefulRedisConnection<String, byte[]>> bytes = Mono.fromCompletionStage(
                () -> client.connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri));
        return Mono.zip(strings, bytes, Connections::new);
    }

    /** The connections, once connected; a failed connect fails this and is tried again on the next call. */
    public Mono<Connections> connected() {
        return connected;
    }

    /** The longest a command may take. */
    public Duration timeout() {
        return timeout;
    }

    /** Where it is, without credentials: {@code redis://host:port/db}. */
    public String where() {
        return where;
    }

    /** A breaker for calls to Redis: opens when half of 20 calls fail, tries again after 10 s. */
    public static CircuitBreaker breaker(String name) {
        return CircuitBreaker.of(
                name,
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(20)
                        .minimumNumberOfCalls(10)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(10))
                        .build());
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
