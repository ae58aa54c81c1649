package dev.hybridrouter.router.execution;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.redis.Redis;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * One policy's response cache: the whole answer to a request, kept for the same tenant and the same request,
 * byte for byte as the caller sent it, until its {@code ttl} passes; with the policy's {@code semantic} block, also
 * for single-turn requests whose user message means the same ({@link SemanticIndex}). Held in this process (Caffeine, bounded by
 * {@code max-size}, the least used going first), or with {@code router.redis.url} in Redis, shared by
 * every replica; answers to local-only requests are always held in this process, never in a shared store. A
 * changed policy starts empty: its compiled form has a new cache here, and its Redis keys carry a digest of the
 * policy. Streams, degraded answers and failures are never kept.
 */
public final class ResponseCache {

    private final Policy.CachedRequests requests;
    private final Duration ttl;
    private final Cache<String, Cached> answers;
    private final RedisAnswers shared;
    /** The semantic part, or null when the policy does not turn it on. */
    private final SemanticIndex semantic;
    /** {@code hybrid-router:cache:<policy>:}, the start of every Redis key of the policy, whatever its version. */
    private final String policyPrefix;
    /** The policy prefix and the policy's digest: the start of the Redis keys of this version of it. */
    private final String versionPrefix;

    /**
     * An answer as it was given.
     *
     * @param body the response body
     * @param attempt the model that gave it
     * @param usage its token counts, or null
     */
    public record Cached(byte[] body, Attempt attempt, Usage usage) {}

    /**
     * How a request is looked up and kept.
     *
     * @param key the exact key: the tenant and the SHA-256 of the request as read
     * @param localOnly the request must stay local, and so must its answer
     * @param route where the request was routed, whose similarity threshold the semantic part applies
     * @param probe what the semantic part looks the request up by, or null when it does not
     */
    public record Lookup(String key, boolean localOnly, String route, SemanticIndex.Probe probe) {}

    /**
     * A kept answer given again.
     *
     * @param similarity for a semantic hit, how close its user message was to the kept one's; null for an exact hit
     */
    public record Hit(Cached cached, Double similarity) {}

    /** What is stored in Redis before the body: who answered and the usage. */
    private record Header(Target.Kind kind, String name, Usage usage) {}

    /** A cache held in this process only, without its semantic part. */
    public ResponseCache(Policy.Cache settings, Clock clock) {
        this(settings, clock, "", "", null, null);
    }

    /**
     * The cache of a policy.
     *
     * @param version a digest of the policy, so that a changed policy does not give the answers of the old one
     * @param shared where answers that may leave the process are kept for every replica, or null for nowhere
     * @param embeddings the process's embeddings, for the semantic part when the policy turns it on
     */
    public ResponseCache(Policy policy, String version, Clock clock, RedisAnswers shared, EmbeddingCache embeddings) {
        this(
                policy.cache(),
                clock,
                policy.name(),
                version,
                shared,
                policy.cache().semantic() == null
                        ? null
                        : new SemanticIndex(
                                policy.cache().semantic(),
                                policy.cache().ttl(),
                                clock,
                                embeddings,
                                policy.classifier().embeddingModel()));
    }

    ResponseCache(
            Policy.Cache settings,
            Clock clock,
            String policy,
            String version,
            RedisAnswers shared,
            SemanticIndex semantic) {
        this.requests = settings.requests();
        this.ttl = settings.ttl();
        this.shared = shared;
        this.semantic = semantic;
        this.policyPrefix = Redis.PREFIX + "cache:" + policy + ":";
        this.versionPrefix = policyPrefix + version + ":";
        this.answers = Caffeine.newBuilder()
                .maximumWeight(settings.maxBytes())
                .<String, Cached>weigher((key, cached) -> key.length() + cached.body().length)
                .expireAfterWrite(settings.ttl())
                .ticker(ticker(clock))
                .executor(Runnable::run)
                .build();
    }

