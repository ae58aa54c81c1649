package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        ResponseCache.Lookup key = lookup(cache, "acme", request(0.0, false)).orElseThrow();
        cache.put(key, answer("kept", SLM));

        // when
        var soon = cache.get(lookup(cache, "acme", request(0.0, false)).orElseThrow())
                .blockOptional();
        clock.advance(Duration.ofMinutes(5).plusMillis(1));
        var later = cache.get(key).blockOptional();

        // then
        assertThat(soon)
                .hasValueSatisfying(hit -> assertThat(new String(hit.cached().body(), StandardCharsets.UTF_8))
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
        assertThat(lookup(deterministic, "acme", request(0.0, false))).isPresent();
        assertThat(lookup(deterministic, "acme", request(0.7, false))).isEmpty();
        assertThat(lookup(deterministic, "acme", request(null, false))).isEmpty();
        assertThat(lookup(deterministic, "acme", request(0.0, true))).isEmpty();
        assertThat(lookup(all, "acme", request(null, false))).isPresent();
        assertThat(lookup(all, "acme", request(0.7, true))).isEmpty();
        assertThat(lookup(off, "acme", request(0.0, false))).isEmpty();
    }

    @Test
    void should_not_keep_an_answer_a_fallback_gave() {
        // given
        ResponseCache cache = cache(Policy.CachedRequests.ALL);
        ResponseCache.Lookup key = lookup(cache, null, request(0.0, false)).orElseThrow();

        // when
        cache.put(key, answer("degraded", new Attempt(Target.specialist("slm"), "large-models-unavailable")));

        // then
        assertThat(cache.get(key).blockOptional()).isEmpty();
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
        cache.put(lookup(cache, tenant, request).orElseThrow(), answer("for " + tenant, SLM));

        // when
        var theirs = cache.get(lookup(cache, other, request).orElseThrow()).blockOptional();
        var singleUser = cache.get(lookup(cache, null, request).orElseThrow()).blockOptional();

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
        ResponseCache.Lookup first = lookup(cache, "a", text("one")).orElseThrow();
        cache.put(first, answer("x".repeat(400), SLM));

        // when
        for (String word : new String[] {"two", "three", "four"}) {
            cache.put(lookup(cache, "a", text(word)).orElseThrow(), answer("x".repeat(400), SLM));
        }

        // then
        assertThat(cache.get(first).blockOptional()).isEmpty();
    }

    /** How the cache looks up a request routed to a specialist, that may leave the process. */
    static Optional<ResponseCache.Lookup> lookup(ResponseCache cache, String tenant, ChatCompletionRequest request) {
        return cache.lookup(tenant, request, decision(null));
    }

    /** The decision for a request; local-only when {@code localOnlyReason} is not null. */
    static RoutingDecision decision(String localOnlyReason) {
        Target target = Target.specialist("slm");
        return new RoutingDecision(
                "helpdesk",
                target,
                0.9,
                RoutingDecision.Reason.CONFIDENT,
                Map.of(),
                localOnlyReason,
                List.of(Attempt.of(target)));
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
