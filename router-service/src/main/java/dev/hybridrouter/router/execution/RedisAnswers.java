package dev.hybridrouter.router.execution;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.redis.Redis;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Cached answers in Redis, one key each, expiring with the policy's {@code ttl}, so that every replica gives an
 * answer again once one replica got it. Behind the Redis timeout and a circuit breaker: while Redis fails a lookup
 * is a miss and an answer is not kept, so the cache never refuses a request, and slows one by the timeout at most
 * (not at all once the breaker is open).
 */
public final class RedisAnswers {

    private static final Logger log = LoggerFactory.getLogger(RedisAnswers.class);

    private final Redis redis;
    private final CircuitBreaker breaker = Redis.breaker("response-cache");

    public RedisAnswers(Redis redis) {
        this.redis = redis;
        breaker.getEventPublisher()
                .onStateTransition(event -> log.warn(
                        "Response cache in {}: breaker {}; while it is open, no answer is looked up or kept there",
                        redis.where(),
                        event.getStateTransition()));
    }

    /** The value at {@code key}; empty when there is none, or Redis failed. */
    Mono<byte[]> get(String key) {
        return guarded(redis.connected()
                        .flatMap(connections -> Mono.fromCompletionStage(
                                () -> connections.bytes().async().get(key))))
                .onErrorResume(failure -> {
                    log.debug("Cached answer not read from {}: {}", redis.where(), failure.toString());
                    return Mono.empty();
                });
    }

    /** Keeps {@code value} at {@code key} for {@code ttl}, without waiting; skipped while the breaker is open. */
    void put(String key, byte[] value, Duration ttl) {
        if (breaker.getState() == CircuitBreaker.State.OPEN) {
            return;
        }
        guarded(redis.connected()
                        .flatMap(connections -> Mono.fromCompletionStage(
                                () -> connections.bytes().async().set(key, value, SetArgs.Builder.px(ttl.toMillis())))))
                .subscribe(
                        ok -> {}, failure -> log.debug("Answer not kept in {}: {}", redis.where(), failure.toString()));
    }

    /**
     * Deletes every key that matches the glob {@code pattern}; how many there were.
     *
     * @throws ApiException 503 {@code cache_unavailable} (in the Mono) when Redis fails
     */
    Mono<Long> purge(String pattern) {
        return redis.connected()
                .flatMap(connections -> ScanStream.scan(
                                connections.bytes().reactive(),
                                ScanArgs.Builder.matches(pattern).limit(500))
                        .buffer(500)
                        .concatMap(keys -> connections.bytes().reactive().unlink(keys.toArray(String[]::new)))
                        .reduce(0L, Long::sum))
                .onErrorMap(failure -> {
                    log.warn("Response cache in {} not purged: {}", redis.where(), failure.toString());
                    return ApiException.of(
                            ErrorCode.CACHE_UNAVAILABLE,
                            "The response cache in Redis at " + redis.where()
                                    + " could not be purged: Redis did not answer. Try again once it does.");
                });
    }

    private <T> Mono<T> guarded(Mono<T> call) {
        return call.timeout(redis.timeout()).transformDeferred(CircuitBreakerOperator.of(breaker));
    }
}
