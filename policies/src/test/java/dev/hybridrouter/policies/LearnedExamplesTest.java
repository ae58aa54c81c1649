package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnedExamplesTest {

    private static final List<String> DOMAINS = List.of("orders", "billing");

    @TempDir
    Path directory;

    @Test
    void should_read_what_it_wrote_with_a_header_that_says_what_the_file_is() throws IOException {
        // given
        Path file = directory.resolve("shop" + LearnedExamples.SUFFIX);
        var learned = new LearnedExamples(
                Map.of("orders", List.of("where is my parcel", "it says: \"delivered\" # but no")),
                List.of("${HOME} is where the heart is", "- not a list item"));

        // when
        learned.write(file);

        // then
        assertThat(LearnedExamples.read(file, DOMAINS)).isEqualTo(learned);
        assertThat(Files.readString(file)).startsWith("# What this policy learned from labelled traffic");
        assertThat(directory.resolve("shop.learned.yaml.tmp")).doesNotExist();
    }

    @Property(tries = 200)
    void should_keep_every_text_exactly_as_it_was_learned(
            @ForAll @Size(max = 5) List<@NotEmpty String> examples,
            @ForAll @Size(max = 5) List<@NotEmpty String> outOfScope)
            throws IOException {
        // given
        Path file = Files.createTempFile("learned", LearnedExamples.SUFFIX);
        var learned = new LearnedExamples(Map.of("billing", examples), outOfScope);

        // when
        learned.write(file);
        LearnedExamples read = LearnedExamples.read(file, DOMAINS);

        // then
        assertThat(read.examples("billing")).isEqualTo(examples);
        assertThat(read.outOfScopeExamples()).isEqualTo(outOfScope);
        Files.delete(file);
    }

    @Test
    void should_read_nothing_learned_when_there_is_no_file() {
        assertThat(LearnedExamples.read(directory.resolve("none.learned.yaml"), DOMAINS))
                .isEqualTo(LearnedExamples.NONE);
    }

    @Test
    void should_name_file_and_line_of_a_domain_the_policy_no_longer_has_and_of_a_wrong_shape() throws IOException {
        // given
        Path renamed = Files.writeString(directory.resolve("a.learned.yaml"), "domains:\n  orders: [x]\n  bill: [y]\n");
        Path wrong = Files.writeString(directory.resolve("b.learned.yaml"), "out-of-scope-examples: nope\n");

        // when
        PolicyException renamedError =
                catchThrowableOfType(PolicyException.class, () -> LearnedExamples.read(renamed, DOMAINS));
        PolicyException wrongError =
                catchThrowableOfType(PolicyException.class, () -> LearnedExamples.read(wrong, DOMAINS));

        // then
        assertThat(renamedError.errors())
                .extracting(PolicyError::toString)
                .containsExactly(renamed + ":3:3: examples were learned for domain 'bill', which the policy does not"
                        + " have; did you mean 'billing'?; rename the entry to the domain's new name, or delete it");
        assertThat(wrongError.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.message()).contains("out-of-scope-examples");
        });
    }

    @Test
    void should_add_what_was_learned_to_a_policy_and_keep_everything_else_of_its_domains() {
        // given
        Policy policy = PolicyLoader.parse(
                "shop.yaml",
                """
                version: 1
                classifier: {out-of-scope-examples: [tell me a joke]}
                domains:
                  - name: orders
                    specialist: slm
                    threshold: 0.4
                    examples: [where is my parcel]
                    cascade: {band: [0.2, 0.4], min-score: 0.5}
                  - name: billing
                    specialist: slm
                    examples: [refund me]
                specialists:
                  slm: {provider: openai-compatible, base-url: 'http://localhost:8000/v1', model: qwen}
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                escalation: {large-model: cloud}
                """);

        // when
        Policy grown = policy.withLearned(new LearnedExamples(
                Map.of("orders", List.of("my box is late")), List.of("what is the capital of Peru")));

        // then
        Policy.Domain orders = grown.domain("orders").orElseThrow();
        Policy.Domain before = policy.domain("orders").orElseThrow();
        assertThat(orders.examples()).containsExactly("where is my parcel", "my box is late");
        assertThat(orders).usingRecursiveComparison().ignoringFields("examples").isEqualTo(before);
        assertThat(grown.domain("billing")).isEqualTo(policy.domain("billing"));
        assertThat(grown.classifier().outOfScopeExamples())
                .containsExactly("tell me a joke", "what is the capital of Peru");
        assertThat(grown)
                .usingRecursiveComparison()
                .ignoringFields("domains", "classifier")
                .isEqualTo(policy);
    }

    @Test
    void should_add_only_texts_not_learned_yet_whatever_they_were_learned_as() {
        // given
        var learned = new LearnedExamples(Map.of("orders", List.of("a")), List.of("b"));

        // when
        LearnedExamples more = learned.plus(new LearnedExamples(
                Map.of("orders", List.of("a", "c"), "billing", List.of("b", "d")), List.of("a", "e")));

        // then
        assertThat(more.examples("orders")).containsExactly("a", "c");
        assertThat(more.examples("billing")).containsExactly("d");
        assertThat(more.outOfScopeExamples()).containsExactly("b", "e");
        assertThat(more.size()).isEqualTo(5);
    }
}
