package dev.hybridrouter.router.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The in-process embedding models and a bounded cache of the embeddings they computed.
 *
 * <p>Keep one instance per process and hand it to every classifier, across policy reloads: each
 * model is loaded once, on first use, and identical texts are embedded once while they stay in the
 * cache. The models ship inside the application's jars; nothing is downloaded. Thread-safe.
 */
public final class EmbeddingCache {

    /** Id of all-MiniLM-L6-v2, quantised: 384 dimensions, about 4 ms per short message on one core. */
    public static final String ALL_MINILM_L6_V2_Q = "all-minilm-l6-v2-q";

    /** Id of BAAI bge-small-en-v1.5, quantised: 384 dimensions, about 8 ms per short message. */
    public static final String BGE_SMALL_EN_V15_Q = "bge-small-en-v15-q";

    /**
     * Id of the classifier's fast stage: {@link StaticEmbeddings} distilled from all-MiniLM-L6-v2, 256 dimensions,
     * microseconds per message. Never cached: each text is embedded as asked, which would only push the other models'
     * embeddings out of the cache.
     */
    public static final String STATIC_ALL_MINILM_L6_V2_Q = "all-minilm-l6-v2-q-static";

    /** Cached embeddings when no size is given: about 1.6 KB each, so about 16 MB in all. */
    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;

    private final Function<String, EmbeddingModel> loader;
    private final boolean caching;
    private final Map<String, EmbeddingModel> models = new ConcurrentHashMap<>();
    private final Cache<Key, float[]> cache;

    /**
     * @param maximumSize the most embeddings kept; 0 turns caching off
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public EmbeddingCache(long maximumSize) {
        this(EmbeddingCache::load, maximumSize);
    }

    EmbeddingCache(Function<String, EmbeddingModel> loader, long maximumSize) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must not be negative: " + maximumSize);
        }
        this.loader = loader;
        this.caching = maximumSize > 0;
        this.cache =
                Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    }

    /** A cache of {@link #DEFAULT_MAXIMUM_SIZE} embeddings. */
    public static EmbeddingCache ofDefaults() {
        return new EmbeddingCache(DEFAULT_MAXIMUM_SIZE);
    }

    /**
     * The embedding of one text, unit length.
     *
     * @param modelId {@link #ALL_MINILM_L6_V2_Q}, {@link #BGE_SMALL_EN_V15_Q} or {@link #STATIC_ALL_MINILM_L6_V2_Q}
     * @throws IllegalArgumentException if the model id is unknown
     */
    public float[] embed(String modelId, String text) {
        return embedAll(modelId, List.of(text)).get(0);
    }

    /**
     * The embeddings of several texts, in order, unit length; texts not cached are embedded in one
     * batch.
     *
     * @throws IllegalArgumentException if the model id is unknown
     */
    public List<float[]> embedAll(String modelId, List<String> texts) {
        EmbeddingModel model = model(modelId);
        if (model instanceof StaticEmbeddings table) {
            return texts.stream().map(table::vector).toList();
        }
        List<Key> keys = texts.stream().map(text -> new Key(modelId, text)).toList();
        Map<Key, float[]> embeddings = caching
                ? cache.getAll(keys, missing -> embedBatch(model, missing))
                : embedBatch(model, new LinkedHashSet<>(keys));
        return keys.stream().map(embeddings::get).toList();
    }

    /**
     * Loads a model now rather than on the first message, e.g. at start-up.
     *
     * @throws IllegalArgumentException if the model id is unknown
     */
    public void preload(String modelId) {
        model(modelId);
    }

    /**
     * What tells this model's embeddings from another build's of the same id: for the static embeddings, their
     * table's SHA-256 (each build distils its own); for the others, the id.
     *
     * @throws IllegalArgumentException if the model id is unknown
     */
    public String fingerprint(String modelId) {
        return model(modelId) instanceof StaticEmbeddings table ? table.fingerprint() : modelId;
    }

    /** Hits, misses and evictions since this cache was made. */
    public CacheStats stats() {
        return cache.stats();
    }

    private EmbeddingModel model(String modelId) {
        return models.computeIfAbsent(modelId, loader);
    }

    private static Map<Key, float[]> embedBatch(EmbeddingModel model, Set<? extends Key> keys) {
        List<Key> ordered = List.copyOf(keys);
        var embeddings = model.embedAll(ordered.stream()
                        .map(key -> TextSegment.from(key.text()))
                        .toList())
                .content();
        Map<Key, float[]> result = new HashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            result.put(ordered.get(i), Vectors.normalized(embeddings.get(i).vector()));
        }
        return result;
    }

    private static EmbeddingModel load(String modelId) {
        return switch (modelId) {
            case ALL_MINILM_L6_V2_Q -> OnnxEmbeddingModel.load(
                    AllMiniLmL6V2QuantizedEmbeddingModel.class,
                    "all-minilm-l6-v2-q.onnx",
                    "all-minilm-l6-v2-q-tokenizer.json",
                    PoolingMode.MEAN,
                    384);
            case BGE_SMALL_EN_V15_Q -> OnnxEmbeddingModel.load(
                    BgeSmallEnV15QuantizedEmbeddingModel.class,
                    "bge-small-en-v1.5-q.onnx",
                    "bge-small-en-v1.5-q-tokenizer.json",
                    PoolingMode.CLS,
                    384);
            case STATIC_ALL_MINILM_L6_V2_Q -> StaticEmbeddings.load();
            default -> throw new IllegalArgumentException("Unknown embedding model '" + modelId + "'; known: "
                    + ALL_MINILM_L6_V2_Q + ", " + BGE_SMALL_EN_V15_Q + ", " + STATIC_ALL_MINILM_L6_V2_Q);
        };
    }

    private record Key(String modelId, String text) {}
}
