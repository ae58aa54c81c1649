package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {

    private static final Attempt SLM = Attempt.of(Target.specialist("slm"));

    private final MutableClock clock = new MutableClock();

    @Test
    void should_give_a_kept_answer_again_to_the_same_tenant_for_the_same_request_until_it_expires() {
        // given
        ResponseCache cache = cache(Policy.CachedRequests.DETERMINISTIC);
        String key = cache.key("acme", request(0.0, false)).orElseThrow();
        cache.put(key, false, answer("kept", SLM));

        // when
        var soon = cache.get(cache.key("acme", request(0.0, false)).orElseThrow(), false)
                .blockOptional();
        clock.advance(Duration.ofMinutes(5).plusMillis(1));
        var later = cache.get(key, false).blockOptional();

        // then
        assertThat(soon).hasValueSatisfying(cached -> assertThat(new String(cached.body(), StandardCharsets.UTF_8))
                .isEqualTo("kept"));
        assertThat(later).isEmpty();
    }

    @Test
    void should_keep_only_deterministic_whole_answers_by_default_and_none_when_off() {
        // given
        ResponseCache deterministic = cache(Policy.CachedRequests.DETERMINISTIC);
        ResponseCache all = cache(Policy.CachedRequests.ALL);
        ResponseCache off = cache(Policy.CachedRequests.OFF);

        // then
        assertThat(deterministic.key("acme", request(0.0, false))).isPresent();
        assertThat(deterministic.key("acme", request(0.7, false))).isEmpty();
        assertThat(deterministic.key("acme", request(null, false))).isEmpty();
        assertThat(deterministic.key("acme", request(0.0, true))).isEmpty();
        assertThat(all.key("acme", request(null, false))).isPresent();
        assertThat(all.key("acme", request(0.7, true))).isEmpty();
        assertThat(off.key("acme", request(0.0, false))).isEmpty();
    }

    @Test
    void should_not_keep_an_answer_a_fallback_gave() {
        // given
        ResponseCache cache = cache(Policy.CachedRequests.ALL);
        String key = cache.key(null, request(0.0, false)).orElseThrow();

        // when
        cache.put(key, false, answer("degraded", new Attempt(Target.specialist("slm"), "large-models-unavailable")));

        // then
        assertThat(cache.get(key, false).blockOptional()).isEmpty();
    }

    @Property
    void should_never_give_one_tenant_an_answer_kept_for_another(
            @ForAll @AlphaChars @StringLength(min = 1, max = 8) String tenant,
            @ForAll @AlphaChars @StringLength(min = 1, max = 8) String other,
            @ForAll @AlphaChars @StringLength(max = 20) String text) {
        // given
        ResponseCache cache = cache(Policy.CachedRequests.ALL);
        ChatCompletionRequest request = WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}",
                ChatCompletionRequest.class);
        cache.put(cache.key(tenant, request).orElseThrow(), false, answer("for " + tenant, SLM));

        // when
        var theirs = cache.get(cache.key(other, request).orElseThrow(), false).blockOptional();
        var singleUser =
                cache.get(cache.key(null, request).orElseThrow(), false).blockOptional();

        // then
        if (!other.equals(tenant)) {
            assertThat(theirs).isEmpty();
        }
        assertThat(singleUser).isEmpty();
    }

    @Test
    void should_drop_the_least_recently_used_answers_beyond_its_size() {
        // given: room for about two answers of 400 bytes
        ResponseCache cache =
                new ResponseCache(new Policy.Cache(Policy.CachedRequests.ALL, Duration.ofMinutes(5), 1000), clock);
        String first = cache.key("a", text("one")).orElseThrow();
        cache.put(first, false, answer("x".repeat(400), SLM));

        // when
        for (String word : new String[] {"two", "three", "four"}) {
            cache.put(cache.key("a", text(word)).orElseThrow(), false, answer("x".repeat(400), SLM));
        }

        // then
        assertThat(cache.get(first, false).blockOptional()).isEmpty();
    }

    private ResponseCache cache(Policy.CachedRequests requests) {
        return new ResponseCache(new Policy.Cache(requests, Duration.ofMinutes(5), 1 << 20), clock);
    }

    private static ResponseCache.Cached answer(String body, Attempt attempt) {
        return new ResponseCache.Cached(body.getBytes(StandardCharsets.UTF_8), attempt, null);
    }

    private static ChatCompletionRequest request(Double temperature, boolean stream) {
        return WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"stream\":" + stream
                        + (temperature == null ? "" : ",\"temperature\":" + temperature)
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                ChatCompletionRequest.class);
    }

    private static ChatCompletionRequest text(String text) {
        return WireJson.MAPPER.readValue(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}",
                ChatCompletionRequest.class);
    }
}