    /** Caffeine's time from the service's clock, so that tests can move it. */
    static Ticker ticker(Clock clock) {
        return () -> {
            var now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /**
     * How a request is looked up, or empty when its answer is not kept: the policy caches no such request, or it
     * asks for a stream.
     *
     * @param tenant the caller's tenant, or null in single-user mode
     */
    public Optional<Lookup> lookup(String tenant, ChatCompletionRequest request, RoutingDecision decision) {
        boolean cached =
                switch (requests) {
                    case OFF -> false;
                    case DETERMINISTIC -> request.temperature() != null && request.temperature() == 0;
                    case ALL -> true;
                };
        if (!cached || request.streaming()) {
            return Optional.empty();
        }
        String owner = tenant == null ? "" : tenant;
        return Optional.of(new Lookup(
                owner + "/" + Sha256.hex(WireJson.MAPPER.writeValueAsBytes(request)),
                decision.localOnly(),
                decision.route(),
                semantic == null
                        ? null
                        : semantic.probe(owner, decision.route(), request).orElse(null)));
    }

    /**
     * The answer kept for the same request, or else for a single-turn request whose user message means the same;
     * a local-only request's only from this process.
     */
    public Mono<Hit> get(Lookup lookup) {
        Mono<Hit> exact = answer(lookup.key(), lookup.localOnly()).map(cached -> new Hit(cached, null));
        if (lookup.probe() == null) {
            return exact;
        }
        return exact.switchIfEmpty(Mono.defer(() -> Mono.justOrEmpty(semantic.find(lookup.probe(), lookup.route()))
                .flatMap(match -> answer(match.key(), match.localOnly() || lookup.localOnly())
                        .map(cached -> new Hit(cached, match.similarity())))));
    }

    private Mono<Cached> answer(String key, boolean localOnly) {
        if (shared == null || localOnly) {
            return Mono.justOrEmpty(answers.getIfPresent(key));
        }
        return shared.get(versionPrefix + key).mapNotNull(ResponseCache::decode);
    }

    /** Keeps an answer, unless a fallback gave it; a local-only request's only in this process. */
    public void put(Lookup lookup, Cached answer) {
        if (answer.attempt().degraded()) {
            return;
        }
        if (shared == null || lookup.localOnly()) {
            answers.put(lookup.key(), answer);
        } else {
            shared.put(versionPrefix + lookup.key(), encode(answer), ttl);
        }
        if (lookup.probe() != null) {
            semantic.add(lookup.probe(), lookup.key(), lookup.localOnly());
        }
    }

    /** Forgets every kept answer of the policy, in this process and in Redis; how many there were. */
    public Mono<Long> purge() {
        long local = answers.estimatedSize();
        answers.invalidateAll();
        if (semantic != null) {
            semantic.clear();
        }
        if (shared == null) {
            return Mono.just(local);
        }
        return shared.purge(glob(policyPrefix) + "*").map(deleted -> local + deleted);
    }

    /** The header as JSON (which holds no raw newline), a newline, then the body. */
    private static byte[] encode(Cached answer) {
        byte[] header = WireJson.MAPPER.writeValueAsBytes(new Header(
                answer.attempt().target().kind(), answer.attempt().target().name(), answer.usage()));
        byte[] stored = Arrays.copyOf(header, header.length + 1 + answer.body().length);
        stored[header.length] = '\n';
        System.arraycopy(answer.body(), 0, stored, header.length + 1, answer.body().length);
        return stored;
    }

    /** The answer, or null (a miss) when the stored value is not one this version wrote. */
    private static Cached decode(byte[] stored) {
        int newline = indexOf(stored, (byte) '\n');
        if (newline < 0) {
            return null;
        }
        try {
            Header header =
                    WireJson.MAPPER.readValue(new String(stored, 0, newline, StandardCharsets.UTF_8), Header.class);
            return new Cached(
                    Arrays.copyOfRange(stored, newline + 1, stored.length),
                    Attempt.of(new Target(header.kind(), header.name())),
                    header.usage());
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** {@code text} as a Redis glob that matches it literally. */
    private static String glob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
