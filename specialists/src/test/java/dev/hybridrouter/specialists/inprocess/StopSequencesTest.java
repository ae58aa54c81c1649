package dev.hybridrouter.specialists.inprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequencesTest {

    @Test
    void should_release_every_token_at_once_without_stop_sequences() {
        StopSequences stops = new StopSequences(List.of());

        assertThat(stops.accept("Hel")).containsExactly("Hel");
        assertThat(stops.accept("lo")).containsExactly("lo");
        assertThat(stops.flush()).isEmpty();
    }

    @Test
    void should_hold_back_a_tail_that_may_begin_a_stop_sequence_and_release_it_when_it_does_not() {
        StopSequences stops = new StopSequences(List.of("END"));

        assertThat(stops.accept("a")).containsExactly("a");
        assertThat(stops.accept("E")).isEmpty();
        assertThat(stops.accept("N")).isEmpty();
        assertThat(stops.accept("x")).containsExactly("E", "N", "x");
        assertThat(stops.matched()).isFalse();
    }

    @Test
    void should_cut_the_answer_before_a_stop_sequence_across_tokens() {
        StopSequences stops = new StopSequences(List.of("END"));
        List<String> out = new ArrayList<>();

        out.addAll(stops.accept("ok E"));
        out.addAll(stops.accept("N"));
        out.addAll(stops.accept("Dmore"));

        assertThat(out).containsExactly("ok ");
        assertThat(stops.matched()).isTrue();
        assertThat(stops.accept("later")).isEmpty();
        assertThat(stops.flush()).isEmpty();
    }

    @Test
    void should_cut_inside_a_token_that_contains_the_stop_sequence() {
        StopSequences stops = new StopSequences(List.of("\n\n"));

        assertThat(stops.accept("one")).containsExactly("one");
        assertThat(stops.accept(".\n\ntwo")).containsExactly(".");
        assertThat(stops.matched()).isTrue();
    }

    @Test
    void should_stop_at_the_earliest_of_several_stop_sequences() {
        StopSequences stops = new StopSequences(List.of("zz", "b"));

        assertThat(stops.accept("aabzz")).containsExactly("aa");
    }

    @Test
    void should_release_what_is_held_at_the_end_of_the_answer() {
        StopSequences stops = new StopSequences(List.of("###"));

        assertThat(stops.accept("x#")).containsExactly("x");
        assertThat(stops.accept("#")).isEmpty();
        assertThat(stops.flush()).containsExactly("#", "#");
    }

    @Test
    void should_release_a_held_character_that_cannot_start_the_overlapping_match() {
        StopSequences stops = new StopSequences(List.of("aab"));

        assertThat(stops.accept("a")).isEmpty();
        assertThat(stops.accept("a")).isEmpty();
        assertThat(stops.accept("a")).containsExactly("a");
        assertThat(stops.accept("b")).isEmpty();
        assertThat(stops.matched()).isTrue();
    }
}
