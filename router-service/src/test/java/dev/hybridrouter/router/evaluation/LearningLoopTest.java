package dev.hybridrouter.router.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.evaluation.LearningLoop.Checkpoint;
import dev.hybridrouter.router.evaluation.LearningLoop.Message;
import dev.hybridrouter.router.learning.Label;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.DomainClassifier.Classification;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.KeywordEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's mechanics on synthetic traffic over an embedding model whose vectors are keyword counts: each domain
 * has six keywords, its examples only the first three, so messages with the other three escalate until they are
 * learned; a fourth set of keywords belongs to no domain.
 */
class LearningLoopTest {

    static final Map<String, List<String>> KEYWORDS = new LinkedHashMap<>();

    static {
        KEYWORDS.put("weather", List.of("rain", "sun", "snow", "fog", "wind", "hail"));
        KEYWORDS.put("cooking", List.of("soup", "bake", "salt", "roast", "stew", "fry"));
        KEYWORDS.put("it", List.of("vpn", "laptop", "password", "printer", "wifi", "modem"));
        KEYWORDS.put(Label.NONE, List.of("guitar", "song", "drum", "piano", "violin", "choir"));
    }

    static final List<String> DOMAINS = List.of("weather", "cooking", "it");
    static final List<String> FILLERS = List.of("now", "please", "today", "again", "later", "tomorrow", "here");

    @TempDir
    Path dir;

    private Policy start;
    private Function<Policy, DomainClassifier> trainer;
    private List<Message> stream;
    private List<LabeledConversation> test;
    private final Map<String, String> truth = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        StringBuilder yaml = new StringBuilder("version: 1\nname: keywords\ndomains:\n");
        for (String domain : DOMAINS) {
            List<String> known = KEYWORDS.get(domain).subList(0, 3);
            yaml.append("  - name: ")
                    .append(domain)
                    .append("\n    specialist: slm\n    examples: [")
                    .append(String.join(", ", known))
                    .append(", ")
                    .append(known.get(0) + " " + known.get(1) + ", ")
                    .append(known.get(1) + " " + known.get(2) + ", ")
                    .append(known.get(2) + " " + known.get(0))
                    .append("]\n");
        }
        yaml.append(
                """
                specialists:
                  slm: {provider: openai-compatible, base-url: "http://localhost:8000/v1", model: slm}
                escalation: {large-model: large}
                large-models:
                  large: {provider: openai, model: large, api-key-env: OPENAI_API_KEY}
                """);
        Path file = Files.createTempFile(dir, "policy-", ".yaml");
        Files.writeString(file, yaml);
        start = PolicyLoader.load(file);
        EmbeddingCache cache = new KeywordEmbeddingModel(
                        KEYWORDS.values().stream().flatMap(List::stream).toArray(String[]::new))
                .cache();
        trainer = policy -> EmbeddingDomainClassifier.of(policy, cache);

