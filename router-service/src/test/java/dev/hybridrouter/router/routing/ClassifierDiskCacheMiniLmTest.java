package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A classifier read from disk against the one trained, with the real in-process all-MiniLM-L6-v2 model, on the
 * policy of {@link EmbeddingDomainClassifierMiniLmTest} (3 domains x 8 examples).
 */
class ClassifierDiskCacheMiniLmTest {

    private static final List<List<ChatMessage>> CONVERSATIONS = List.of(
            List.of(ChatMessage.user("what goes into a good curry")),
            List.of(ChatMessage.user("is it going to be sunny in Rome on Sunday")),
            List.of(ChatMessage.user("my keyboard stopped working after I spilled coffee on it")),
            List.of(ChatMessage.user("tell me a joke")),
            List.of(ChatMessage.user("what is the derivative of x squared")),
            List.of(ChatMessage.user("will it rain in Oslo?"), ChatMessage.user("how about tomorrow?")),
            List.of(ChatMessage.user("")));

    @TempDir
    static Path root;

    /** Shared by the trained and the read classifier, so that both classify the same vectors. */
    static EmbeddingCache embeddings;

    static Policy policy;
    static EmbeddingDomainClassifier trained;

    @BeforeAll
    static void train() throws IOException {
        embeddings = EmbeddingCache.ofDefaults();
        policy = EmbeddingDomainClassifierTest.load(root, EmbeddingDomainClassifierMiniLmTest.POLICY);
        trained = cache().get(Inputs.of(policy));
    }

    @Test
    void should_score_exactly_like_the_trained_classifier_when_read_from_disk() {
        // given
        long embedded = embeddings.stats().requestCount();

        // when
        EmbeddingDomainClassifier read = cache().get(Inputs.of(policy));

        // then
        assertThat(embeddings.stats().requestCount())
                .as("texts embedded to train")
                .isEqualTo(embedded);
        assertThat(read).isNotSameAs(trained);
        assertThat(read.calibration()).isEqualTo(trained.calibration());
        for (List<ChatMessage> conversation : CONVERSATIONS) {
            assertThat(read.classify(conversation))
                    .as(conversation.toString())
                    .isEqualTo(trained.classify(conversation));
        }
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("give me a recipe for pancakes", "give me a recipe for waffles"),
                Arguments.of(
                        "  threshold: 0.55\n",
                        "  threshold: 0.55\n  out-of-scope-examples: [write me a poem about the sea]\n"),
                Arguments.of("embedding-model: all-minilm-l6-v2-q", "embedding-model: bge-small-en-v15-q"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("changes")
    void should_train_again_when_an_example_an_out_of_scope_example_or_the_model_changes(String from, String to)
            throws IOException {
        // given
        String yaml = EmbeddingDomainClassifierMiniLmTest.POLICY.replace(from, to);
        assertThat(yaml).isNotEqualTo(EmbeddingDomainClassifierMiniLmTest.POLICY);
        Policy changed = EmbeddingDomainClassifierTest.load(root, yaml);
        long embedded = embeddings.stats().requestCount();
        List<Path> before = files();

        // when
        cache().get(Inputs.of(changed));

        // then
        assertThat(embeddings.stats().requestCount())
                .as("texts embedded to train")
                .isGreaterThan(embedded);
        assertThat(files()).hasSize(before.size() + 1).containsAll(before);
    }

    private static ClassifierDiskCache cache() {
        return new ClassifierDiskCache(root.resolve("classifiers"), 32, embeddings, Clock.systemUTC());
    }

    private static List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("classifiers"))) {
            return files.toList();
        }
    }
}
