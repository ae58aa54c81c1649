package dev.hybridrouter.router.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hybridrouter.router.learning.Label;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulatedTeacherTest {

    static final List<String> DOMAINS = List.of("weather", "cooking", "it");

    @Test
    void should_give_a_wrong_label_at_the_error_rate_uniformly_among_the_other_labels_when_seeded() {
        // given
        SimulatedTeacher teacher = new SimulatedTeacher(DOMAINS, 0.2, new Random(7));

        // when
        List<String> labels = labels(teacher, "cooking", 20_000);

        // then
        Map<String, Long> counts =
                labels.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts).containsOnlyKeys("weather", "cooking", "it", Label.NONE);
        assertThat(counts.get("cooking") / 20_000.0).isCloseTo(0.8, within(0.01));
        for (String wrong : List.of("weather", "it", Label.NONE)) {
            assertThat(counts.get(wrong) / 20_000.0).isCloseTo(0.2 / 3, within(0.01));
        }
    }

    @Test
    void should_give_the_same_labels_when_the_seed_is_the_same() {
        // when
        List<String> first = labels(new SimulatedTeacher(DOMAINS, 0.5, new Random(3)), Label.NONE, 200);
        List<String> again = labels(new SimulatedTeacher(DOMAINS, 0.5, new Random(3)), Label.NONE, 200);
        List<String> other = labels(new SimulatedTeacher(DOMAINS, 0.5, new Random(4)), Label.NONE, 200);

        // then
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void should_always_give_the_truth_when_the_error_rate_is_zero_and_never_when_it_is_one() {
        assertThat(labels(new SimulatedTeacher(DOMAINS, 0, new Random(1)), "it", 1_000))
                .containsOnly("it");
        assertThat(labels(new SimulatedTeacher(DOMAINS, 1, new Random(1)), "it", 1_000))
                .doesNotContain("it")
                .contains("weather", "cooking", Label.NONE);
    }

    @Test
    void should_refuse_a_truth_that_is_no_label_and_an_error_rate_outside_zero_to_one() {
        SimulatedTeacher teacher = new SimulatedTeacher(DOMAINS, 0.1, new Random(1));
        assertThatThrownBy(() -> teacher.label("music"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'music' is no domain");
        assertThatThrownBy(() -> new SimulatedTeacher(DOMAINS, 1.5, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0,1]");
    }

    private static List<String> labels(SimulatedTeacher teacher, String truth, int n) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add(teacher.label(truth));
        }
        return labels;
    }
}
