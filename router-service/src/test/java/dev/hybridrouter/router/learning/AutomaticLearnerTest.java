package dev.hybridrouter.router.learning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.Router;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic learning with the real in-process classifier: labels that meet the rules become examples when the new
 * classifier routes the held-back texts no worse, and are left to review when it routes them worse.
 */
class AutomaticLearnerTest {

    private static final EmbeddingCache EMBEDDINGS = EmbeddingCache.ofDefaults();
    private static final Function<Policy, DomainClassifier> CLASSIFIERS =
            policy -> EmbeddingDomainClassifier.of(policy, EMBEDDINGS);

    @TempDir
    Path directory;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicReference<ActivePolicy> serving = new AtomicReference<>();
    private final AtomicInteger reloads = new AtomicInteger();

    @Test
    void should_learn_labels_that_meet_the_rules_when_the_new_classifier_routes_the_held_back_texts_no_worse()
            throws IOException {
        // given: an example learned before, one held-back text, and two texts that meet the rules
        new LearnedExamples(Map.of("billing", List.of("refund my double charge")), List.of()).write(learnedFile());
        String before = Files.readString(learnedFile());
        AutomaticLearner learner = learner(2, true);
        String heldBack = text(true, "I was charged twice for order %d");
        List<String> learned =
                List.of(text(false, "the courier lost my package %d"), text(false, "my box %d never came"));

        // when
        learner.accept(label(heldBack, "billing"));
        learner.accept(label(learned.get(0), "shipping"));
        learner.accept(label(learned.get(1), "shipping"));

        // then
        LearnedExamples file = LearnedExamples.read(learnedFile(), List.of("billing", "shipping"));
        assertThat(file.examples("shipping")).containsExactlyElementsOf(learned);
        assertThat(file.examples("billing")).containsExactly("refund my double charge");
        assertThat(learnedFile().resolveSibling("shop.learned.yaml.previous")).hasContent(before);
        assertThat(meters.get("router.learning.held.back.routed.right").gauge().value())
                .isBetween(0.0, 1.0);
        assertThat(serving.get().policy().domain("shipping").orElseThrow().examples())
                .containsAll(learned);
        assertThat(serving.get().policy().domain("billing").orElseThrow().examples())
                .doesNotContain(heldBack);
        assertThat(reloads).hasValue(1);
        assertThat(versions("swapped")).isEqualTo(1);
    }

    @Test
    void should_keep_the_classifier_and_leave_the_labels_to_review_when_the_new_one_routes_the_held_back_worse() {
        // given: shipping texts the classifier routes right, held back; a teacher that calls the same kind billing
        AutomaticLearner learner = learner(8, false);
        IntStream.range(0, 8)
                .forEach(i -> learner.accept(
                        label(text(true, "where is my parcel, it has not arrived " + i + " %d"), "shipping")));
        List<String> wrong = IntStream.range(0, 8)
                .mapToObj(i -> text(false, "where is my parcel, it has not arrived " + i + " %d"))
                .toList();

        // when
        wrong.forEach(text -> learner.accept(label(text, "billing")));
        learner.accept(label(text(false, "where did my delivery go %d"), "billing"));

        // then
        assertThat(learnedFile()).doesNotExist();
        assertThat(reloads).hasValue(0);
        assertThat(versions("rejected")).isEqualTo(1);
        assertThat(versions("swapped")).isZero();
    }

    private AutomaticLearner learner(int retrainEvery, boolean runnerUp) {
        Policy policy = PolicyLoader.parse(
                "shop.yaml",
                """
                version: 1
                classifier: {threshold: 0.3}
                domains:
                  - name: billing
                    specialist: slm
                    examples: [why was I charged twice, I need a copy of my invoice, refund my last payment,
                               my card was declined, update my billing address, cancel my subscription]
                  - name: shipping
                    specialist: slm
                    examples: [where is my parcel, my order has not arrived, change my delivery address,
                               the package arrived damaged, how long does shipping take, track my order]
                specialists:
                  slm: {provider: openai-compatible, base-url: 'http://localhost:8000/v1', model: qwen}
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                escalation: {large-model: cloud}
                learning:
                  directory: %s
                  mode: automatic
                  automatic: {retrain-every: %d, min-held-back: 1, runner-up: %s}
                """
                        .formatted(directory, retrainEvery, runnerUp));
        serving.set(active(policy));
        Runnable reload = () -> {
            reloads.incrementAndGet();
            serving.set(
                    active(policy.withLearned(LearnedExamples.read(learnedFile(), List.of("billing", "shipping")))));
        };
        return new AutomaticLearner(
                "shop", policy.learning(), serving::get, CLASSIFIERS, reload, Clock.systemUTC(), meters, List.of());
    }

    private static ActivePolicy active(Policy policy) {
        return new ActivePolicy(
                new Router(policy, CLASSIFIERS.apply(policy), Set.of("auto"), 100),
                Map.of(),
                Map.of(),
                null,
                new ResponseCache(policy.cache(), Clock.systemUTC()),
                null);
    }

    private Path learnedFile() {
        return directory.resolve("shop" + LearnedExamples.SUFFIX);
    }

    /** The first of {@code pattern} numbered 0, 1, ... that is held back (or not) at the default share. */
    private static String text(boolean heldBack, String pattern) {
        return IntStream.range(0, 1000)
                .mapToObj(i -> pattern.formatted(i))
                .filter(text -> Proposal.heldBack(text, 0.2) == heldBack)
                .findFirst()
                .orElseThrow();
    }

    private static Label label(String text, String label) {
        return new Label(Instant.EPOCH, "shop", text, "billing", 0.4, "shipping", "low-confidence", label, "cloud");
    }

    private double versions(String outcome) {
        Counter counter =
                meters.find("router.learning.versions").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
