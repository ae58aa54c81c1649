package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The router's own ONNX sessions embed exactly as LangChain4j's models do; only the threading differs. */
class OnnxEmbeddingModelTest {

    private static final List<String> TEXTS = List.of(
            "my laptop will not connect to the VPN",
            "wake me up at seven tomorrow",
            "Wie viele Urlaubstage habe ich noch?",
            "a");

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(EmbeddingCache.ALL_MINILM_L6_V2_Q, new AllMiniLmL6V2QuantizedEmbeddingModel()),
                Arguments.of(EmbeddingCache.BGE_SMALL_EN_V15_Q, new BgeSmallEnV15QuantizedEmbeddingModel()));
    }

    @ParameterizedTest
    @MethodSource("models")
    void should_embed_as_langchain4j_does_when_run_on_the_routers_session(String modelId, EmbeddingModel reference) {
        // given
        EmbeddingCache cache = new EmbeddingCache(0);

        for (String text : TEXTS) {
            // when
            float[] ours = cache.embed(modelId, text);
            float[] theirs = Vectors.normalized(reference.embed(text).content().vector());

            // then
            assertThat(ours).hasSize(384).containsExactly(theirs, within(1e-5f));
        }
    }
}
