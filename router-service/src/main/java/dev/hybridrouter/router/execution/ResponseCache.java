package dev.hybridrouter.router.execution;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.routing.Attempt;
import java.time.Clock;
import java.util.Optional;

/**
 * One policy's exact response cache (Caffeine): the whole answer to a request, kept for the same tenant and the
 * same request, byte for byte as the caller sent it, until its {@code ttl} passes or memory is needed for newer
 * ones. It lives and dies with its policy's compiled form, so a changed policy starts empty. Streams, degraded
 * answers and failures are never kept.
 */
public final class ResponseCache {

    private final Policy.CachedRequests requests;
    private final Cache<String, Cached> answers;

    /**
     * An answer as it was given.
     *
     * @param body the response body
     * @param attempt the model that gave it
     * @param usage its token counts, or null
     */
    public record Cached(byte[] body, Attempt attempt, Usage usage) {}

    public ResponseCache(Policy.Cache settings, Clock clock) {
        this.requests = settings.requests();
        this.answers = Caffeine.newBuilder()
                .maximumWeight(settings.maxBytes())
                .<String, Cached>weigher((key, cached) -> key.length() + cached.body().length)
                .expireAfterWrite(settings.ttl())
                .ticker(() -> {
                    var now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                .executor(Runnable::run)
                .build();
    }

    /**
     * The key of a request whose answer may be kept, or empty: the tenant, and the SHA-256 of the request as read.
     *
     * @param tenant the caller's tenant, or null in single-user mode
     */
    public Optional<String> key(String tenant, ChatCompletionRequest request) {
        boolean cached =
                switch (requests) {
                    case OFF -> false;
                    case DETERMINISTIC -> request.temperature() != null && request.temperature() == 0;
                    case ALL -> true;
                };
        if (!cached || request.streaming()) {
            return Optional.empty();
        }
        return Optional.of(
                (tenant == null ? "" : tenant) + "/" + Sha256.hex(WireJson.MAPPER.writeValueAsBytes(request)));
    }

    public Optional<Cached> get(String key) {
        return Optional.ofNullable(answers.getIfPresent(key));
    }

    /** Keeps an answer, unless a fallback gave it. */
    public void put(String key, Cached answer) {
        if (!answer.attempt().degraded()) {
            answers.put(key, answer);
        }
    }

    /** Forgets every kept answer; returns how many there were. */
    public long purge() {
        long kept = answers.estimatedSize();
        answers.invalidateAll();
        return kept;
    }
}
