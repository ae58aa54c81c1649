package dev.hybridrouter.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.RedisServer;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.redis.Redis;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Two stores on one real redis-server, as two replicas of the router see it. */
class RedisCountersTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static RedisServer redis;

    private final MutableClock clock = new MutableClock();
    private final List<Redis> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @AfterEach
    void close() {
        opened.forEach(Redis::close);
    }

    @Test
    void should_hold_one_request_rate_for_a_tenant_across_replicas() {
        // given: 2 requests a second, and two replicas
        TenantCounters first = counters();
        TenantCounters second = counters();
        var bucket = TenantLimits.bucket(2.0);

        // when
        long a = first.takeRequestToken("rate", bucket).block(WAIT);
        long b = second.takeRequestToken("rate", bucket).block(WAIT);
        long c = first.takeRequestToken("rate", bucket).block(WAIT);
        clock.advance(Duration.ofMillis(500));
        long d = second.takeRequestToken("rate", bucket).block(WAIT);

        // then
        assertThat(a).isZero();
        assertThat(b).isZero();
        assertThat(c).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(d).isZero();
    }

    @Test
    void should_hold_requests_in_flight_exactly_across_replicas_under_concurrent_load() {
        // given
        TenantCounters first = counters();
        TenantCounters second = counters();
        AtomicInteger refused = new AtomicInteger();

        // when: 40 at once, half on each replica, at most 5
        List<TenantLimits.Permit> taken = Flux.range(0, 40)
                .flatMap(i -> (i % 2 == 0 ? first : second)
                        .takeSlot("slots", 5)
                        .switchIfEmpty(Mono.fromRunnable(refused::incrementAndGet)))
                .collectList()
                .block(WAIT);

        // then
        assertThat(taken).hasSize(5);
        assertThat(refused).hasValue(35);
        taken.get(0).release(); // given back without waiting for Redis
        await().atMost(WAIT)
                .until(() -> second.takeSlot("slots", 5).blockOptional(WAIT).isPresent());
        assertThat(first.takeSlot("slots", 5).blockOptional(WAIT)).isEmpty();
    }

    @Test
    void should_free_the_slots_of_a_replica_that_died_once_their_lease_is_over() {
        // given: a replica takes both slots and never gives them back
        TenantCounters dying = counters();
        dying.takeSlot("lease", 2).block(WAIT);
        dying.takeSlot("lease", 2).block(WAIT);
        TenantCounters other = counters();

        // when
        var meanwhile = other.takeSlot("lease", 2).blockOptional(WAIT);
        clock.advance(Duration.ofMinutes(10).plusMillis(1));
        var after = other.takeSlot("lease", 2).blockOptional(WAIT);

        // then
        assertThat(meanwhile).isEmpty();
        assertThat(after).isPresent();
    }

    @Test
    void should_add_the_tokens_every_replica_spends_to_one_day() {
        // given
        TenantCounters first = counters();
        TenantCounters second = counters();
        LocalDate today = LocalDate.of(2026, 11, 22);

        // when
        first.spend("budget", today, 100, true);
        second.spend("budget", today, 40, false);

        // then
        await().atMost(WAIT)
                .until(() -> first.spent("budget", today).block(WAIT).equals(new TenantCounters.Spent(140, 100)));
        assertThat(second.spent("budget", today.plusDays(1)).block(WAIT)).isEqualTo(TenantCounters.Spent.NONE);
    }

    @Test
    void should_serve_without_limits_or_refuse_while_redis_is_down_as_configured() {
        // given: nothing listens there
        String nowhere = "redis://127.0.0.1:" + RedisServer.freePort();
        TenantCounters open = guarded(nowhere, true);
        TenantCounters closed = guarded(nowhere, false);

        // when
        long token = open.takeRequestToken("down", TenantLimits.bucket(1.0)).block(WAIT);
        var slot = open.takeSlot("down", 1).blockOptional(WAIT);
        var spent = open.spent("down", LocalDate.of(2026, 11, 22)).block(WAIT);
        ApiException refused = catchThrowableOfType(
                ApiException.class, () -> closed.takeSlot("down", 1).block(WAIT));

        // then
        assertThat(token).isZero();
        assertThat(slot).contains(TenantLimits.Permit.NONE);
        assertThat(spent).isEqualTo(TenantCounters.Spent.NONE);
        assertThat(refused.code()).isEqualTo(ErrorCode.LIMITS_UNAVAILABLE);
        assertThat(refused.getMessage()).contains("127.0.0.1");
    }

    @Test
    void should_connect_once_a_redis_that_was_down_at_start_answers() {
        // given: the store is made while nothing listens at its address, as a router starting before Redis
        int port = RedisServer.freePort();
        TenantCounters early = new RedisCounters(
                redis("redis://127.0.0.1:" + port, Duration.ofSeconds(2)),
                Duration.ofMinutes(10),
                new TenantCountersConfig.ClockTime(clock));
        Throwable down = catchThrowable(() -> early.takeSlot("late", 1).block(WAIT));

        // when
        try (RedisServer late = RedisServer.start(port)) {

            // then
            assertThat(down).isNotNull();
            assertThat(early.takeSlot("late", 1).blockOptional(WAIT)).isPresent();
            assertThat(early.takeSlot("late", 1).blockOptional(WAIT)).isEmpty();
        }
    }

    private TenantCounters counters() {
        return new RedisCounters(
                redis(redis.url(), Duration.ofSeconds(2)),
                Duration.ofMinutes(10),
                new TenantCountersConfig.ClockTime(clock));
    }

    private TenantCounters guarded(String url, boolean failOpen) {
        return new GuardedCounters(
                new RedisCounters(
                        redis(url, Duration.ofMillis(250)),
                        Duration.ofMinutes(10),
                        new TenantCountersConfig.ClockTime(clock)),
                Duration.ofMillis(250),
                failOpen,
                Redis.breaker("test-" + failOpen));
    }

    /** A connection closed after the test, as the application closes its own. */
    private Redis redis(String url, Duration timeout) {
        Redis connection = new Redis(url, timeout);
        opened.add(connection);
        return connection;
    }
}
