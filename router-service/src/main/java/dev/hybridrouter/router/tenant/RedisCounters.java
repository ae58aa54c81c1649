package dev.hybridrouter.router.tenant;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Tenants' counts in Redis (Lettuce), so that every replica holds a tenant to one limit and one budget: the request
 * bucket through Bucket4j's compare-and-swap proxy, requests in flight as a sorted set of slots that expire after a
 * lease (so a replica that dies does not keep its slots), and each day's tokens as counters that expire two days
 * after. Keys start with {@code hybrid-router:}.
 */
final class RedisCounters implements TenantCounters {

    private static final Logger log = LoggerFactory.getLogger(RedisCounters.class);

    private static final String PREFIX = "hybrid-router:";

    /** Drops expired slots, then takes one if fewer than the most are held: 1 when taken, 0 when all are held. */
    private static final String TAKE_SLOT =
            """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
              redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
              return 1
            end
            return 0
            """;

    private static final long DAY_KEY_SECONDS = Duration.ofDays(2).toSeconds();

    private final RedisClient client;
    private final RedisURI uri;
    private final TimeMeter time;
    private final Duration timeout;
    private final Duration slotLease;
    private final String where;
    /** Connected on first use, and again after a failed connect: the router starts while Redis is down. */
    private final Mono<Connected> connected;

    /** The two connections (text values, and Bucket4j's bytes) and the bucket proxies on the second. */
    private record Connected(
            StatefulRedisConnection<String, String> strings,
            StatefulRedisConnection<String, byte[]> bytes,
            ProxyManager<String> buckets) {}

    RedisCounters(String url, Duration timeout, Duration slotLease, TimeMeter time) {
        this.uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.where = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
        this.client = RedisClient.create();
        // fail at once while disconnected, rather than queue commands that the deadline gives up on anyway
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.time = time;
        this.timeout = timeout;
        this.slotLease = slotLease;
        this.connected = Mono.defer(this::connect)
                .cache(value -> Duration.ofMillis(Long.MAX_VALUE), failure -> Duration.ZERO, () -> Duration.ZERO);
    }

    private Mono<Connected> connect() {
        Mono<StatefulRedisConnection<String, String>> strings =
                Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri));
        Mono<StatefulRedisConnection<String, byte[]>> bytes = Mono.fromCompletionStage(
                () -> client.connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri));
        return Mono.zip(strings, bytes)
                .map(both -> new Connected(
                        both.getT1(),
                        both.getT2(),
                        Bucket4jLettuce.casBasedBuilder(both.getT2())
                                .clientClock(time)
                                .requestTimeout(timeout)
                                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                        Duration.ofSeconds(10)))
                                .build()));
    }

    @Override
    public Mono<Long> takeRequestToken(String tenant, BucketConfiguration configuration) {
        String key = PREFIX + "requests:" + tenant + ":" + fingerprint(configuration);
        return connected
                .flatMap(redis -> Mono.fromFuture(() -> redis.buckets()
                        .asAsync()
                        .builder()
                        .build(key, () -> CompletableFuture.completedFuture(configuration))
                        .tryConsumeAndReturnRemaining(1)))
                .map(probe -> probe.isConsumed() ? 0L : probe.getNanosToWaitForRefill());
    }

    @Override
    public Mono<TenantLimits.Permit> takeSlot(String tenant, int most) {
        String key = PREFIX + "in-flight:" + tenant;
        String slot = UUID.randomUUID().toString();
        long now = time.currentTimeNanos() / 1_000_000;
        return connected.flatMap(redis -> Mono.fromCompletionStage(() -> redis.strings()
                        .async()
                        .<Long>eval(
                                TAKE_SLOT,
                                ScriptOutputType.INTEGER,
                                new String[] {key},
                                Long.toString(now),
                                Integer.toString(most),
                                Long.toString(now + slotLease.toMillis()),
                                slot,
                                Long.toString(slotLease.toMillis())))
                .flatMap(taken -> taken == 1 ? Mono.just(release(redis, key, slot)) : Mono.empty()));
    }

    private static TenantLimits.Permit release(Connected redis, String key, String slot) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                redis.strings().async().zrem(key, slot); // a slot not given back expires with its lease
            }
        };
    }

    @Override
    public Mono<Spent> spent(String tenant, LocalDate day) {
        return connected
                .flatMap(redis -> Mono.fromCompletionStage(
                        () -> redis.strings().async().mget(allKey(tenant, day), largeKey(tenant, day))))
                .map(values -> new Spent(
                        values.get(0).getValueOrElse("0").transform(Long::parseLong),
                        values.get(1).getValueOrElse("0").transform(Long::parseLong)));
    }

    @Override
    public void spend(String tenant, LocalDate day, long tokens, boolean largeModel) {
        List<String> keys =
                largeModel ? List.of(allKey(tenant, day), largeKey(tenant, day)) : List.of(allKey(tenant, day));
        connected.subscribe(
                redis -> {
                    RedisAsyncCommands<String, String> commands =
                            redis.strings().async();
                    keys.forEach(key ->
                            commands.incrby(key, tokens).thenCompose(total -> commands.expire(key, DAY_KEY_SECONDS)));
                },
                failure -> log.warn("Tokens of tenant '{}' not counted in {}: {}", tenant, where, failure.toString()));
    }

    @Override
    public void retain(Set<String> tenants) {
        // Redis keys expire on their own
    }

    @Override
    public String where() {
        return where;
    }

    @Override
    public void close() {
        client.shutdown();
    }

    private static String allKey(String tenant, LocalDate day) {
        return PREFIX + "tokens:" + tenant + ":" + day;
    }

    private static String largeKey(String tenant, LocalDate day) {
        return PREFIX + "large-model-tokens:" + tenant + ":" + day;
    }

    /** A bucket key per limit, so that a changed limit starts a fresh bucket on every replica at once. */
    private static String fingerprint(BucketConfiguration configuration) {
        return Integer.toHexString(configuration.toString().hashCode());
    }
}
