package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingCacheTest {

    private final KeywordEmbeddingModel model = new KeywordEmbeddingModel("rain", "soup");
    private final List<String> loaded = new ArrayList<>();
    private final EmbeddingCache cache = new EmbeddingCache(
            id -> {
                loaded.add(id);
                return model;
            },
            100);

    @Test
    void should_embed_a_text_once_when_it_is_asked_for_again() {
        // given
        float[] first = cache.embed("m", "rain rain soup");

        // when
        float[] second = cache.embed("m", "rain rain soup");

        // then
        assertThat(model.embedded()).containsExactly("rain rain soup");
        assertThat(second).isSameAs(first);
        assertThat(cache.stats().hitCount()).isEqualTo(1);
    }

    @Test
    void should_embed_only_missing_texts_in_one_batch_when_some_are_cached() {
        // given
        cache.embed("m", "rain");

        // when
        List<float[]> vectors = cache.embedAll("m", List.of("soup", "rain", "soup other"));

        // then
        assertThat(model.embedded()).containsExactly("rain", "soup", "soup other");
        assertThat(vectors).hasSize(3);
        assertThat(vectors.get(1)).containsExactly(1f, 0f, 0f);
    }

    @Test
    void should_return_unit_vectors_when_the_model_does_not_normalise() {
        // when
        float[] vector = cache.embed("m", "rain soup");

        // then
        assertThat(vector[0]).isCloseTo((float) Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(Vectors.dot(vector, vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void should_load_each_model_once_when_used_many_times() {
        // when
        cache.embed("a", "rain");
        cache.embed("a", "soup");
        cache.embed("b", "rain");

        // then
        assertThat(loaded).containsExactly("a", "b");
        assertThat(model.embedded()).containsExactly("rain", "soup", "rain");
    }

    @Test
    void should_embed_every_time_when_the_cache_size_is_zero() {
        // given
        EmbeddingCache uncached = new EmbeddingCache(id -> model, 0);

        // when
        uncached.embed("m", "rain");
        uncached.embed("m", "rain");

        // then
        assertThat(model.embedded()).containsExactly("rain", "rain");
    }

    @Test
    void should_reject_an_unknown_model_id_when_embedding() {
        assertThatThrownBy(() -> EmbeddingCache.ofDefaults().embed("no-such-model", "hello"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-model")
                .hasMessageContaining(EmbeddingCache.ALL_MINILM_L6_V2_Q);
    }

    @Test
    void should_reject_a_negative_size_when_created() {
        assertThatThrownBy(() -> new EmbeddingCache(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
