package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Trained classifiers on disk, with a predictable embedding model: what is read, what misses, what is kept. */
class ClassifierDiskCacheTest {

    static final String POLICY =
            """
            version: 1
            name: keywords
            classifier:
              embedding-model: all-minilm-l6-v2-q # the test's caches answer every id with one model
              out-of-scope-examples: [joke please, poem please]
            domains:
              - name: weather
                specialist: slm
                examples: [rain today, sun please, snow rain, rain sun, snow, sun snow tomorrow]
              - name: cooking
                specialist: slm
                examples: [soup now, bake soup, salt, bake bread, soup salt, salt bake]
              - name: it
                specialist: slm
                examples: [vpn down, laptop, password reset, laptop vpn, password, vpn laptop]
            specialists:
              slm: {provider: openai-compatible, base-url: "http://localhost:8000/v1", model: slm}
            escalation: {large-model: large}
            large-models:
              large: {provider: openai, model: large, api-key-env: OPENAI_API_KEY}
            """;

    private static final List<String> MESSAGES =
            List.of("bake salt", "rain", "vpn password laptop", "joke", "nothing known here", "snow soup");

    @TempDir
    Path policies;

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock();

    @Test
    void should_classify_like_the_trained_classifier_without_training_when_read_from_disk() throws IOException {
        // given
        Policy policy = load(POLICY);
        EmbeddingDomainClassifier trained =
                cache(new KeywordEmbeddingModel(KEYWORDS), 32).get(Inputs.of(policy));
        KeywordEmbeddingModel model = new KeywordEmbeddingModel(KEYWORDS);

        // when
        EmbeddingDomainClassifier read = cache(model, 32).get(Inputs.of(policy));

        // then
        assertThat(model.embedded()).as("texts embedded to train").isEmpty();
        assertThat(read.calibration()).isEqualTo(trained.calibration());
        for (String message : MESSAGES) {
            List<ChatMessage> conversation = List.of(ChatMessage.user(message));
            assertThat(read.classify(conversation)).as(message).isEqualTo(trained.classify(conversation));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "bake bread, bake cake",
        "joke please, joke now",
        "name: it, name: helpdesk",
        "embedding-model: all-minilm-l6-v2-q, embedding-model: bge-small-en-v15-q"
    })
    void should_train_again_when_what_training_reads_changes(String from, String to) throws IOException {
        // given
        cache(new KeywordEmbeddingModel(KEYWORDS), 32).get(Inputs.of(load(POLICY)));
        String changed = POLICY.replace(from, to);
        assertThat(changed).isNotEqualTo(POLICY);
        KeywordEmbeddingModel model = new KeywordEmbeddingModel(KEYWORDS);

        // when
        cache(model, 32).get(Inputs.of(load(changed)));

        // then
        assertThat(model.embedded()).as("texts embedded to train").isNotEmpty();
        assertThat(storedFiles()).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty", "truncated", "not JSON", "another format", "another key", "bias too short"})
    void should_train_again_and_overwrite_the_file_when_it_cannot_be_used(String damage) throws IOException {
        // given
        Policy policy = load(POLICY);
        EmbeddingDomainClassifier trained =
                cache(new KeywordEmbeddingModel(KEYWORDS), 32).get(Inputs.of(policy));
        Path file = storedFiles().get(0);
        String json = Files.readString(file);
        String key = file.getFileName().toString().replace(".json", "");
        String damaged =
                switch (damage) {
                    case "empty" -> "";
                    case "truncated" -> json.substring(0, json.length() / 2);
                    case "not JSON" -> "\u0000\u0001 not a classifier";
                    case "another format" -> json.replace("\"format\":" + ClassifierDiskCache.FORMAT, "\"format\":99");
                    case "another key" -> json.replace(key, "0".repeat(64));
                    case "bias too short" -> json.replaceFirst("\"bias\":\\[[^,]+,", "\"bias\":[");
                    default -> throw new IllegalArgumentException(damage);
                };
        assertThat(damaged).isNotEqualTo(json);
        Files.writeString(file, damaged);
        KeywordEmbeddingModel retrained = new KeywordEmbeddingModel(KEYWORDS);

        // when
        EmbeddingDomainClassifier classifier = cache(retrained, 32).get(Inputs.of(policy));

        // then
        assertThat(retrained.embedded()).as("texts embedded to train").isNotEmpty();
        assertThat(classifier.classify(List.of(ChatMessage.user("bake salt"))))
                .isEqualTo(trained.classify(List.of(ChatMessage.user("bake salt"))));
        KeywordEmbeddingModel reader = new KeywordEmbeddingModel(KEYWORDS);
        cache(reader, 32).get(Inputs.of(policy));
        assertThat(reader.embedded()).as("the file was overwritten").isEmpty();
    }

    @Test
    void should_delete_the_least_recently_used_files_when_more_are_kept_than_allowed() throws IOException {
        // given
        Policy first = load(POLICY.replace("bake bread", "bake one"));
        Policy second = load(POLICY.replace("bake bread", "bake two"));
        Policy third = load(POLICY.replace("bake bread", "bake three"));
        Files.createDirectories(dir());
        Path foreign = Files.writeString(dir().resolve("notes.txt"), "not a classifier");
        ClassifierDiskCache cache = cache(new KeywordEmbeddingModel(KEYWORDS), 2);
        cache.get(Inputs.of(first));
        clock.advance(Duration.ofMinutes(1));
        cache.get(Inputs.of(second));
        clock.advance(Duration.ofMinutes(1));
        cache.get(Inputs.of(first)); // read: now used more recently than the second

        // when
        clock.advance(Duration.ofMinutes(1));
        cache.get(Inputs.of(third));

        // then
        assertThat(storedFiles()).containsExactlyInAnyOrder(file(first), file(third));
        assertThat(foreign).exists();
    }

    @Test
    void should_serve_the_trained_classifier_when_the_directory_cannot_be_written() throws IOException {
        // given
        Files.writeString(dir(), "a file where the directory should be");
        Policy policy = load(POLICY);

        // when
        EmbeddingDomainClassifier classifier =
                cache(new KeywordEmbeddingModel(KEYWORDS), 32).get(Inputs.of(policy));

        // then
        assertThat(EmbeddingDomainClassifierTest.best(classifier.classify(List.of(ChatMessage.user("bake salt")))))
                .isEqualTo("cooking");
    }

    @Test
    void should_key_by_the_generic_requests_training_constants_and_format_as_well_as_the_policy() throws IOException {
        // given
        Policy policy = load(POLICY);

        // when
        JsonNode key = JsonMapper.builder()
                .build()
                .readTree(ClassifierDiskCache.Key.of(
                                Inputs.of(policy), Inputs.of(policy).embeddingModel())
                        .json());

        // then
        assertThat(key.path("format").asInt()).isEqualTo(ClassifierDiskCache.FORMAT);
        assertThat(key.path("genericRequests")).hasSize(GenericRequests.TEXTS.size());
        assertThat(key.path("genericRequests").get(0).asString()).isEqualTo(GenericRequests.TEXTS.get(0));
        JsonNode training = key.path("training");
        assertThat(training.path("lambda").asDouble()).isEqualTo(EmbeddingDomainClassifier.LAMBDA);
        assertThat(training.path("seed").asLong()).isEqualTo(EmbeddingDomainClassifier.SEED);
        assertThat(training.path("maxIterations").asInt()).isEqualTo(SoftmaxRegression.MAX_ITERATIONS);
        assertThat(key.path("inputs").path("outOfScopeExamples").get(1).asString())
                .isEqualTo("poem please");
    }

    private static final String[] KEYWORDS = {
        "rain", "sun", "snow", "soup", "bake", "salt", "vpn", "laptop", "password", "joke", "poem"
    };

    private ClassifierDiskCache cache(KeywordEmbeddingModel model, int maxFiles) {
        return new ClassifierDiskCache(dir(), maxFiles, new EmbeddingCache(id -> model, 1_000), clock);
    }

    private Path dir() {
        return root.resolve("classifiers");
    }

    private Path file(Policy policy) {
        return dir().resolve(ClassifierDiskCache.Key.of(
                                Inputs.of(policy), Inputs.of(policy).embeddingModel())
                        .sha256() + ".json");
    }

    private List<Path> storedFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(path -> path.toString().endsWith(".json")).toList();
        }
    }

    private Policy load(String yaml) throws IOException {
        return EmbeddingDomainClassifierTest.load(policies, yaml);
    }
}
