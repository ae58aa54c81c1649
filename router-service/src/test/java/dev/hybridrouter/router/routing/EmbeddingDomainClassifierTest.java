package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.routing.DomainClassifier.Classification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classifier's mechanics, over an embedding model whose vectors are keyword counts. */
class EmbeddingDomainClassifierTest {

    static final String POLICY =
            """
            version: 1
            name: keywords
            classifier:
              embedding-model: all-minilm-l6-v2-q # ignored: the test's cache has one model
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

    @TempDir
    Path dir;

    private KeywordEmbeddingModel model;
    private EmbeddingDomainClassifier classifier;

    @BeforeEach
    void train() throws IOException {
        model = new KeywordEmbeddingModel("rain", "sun", "snow", "soup", "bake", "salt", "vpn", "laptop", "password");
        classifier = EmbeddingDomainClassifier.of(load(dir, POLICY), new EmbeddingCache(id -> model, 1_000));
    }

    @Test
    void should_give_the_highest_confidence_to_the_matching_domain_when_the_message_is_clear() {
        // when
        Classification classification = classify(ChatMessage.user("bake salt"));

        // then
        assertThat(best(classification)).isEqualTo("cooking");
        assertThat(classification.scores().get("cooking")).isGreaterThan(0.55);
        assertThat(classification.scores().values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum())
                .isCloseTo(1.0, within(1e-9));
        assertThat(classification.outOfScope()).isFalse();
    }

    @Test
    void should_flag_out_of_scope_when_the_message_shares_nothing_with_the_examples() {
        // when
        Classification classification = classify(ChatMessage.user("hello there my friend"));

        // then
        assertThat(classification.outOfScope()).isTrue();
    }

    @Test
    void should_weigh_the_previous_user_turn_half_when_the_conversation_has_two() {
        // given: "soup" then "rain" mixes 1 x rain + 0.5 x soup, the direction of "rain rain soup"
        Classification mixed = classify(ChatMessage.user("soup"), ChatMessage.user("rain"));

        // when
        Classification single = classify(ChatMessage.user("rain rain soup"));

        // then
        assertThat(mixed.scores()).allSatisfy((domain, score) -> assertThat(score)
                .isCloseTo(single.scores().get(domain), within(1e-6)));
    }

    @Test
    void should_follow_the_last_user_turn_when_the_topic_changes() {
        // when
        Classification classification = classify(ChatMessage.user("rain snow"), ChatMessage.user("soup bake"));

        // then
        assertThat(best(classification)).isEqualTo("cooking");
    }

    @Test
    void should_lean_on_earlier_user_turns_when_the_last_one_is_vague() {
        // given
        Classification alone = classify(ChatMessage.user("what about tomorrow"));

        // when
        Classification withHistory = classify(
                ChatMessage.user("vpn laptop"),
                ChatMessage.assistant("soup bake salt"),
                ChatMessage.user("what about tomorrow"));

        // then
        assertThat(best(withHistory)).isEqualTo("it");
        assertThat(withHistory.scores().get("it")).isGreaterThan(alone.scores().get("it"));
    }

    @Test
    void should_ignore_assistant_turns_and_tool_results_when_classifying() {
        // given
        Classification userOnly = classify(ChatMessage.user("vpn"), ChatMessage.user("what now"));

        // when
        Classification withOthers = classify(
                ChatMessage.user("vpn"),
                ChatMessage.assistant("bake bake soup"),
                ChatMessage.of("tool", "salt soup bake"),
                ChatMessage.user("what now"));

        // then
        assertThat(withOthers).isEqualTo(userOnly);
    }

    @Test
    void should_ignore_system_messages_when_they_point_at_another_domain() {
        // given
        Classification plain = classify(ChatMessage.user("rain sun"));

        // when
        Classification steered =
                classify(ChatMessage.system("soup bake salt soup bake salt"), ChatMessage.user("rain sun"));

        // then
        assertThat(steered).isEqualTo(plain);
    }

    @Test
    void should_embed_each_user_turn_once_when_a_conversation_grows() {
        // given
        int trainingTexts = model.embedded().size();
        classify(ChatMessage.user("rain now"));

        // when
        classify(ChatMessage.user("rain now"));
        classify(ChatMessage.user("rain now"), ChatMessage.assistant("it rains"), ChatMessage.user("snow later"));

        // then
        assertThat(model.embedded().subList(trainingTexts, model.embedded().size()))
                .containsExactly("rain now", "snow later");
    }

    @Test
    void should_be_out_of_scope_with_zero_scores_when_there_is_no_user_text() {
        // when
        Classification classification = classify(ChatMessage.system("rain rain"));

        // then
        assertThat(classification.outOfScope()).isTrue();
        assertThat(classification.scores())
                .containsOnlyKeys("weather", "cooking", "it")
                .containsValue(0.0);
    }

    @Test
    void should_report_its_calibration_when_trained() {
        // when
        EmbeddingDomainClassifier.Calibration calibration = classifier.calibration();

        // then
        assertThat(calibration.crossValidatedAccuracy()).isEqualTo(1.0);
        assertThat(calibration.temperature()).isBetween(0.05, 5.0);
        assertThat(calibration.rejectLevel()).isFinite();
    }

    @Test
    void should_route_by_a_single_example_when_a_domain_has_only_one() throws IOException {
        // given
        String oneExample = POLICY.replace(
                "examples: [soup now, bake soup, salt, bake bread, soup salt, salt bake]", "examples: [soup]");
        var trained = EmbeddingDomainClassifier.of(load(dir, oneExample), new EmbeddingCache(id -> model, 100));

        // when
        Classification classification = trained.classify(List.of(ChatMessage.user("soup soup")));

        // then
        assertThat(best(classification)).isEqualTo("cooking");
    }

    @Test
    void should_escalate_what_resembles_the_out_of_scope_examples_when_the_policy_gives_some() throws IOException {
        // given
        ChatMessage roadSalt = ChatMessage.user("snow salt");
        Classification without = classify(roadSalt);
        String withExamples = POLICY.replace(
                "  embedding-model: all-minilm-l6-v2-q # ignored: the test's cache has one model\n",
                "  embedding-model: all-minilm-l6-v2-q\n  out-of-scope-examples: [snow salt, salt snow, snow salt salt]\n");
        var trained = EmbeddingDomainClassifier.of(load(dir, withExamples), new EmbeddingCache(id -> model, 100));

        // when
        Classification with = trained.classify(List.of(roadSalt));

        // then
        assertThat(without.outOfScope()).isFalse();
        assertThat(with.outOfScope()).isTrue();
        assertThat(with.scores().values()).allSatisfy(score -> assertThat(score).isLessThan(0.55));
        assertThat(best(trained.classify(List.of(ChatMessage.user("bake salt")))))
                .isEqualTo("cooking");
        assertThat(trained.classify(List.of(ChatMessage.user("rain sun")))
                        .scores()
                        .get("weather"))
                .isGreaterThan(0.55);
    }

    private Classification classify(ChatMessage... conversation) {
        return classifier.classify(List.of(conversation));
    }

    static String best(Classification classification) {
        return classification.scores().entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
    }

    static Policy load(Path dir, String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "policy-", ".yaml");
        Files.writeString(file, yaml);
        return PolicyLoader.load(file);
    }
}
