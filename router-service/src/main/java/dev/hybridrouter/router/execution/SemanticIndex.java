package dev.hybridrouter.router.execution;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.Vectors;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The semantic part of a policy's response cache. For each kept answer to a single-turn request (one user message
 * of plain text, beside system or developer messages only), the embedding of that user message, filed under the
 * rest of the request: its tenant, its route and every other field and message, byte for byte. A request with the
 * same rest whose user message's embedding is close enough (cosine similarity at or above the route's threshold)
 * finds the kept answer's key. Multi-turn requests never match: an earlier answer to "and the second one?" is no
 * answer to another conversation's. Held in this process, bounded by {@code max-entries}, each entry leaving with
 * its answer's {@code ttl}.
 */
public final class SemanticIndex {

    /**
     * What a request is looked up by.
     *
     * @param shape the tenant, the route and the SHA-256 of the request without its user message's text
     * @param vector the embedding of the user message's text, unit length
     */
    public record Probe(String shape, float[] vector) {}

    /**
     * A kept answer close enough.
     *
     * @param key the exact cache key of the kept answer
     * @param localOnly whether the kept request was local-only (its answer is in this process only)
     * @param similarity the cosine similarity of the two user messages
     */
    record Match(String key, boolean localOnly, double similarity) {}

    private record Entry(String shape, float[] vector, boolean localOnly) {}

    private final Policy.Semantic settings;
    private final EmbeddingCache embeddings;
    private final String model;
    /** Entries by the exact key of their answer. */
    private final Cache<String, Entry> entries;
    /** The exact keys of the entries, by shape; kept in step with {@link #entries} by its removal listener. */
    private final ConcurrentMap<String, Set<String>> shapes = new ConcurrentHashMap<>();

    /**
     * @param model the embedding model of the policy's classifier, whose embeddings of the messages are mostly
     *     cached already
     */
    SemanticIndex(Policy.Semantic settings, Duration ttl, Clock clock, EmbeddingCache embeddings, String model) {
        this.settings = settings;
        this.embeddings = embeddings;
        this.model = model;
        this.entries = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfterWrite(ttl)
                .ticker(ResponseCache.ticker(clock))
                .executor(Runnable::run)
                .<String, Entry>removalListener((key, entry, cause) -> {
                    if (key != null && entry != null && cause != RemovalCause.REPLACED) {
                        shapes.computeIfPresent(entry.shape(), (shape, keys) -> {
                            keys.remove(key);
                            return keys.isEmpty() ? null : keys;
                        });
                    }
                })
                .build();
    }

    /**
     * The probe of a single-turn request routed to {@code route}, or empty for any other request. Embeds its user
     * message (mostly a cache hit: the classifier embedded it just before), so it runs where the classification
     * runs, off the event loops.
     */
    Optional<Probe> probe(String tenant, String route, ChatCompletionRequest request) {
        int user = -1;
        List<ChatMessage> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            switch (message.role()) {
                case "system", "developer" -> {}
                case "user" -> {
                    if (user >= 0
                            || message.content() == null
                            || message.content().string() == null) {
                        return Optional.empty();
                    }
                    user = i;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        if (user < 0 || messages.get(user).text().isBlank()) {
            return Optional.empty();
        }
        List<ChatMessage> rest = new ArrayList<>(messages);
        rest.set(user, messages.get(user).withContent(Content.of("")));
        String digest = Sha256.hex(WireJson.MAPPER.writeValueAsBytes(request.withMessages(rest)));
        return Optional.of(new Probe(
                tenant + "/" + route + "/" + digest,
                embeddings.embed(model, messages.get(user).text())));
    }

    /** The closest kept answer with the probe's shape, if it is close enough for {@code route}. */
    Optional<Match> find(Probe probe, String route) {
        Set<String> keys = shapes.get(probe.shape());
        if (keys == null) {
            return Optional.empty();
        }
        Match best = null;
        for (String key : keys) {
            Entry entry = entries.policy().getIfPresentQuietly(key); // a scan is no use of every entry
            if (entry == null) {
                continue;
            }
            double similarity = Vectors.dot(probe.vector(), entry.vector()); // both unit length: the cosine
            if (best == null || similarity > best.similarity()) {
                best = new Match(key, entry.localOnly(), similarity);
            }
        }
        return best != null && best.similarity() >= settings.similarity(route) ? Optional.of(best) : Optional.empty();
    }

    /** Files a kept answer's key under its request's probe. */
    void add(Probe probe, String key, boolean localOnly) {
        // in compute, atomic with the removal listener's computeIfPresent: a set it drops never takes a new key
        shapes.compute(probe.shape(), (shape, keys) -> {
            Set<String> filed = keys != null ? keys : ConcurrentHashMap.newKeySet();
            filed.add(key);
            return filed;
        });
        entries.put(key, new Entry(probe.shape(), probe.vector(), localOnly));
    }

    void clear() {
        entries.invalidateAll();
    }
}
