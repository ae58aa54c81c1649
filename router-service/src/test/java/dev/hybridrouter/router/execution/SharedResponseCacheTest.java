package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.RedisServer;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.redis.Redis;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Response caches of two replicas on one real redis-server. */
class SharedResponseCacheTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Policy.Cache SETTINGS =
            new Policy.Cache(Policy.CachedRequests.ALL, Duration.ofMinutes(5), 1 << 20);
    private static final Attempt CLOUD = Attempt.of(Target.large("cloud"));

    private static RedisServer server;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> inspection;

    private final List<Redis> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        inspector = RedisClient.create(server.url());
        inspection = inspector.connect();
    }

    @AfterAll
    static void stop() {
        inspection.close();
        inspector.shutdown();
        server.close();
    }

    @BeforeEach
    void empty() {
        inspection.sync().flushall();
    }

    @AfterEach
    void close() {
        opened.forEach(Redis::close);
    }

    @Test
    void should_give_an_answer_one_replica_kept_from_another_with_who_gave_it_and_its_usage() {
        // given
        ResponseCache first = cache("support", "v1", server.url());
        ResponseCache second = cache("support", "v1", server.url());
        ResponseCache.Lookup key =
                lookup(first, "acme", request("what are your opening hours")).orElseThrow();
        byte[] body = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"9 to 5\\n\"}}]}"
                .getBytes(StandardCharsets.UTF_8);

        // when
        first.put(key, new ResponseCache.Cached(body, CLOUD, Usage.of(12, 3)));
        ResponseCache.Cached found = await(second, key);

        // then
        assertThat(found.body()).isEqualTo(body);
        assertThat(found.attempt()).isEqualTo(CLOUD);
        assertThat(found.usage().promptTokens()).isEqualTo(12);
        assertThat(found.usage().completionTokens()).isEqualTo(3);
        String stored = inspection.sync().keys(Redis.PREFIX + "cache:*").get(0);
        assertThat(stored).startsWith(Redis.PREFIX + "cache:support:v1:acme/").doesNotContain("opening hours");
        assertThat(inspection.sync().pttl(stored))
                .isBetween(
                        Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
    }

    @Test
    void should_keep_the_answer_to_a_local_only_request_in_its_process_only() {
        // given
        ResponseCache first = cache("records", "v1", server.url());
        ResponseCache second = cache("records", "v1", server.url());
        ResponseCache.Lookup key = first.lookup(
                        "clinic",
                        request("the patient note of PID-123456"),
                        ResponseCacheTest.decision("it names a patient"))
                .orElseThrow();

        // when
        first.put(key, answer("kept here"));
        first.put(lookup(first, "clinic", request("a question that may leave")).orElseThrow(), answer("shared"));

        // then: the other answer arrived in Redis, this one never did
        await(
                second,
                lookup(first, "clinic", request("a question that may leave")).orElseThrow());
        assertThat(inspection.sync().keys(Redis.PREFIX + "cache:*")).hasSize(1);
        assertThat(first.get(key).blockOptional(WAIT)).isPresent();
        assertThat(second.get(key).blockOptional(WAIT)).isEmpty();
        assertThat(second.get(lookup(second, "clinic", request("the patient note of PID-123456"))
                                .orElseThrow())
                        .blockOptional(WAIT))
                .isEmpty();
    }

    @Test
    void should_not_give_the_answers_of_another_tenant_or_another_version_of_the_policy() {
        // given
        ResponseCache before = cache("support", "v1", server.url());
        ResponseCache changed = cache("support", "v2", server.url());
        ChatCompletionRequest request = request("reset my password");
        ResponseCache.Lookup key = lookup(before, "acme", request).orElseThrow();
        before.put(key, answer("for acme"));
        await(before, key);

        // then
        assertThat(before.get(lookup(before, "globex", request).orElseThrow()).blockOptional(WAIT))
                .isEmpty();
        assertThat(changed.get(key).blockOptional(WAIT)).isEmpty();
    }

    @Test
    void should_purge_every_version_of_its_policy_and_nothing_of_other_policies() {
        // given
        ResponseCache old = cache("support", "v1", server.url());
        ResponseCache current = cache("support", "v2", server.url());
        ResponseCache other = cache("finance", "v1", server.url());
        for (ResponseCache cache : List.of(old, current, other)) {
            ResponseCache.Lookup key = lookup(cache, "acme", request("hello")).orElseThrow();
            cache.put(key, answer("hi"));
            await(cache, key);
        }

        // when
        long purged = current.purge().block(WAIT);

        // then
        assertThat(purged).isEqualTo(2);
        assertThat(inspection.sync().keys(Redis.PREFIX + "cache:*"))
                .singleElement()
                .asString()
                .startsWith(Redis.PREFIX + "cache:finance:");
    }

    @Test
    void should_miss_keep_nothing_and_refuse_a_purge_while_redis_is_down() {
        // given: nothing listens at its address
        ResponseCache cache = cache("support", "v1", "redis://127.0.0.1:" + RedisServer.freePort());
        ResponseCache.Lookup key = lookup(cache, "acme", request("hello")).orElseThrow();

        // when
        cache.put(key, answer("lost"));
        var found = cache.get(key).blockOptional(WAIT);
        Throwable purge = catchThrowable(() -> cache.purge().block(WAIT));

        // then
        assertThat(found).isEmpty();
        assertThat(purge)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CACHE_UNAVAILABLE))
                .hasMessageContaining("could not be purged")
                .hasMessageNotContaining("Exception");
    }

    /** The answer at {@code key}, once the put (which does not wait) has reached Redis. */
    private static ResponseCache.Cached await(ResponseCache cache, ResponseCache.Lookup key) {
        return Awaitility.await()
                .atMost(WAIT)
                .until(() -> cache.get(key).blockOptional(WAIT), Optional::isPresent)
                .orElseThrow()
                .cached();
    }

    private static Optional<ResponseCache.Lookup> lookup(
            ResponseCache cache, String tenant, ChatCompletionRequest request) {
        return ResponseCacheTest.lookup(cache, tenant, request);
    }

    private ResponseCache cache(String policy, String version, String url) {
        Redis redis = new Redis(url, Duration.ofMillis(250));
        opened.add(redis);
        return new ResponseCache(SETTINGS, Clock.systemUTC(), policy, version, new RedisAnswers(redis), null);
    }

    private static ResponseCache.Cached answer(String body) {
        return new ResponseCache.Cached(body.getBytes(StandardCharsets.UTF_8), CLOUD, null);
    }

    private static ChatCompletionRequest request(String text) {
        return WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + WireJson.MAPPER.writeValueAsString(text) + "}]}",
                ChatCompletionRequest.class);
    }
}