        Random random = new Random(11);
        List<String> truths = new ArrayList<>(KEYWORDS.keySet());
        stream = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String label = truths.get(i % truths.size());
            List<String> words = new ArrayList<>(KEYWORDS.get(label));
            Collections.shuffle(words, random);
            String text = words.get(0) + " " + words.get(1) + " " + FILLERS.get(random.nextInt(FILLERS.size()));
            stream.add(new Message(text, label));
            truth.putIfAbsent(text, label);
        }
        test = new ArrayList<>();
        for (String label : truths) {
            List<String> unseen = KEYWORDS.get(label).subList(3, 6);
            for (String first : unseen) {
                for (String second : unseen) {
                    if (!first.equals(second)) {
                        test.add(new LabeledConversation(
                                test.size() + 1,
                                List.of(ChatMessage.user(first + " " + second + " maybe")),
                                label.equals(Label.NONE) ? LabeledConversation.ESCALATE : label));
                    }
                }
            }
        }
    }

    @Test
    void should_learn_from_labelled_escalations_and_route_better_when_the_teacher_is_right() {
        // given
        LearningLoop loop = loop(new Policy.Automatic(1, false, 1_000, 0.2, 5, 20), OptionalInt.empty(), 0, trainer);

        // when
        List<Checkpoint> checkpoints = loop.run(stream, test, 100, 25);

        // then
        assertThat(checkpoints).extracting(Checkpoint::labelled).containsExactly(0, 25, 50, 75, 100);
        Checkpoint first = checkpoints.get(0);
        Checkpoint last = checkpoints.get(checkpoints.size() - 1);
        assertThat(first.accuracy()).isLessThan(0.2);
        assertThat(first.learned()).isZero();
        assertThat(last.accuracy()).isGreaterThan(0.9);
        assertThat(last.heldOutEscalated()).isEqualTo(1.0);
        assertThat(last.learned()).isGreaterThan(checkpoints.get(1).learned()).isGreaterThan(30);
        assertThat(last.learnedWrong()).isZero();
        assertThat(last.swaps()).isPositive();
        assertThat(last.rejected()).isZero();
        assertThat(last.heldBack()).isGreaterThanOrEqualTo(5);
        assertThat(last.streamed()).isLessThan(stream.size());
    }

    @Test
    void should_learn_wrong_labels_when_the_teacher_is_noisy_and_no_rule_filters_them() {
        // given
        Policy.Automatic rules = new Policy.Automatic(1, false, 1_000, 0.2, 5, 20);

        // when
        Checkpoint right = last(loop(rules, OptionalInt.empty(), 0, trainer).run(stream, test, 100, 100));
        Checkpoint noisy = last(loop(rules, OptionalInt.empty(), 0.5, trainer).run(stream, test, 100, 100));

        // then
        assertThat(right.learnedWrong()).isZero();
        assertThat((double) noisy.learnedWrong() / noisy.learned()).isBetween(0.3, 0.7);
    }

    @Test
    void should_keep_the_current_version_when_a_candidate_routes_the_held_back_texts_worse() {
        // given: every classifier after the first puts each message confidently in a domain that is not its own
        AtomicInteger trained = new AtomicInteger();
        Function<Policy, DomainClassifier> worse =
                policy -> trained.getAndIncrement() == 0 ? trainer.apply(policy) : this::wrongly;
        LearningLoop loop = loop(new Policy.Automatic(1, false, 1_000, 0.2, 5, 20), OptionalInt.empty(), 0, worse);

        // when
        List<Checkpoint> checkpoints = loop.run(stream, test, 100, 50);

        // then
        Checkpoint last = last(checkpoints);
        assertThat(trained.get()).isGreaterThan(1);
        assertThat(last.rejected()).isEqualTo(trained.get() - 1);
        assertThat(last.rejectedBetter()).isZero();
        assertThat(last.swaps()).isZero();
        assertThat(last.learned()).isZero();
        assertThat(checkpoints)
                .extracting(Checkpoint::accuracy)
                .containsOnly(checkpoints.get(0).accuracy());
    }

    @Test
    void should_learn_at_most_the_daily_cap_each_day_when_days_are_counted() {
        // given: a day of 10 escalated messages, at most 3 examples a day
        Policy.Automatic rules = new Policy.Automatic(1, false, 3, 0.2, 1, 5);

        // when
        List<Checkpoint> capped = loop(rules, OptionalInt.of(10), 0, trainer).run(stream, test, 60, 10);
        List<Checkpoint> free = loop(rules, OptionalInt.empty(), 0, trainer).run(stream, test, 60, 10);

        // then
        for (int day = 0; day < capped.size(); day++) {
            assertThat(capped.get(day).learned()).isLessThanOrEqualTo(3 * day);
        }
        assertThat(last(capped).learned()).isPositive();
        assertThat(last(free).learned()).isGreaterThan(18);
    }

    private LearningLoop loop(
            Policy.Automatic rules, OptionalInt day, double noise, Function<Policy, DomainClassifier> trainer) {
        return new LearningLoop(
                start, trainer, rules, day, new SimulatedTeacher(DOMAINS, noise, new Random(5)), message -> {});
    }

    /** Each message confidently in the domain after its own (a message of no domain: the first). */
    private Classification wrongly(List<ChatMessage> conversation) {
        String text = conversation.get(conversation.size() - 1).text();
        int own = DOMAINS.indexOf(truth.getOrDefault(text, Label.NONE));
        Map<String, Double> scores = new HashMap<>();
        DOMAINS.forEach(domain -> scores.put(domain, 0.0));
        scores.put(DOMAINS.get((own + 1) % DOMAINS.size()), 1.0);
        return new Classification(scores, false);
    }

    private static Checkpoint last(List<Checkpoint> checkpoints) {
        return checkpoints.get(checkpoints.size() - 1);
    }
}
