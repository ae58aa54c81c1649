package dev.hybridrouter.router.routing;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * A predictable embedding model for tests: one dimension per keyword, counting its occurrences, plus
 * one dimension for every other word. Counts how many texts it embedded.
 */
public final class KeywordEmbeddingModel implements EmbeddingModel {

    private final List<String> keywords;
    private final List<String> embedded = new ArrayList<>();

    public KeywordEmbeddingModel(String... keywords) {
        this.keywords = List.of(keywords);
    }

    /** A cache whose every model id is this model, for classifiers outside this package. */
    public EmbeddingCache cache() {
        return new EmbeddingCache(id -> this, 10_000);
    }

    @Override
    public synchronized Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<Embedding> embeddings = new ArrayList<>();
        for (TextSegment segment : segments) {
            embedded.add(segment.text());
            float[] vector = new float[keywords.size() + 1];
            for (String word : segment.text().split("\\s+")) {
                int index = keywords.indexOf(word);
                vector[index >= 0 ? index : keywords.size()] += 1;
            }
            embeddings.add(Embedding.from(vector));
        }
        return Response.from(embeddings);
    }

    /** Every text embedded so far, in order, repeats included. */
    synchronized List<String> embedded() {
        return List.copyOf(embedded);
    }
}
