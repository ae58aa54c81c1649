package dev.hybridrouter.router.tenant;

import dev.hybridrouter.router.redis.Redis;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
 * after. Keys start with {@value Redis#PREFIX}.
 */
final class RedisCounters implements TenantCounters {

    private static final Logger log = LoggerFactory.getLogger(RedisCounters.class);

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

    private final Redis redis;
    private final TimeMeter time;
    private final Duration slotLease;
    /** Bucket4j's proxy on the byte connection, made once connected. */
    private final Mono<ProxyManager<String>> buckets;

    RedisCounters(Redis redis, Duration slotLease, TimeMeter time) {
        this.redis = redis;
        this.time = time;
        this.slotLease = slotLease;
        this.buckets = redis.connected()
                .<ProxyManager<String>>map(connections -> Bucket4jLettuce.casBasedBuilder(connections.bytes())
                        .clientClock(time)
                        .requestTimeout(redis.timeout())
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                Duration.ofSeconds(10)))
                        .build())
                .cache(value -> Duration.ofMillis(Long.MAX_VALUE), failure -> Duration.ZERO, () -> Duration.ZERO);
    }

    @Override
    public Mono<Long> takeRequestToken(String tenant, BucketConfiguration configuration) {
        String key = Redis.PREFIX + "requests:" + tenant + ":" + fingerprint(configuration);
        return buckets.flatMap(proxy -> Mono.fromFuture(() -> proxy.asAsync()
                        .builder()
                        .build(key, () -> CompletableFuture.completedFuture(configuration))
                        .tryConsumeAndReturnRemaining(1)))
                .map(probe -> probe.isConsumed() ? 0L : probe.getNanosToWaitForRefill());
    }

    @Override
    public Mono<TenantLimits.Permit> takeSlot(String tenant, int most) {
        String key = Redis.PREFIX + "in-flight:" + tenant;
        String slot = UUID.randomUUID().toString();
        long now = time.currentTimeNanos() / 1_000_000;
        return redis.connected().flatMap(connections -> Mono.fromCompletionStage(() -> connections
                        .strings()
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
                .flatMap(taken -> taken == 1 ? Mono.just(release(connections, key, slot)) : Mono.empty()));
    }

    private static TenantLimits.Permit release(Redis.Connections redis, String key, String slot) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                redis.strings().async().zrem(key, slot); // a slot not given back expires with its lease
            }
        };
    }

    @Override
    public Mono<Spent> spent(String tenant, LocalDate day) {
        return redis.connected()
                .flatMap(connections -> Mono.fromCompletionStage(
                        () -> connections.strings().async().mget(allKey(tenant, day), largeKey(tenant, day))))
                .map(values -> new Spent(
                        values.get(0).getValueOrElse("0").transform(Long::parseLong),
                        values.get(1).getValueOrElse("0").transform(Long::parseLong)));
    }

    @Override
    public void spend(String tenant, LocalDate day, long tokens, boolean largeModel) {
        List<String> keys =
                largeModel ? List.of(allKey(tenant, day), largeKey(tenant, day)) : List.of(allKey(tenant, day));
        redis.connected()
                .subscribe(
                        connections -> {
                            RedisAsyncCommands<String, String> commands =
                                    connections.strings().async();
                            keys.forEach(key -> commands.incrby(key, tokens)
                                    .thenCompose(total -> commands.expire(key, DAY_KEY_SECONDS)));
                        },
                        failure -> log.warn(
                                "Tokens of tenant '{}' not counted in {}: {}",
                                tenant,
                                redis.where(),
                                failure.toString()));
    }

    @Override
    public void retain(Set<String> tenants) {
        // Redis keys expire on their own
    }

    @Override
    public String where() {
        return redis.where();
    }

    private static String allKey(String tenant, LocalDate day) {
        return Redis.PREFIX + "tokens:" + tenant + ":" + day;
    }

    private static String largeKey(String tenant, LocalDate day) {
        return Redis.PREFIX + "large-model-tokens:" + tenant + ":" + day;
    }

    /** A bucket key per limit, so that a changed limit starts a fresh bucket on every replica at once. */
    private static String fingerprint(BucketConfiguration configuration) {
        return Integer.toHexString(configuration.toString().hashCode());
    }
}
