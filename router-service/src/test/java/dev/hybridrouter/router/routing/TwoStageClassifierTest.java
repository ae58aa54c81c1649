package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.DomainClassifier.Classification;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Calibration;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoStageClassifierTest {

    /**
     * Both stages see "alarm", "music" and any other word on their own axes. The fast stage's regression puts each
     * keyword in its domain, the other words in "none"; the full stage's puts everything in music, so that which
     * stage decided shows in the scores.
     */
    private static final String POLICY =
            """
            version: 1
            name: two-stage
            classifier:
              fast-stage: {min-confidence: %s}
            domains:
              - name: alarm
                specialist: slm
                examples: [alarm]
                %s
              - name: music
                specialist: slm
                examples: [music]
            specialists:
              slm: {provider: openai-compatible, base-url: "http://localhost:8000/v1", model: slm}
            escalation: {large-model: large}
            large-models:
              large: {provider: openai, model: large, api-key-env: OPENAI_API_KEY}
            """;

    @TempDir
    Path dir;

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private KeywordEmbeddingModel fastModel;
    private KeywordEmbeddingModel fullModel;
    private EmbeddingDomainClassifier fast;
    private EmbeddingDomainClassifier full;

    @BeforeEach
    void stages() {
        fastModel = new KeywordEmbeddingModel("alarm", "music");
        fullModel = new KeywordEmbeddingModel("alarm", "music");
        EmbeddingCache embeddings = new EmbeddingCache(
                id -> id.equals(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q) ? fastModel : fullModel, 0);
        Calibration calibration = new Calibration(1, 0, 1);
        fast = EmbeddingDomainClassifier.restored(
                EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q,
                embeddings,
                List.of("alarm", "music"),
                SoftmaxRegression.of(new double[][] {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}}, new double[3]),
                calibration);
        full = EmbeddingDomainClassifier.restored(
                EmbeddingCache.ALL_MINILM_L6_V2_Q,
                embeddings,
                List.of("alarm", "music"),
                SoftmaxRegression.of(new double[][] {{0, 0, 0}, {10, 10, 10}, {0, 0, 0}}, new double[3]),
                calibration);
    }

    @Test
    void should_let_the_fast_stage_decide_when_it_is_sure_of_a_domain_without_embedding_with_the_full_model()
            throws IOException {
        // given
        DomainClassifier classifier = classifier("0.95", "");

        // when
        Classification classification = classifier.classify(List.of(ChatMessage.user("alarm")));

        // then
        assertThat(classification).isEqualTo(fast.classify(List.of(ChatMessage.user("alarm"))));
        assertThat(classification.scores().get("alarm")).isGreaterThan(0.95);
        assertThat(fullModel.embedded()).isEmpty();
        assertThat(decisions("fast")).isEqualTo(1);
        assertThat(decisions("full")).isZero();
    }

    @Test
    void should_leave_to_the_full_model_what_the_fast_stage_is_unsure_of() throws IOException {
        // given: the fast stage splits "alarm music" about evenly
        DomainClassifier classifier = classifier("0.95", "");

        // when
        Classification classification = classifier.classify(List.of(ChatMessage.user("alarm music")));

        // then
        assertThat(fast.classify(List.of(ChatMessage.user("alarm music")))
                        .scores()
                        .get("alarm"))
                .isBetween(0.4, 0.6);
        assertThat(classification).isEqualTo(full.classify(List.of(ChatMessage.user("alarm music"))));
        assertThat(decisions("fast")).isZero();
        assertThat(decisions("full")).isEqualTo(1);
    }

    @Test
    void should_leave_to_the_full_model_what_the_fast_stage_finds_out_of_scope() throws IOException {
        // given
        DomainClassifier classifier = classifier("0.5", "");

        // when
        Classification classification = classifier.classify(List.of(ChatMessage.user("weather")));

        // then
        assertThat(fast.classify(List.of(ChatMessage.user("weather"))).outOfScope())
                .isTrue();
        assertThat(classification).isEqualTo(full.classify(List.of(ChatMessage.user("weather"))));
        assertThat(decisions("full")).isEqualTo(1);
    }

    @Test
    void should_not_let_the_fast_stage_keep_local_below_the_domains_own_threshold() throws IOException {
        // given: alarm's threshold is above the fast stage's confidence in "alarm" (0.99991)
        DomainClassifier classifier = classifier("0.95", "threshold: 0.99995");

        // when
        Classification classification = classifier.classify(List.of(ChatMessage.user("alarm")));

        // then
        assertThat(classification).isEqualTo(full.classify(List.of(ChatMessage.user("alarm"))));
        assertThat(decisions("full")).isEqualTo(1);
    }

    @Test
    void should_judge_local_only_domains_with_the_full_model_even_when_the_fast_stage_is_sure_of_another()
            throws IOException {
        // given: music is local-only; the fast stage is sure "alarm" is alarm, the full model scores it music
        Policy policy = EmbeddingDomainClassifierTest.load(
                dir,
                POLICY.formatted("0.95", "")
                        .replace("examples: [music]", "examples: [music]\n    residency: local-only"));
        Router router = new Router(policy, TwoStageClassifier.of(policy, train(), meters), Set.of("auto"), 100);

        // when
        RoutingDecision decision = router.route(ChatCompletionRequest.of("auto", List.of(ChatMessage.user("alarm"))));

        // then
        assertThat(decision.route()).isEqualTo("alarm");
        assertThat(decisions("fast")).isEqualTo(1);
        assertThat(decision.localOnly()).isTrue();
        assertThat(decision.localOnlyReason()).contains("'music'");
    }

    @Test
    void should_be_the_full_classifier_alone_when_the_policy_turns_the_fast_stage_off() throws IOException {
        // given
        Policy policy = EmbeddingDomainClassifierTest.load(
                dir, POLICY.formatted("0.95", "").replace("{min-confidence: 0.95}", "{enabled: false}"));

        // when
        DomainClassifier classifier = TwoStageClassifier.of(policy, train(), meters);

        // then
        assertThat(classifier).isSameAs(full);
    }

    @Test
    void should_train_the_fast_stage_on_the_policys_inputs_with_the_static_embeddings() throws IOException {
        // given
        Policy policy = EmbeddingDomainClassifierTest.load(dir, POLICY.formatted("0.95", ""));
        List<Inputs> trained = new java.util.ArrayList<>();

        // when
        TwoStageClassifier.of(
                policy,
                inputs -> {
                    trained.add(inputs);
                    return train().apply(inputs);
                },
                meters);

        // then
        assertThat(trained)
                .containsExactly(
                        Inputs.of(policy),
                        Inputs.of(policy).withEmbeddingModel(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q));
    }

    private DomainClassifier classifier(String minConfidence, String alarmThreshold) throws IOException {
        Policy policy = EmbeddingDomainClassifierTest.load(dir, POLICY.formatted(minConfidence, alarmThreshold));
        return TwoStageClassifier.of(policy, train(), meters);
    }

    private Function<Inputs, EmbeddingDomainClassifier> train() {
        return inputs -> inputs.embeddingModel().equals(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q) ? fast : full;
    }

    private double decisions(String stage) {
        return meters.get(TwoStageClassifier.DECISIONS)
                .tags("policy", "two-stage", "stage", stage)
                .counter()
                .count();
    }
}
