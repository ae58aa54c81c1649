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
