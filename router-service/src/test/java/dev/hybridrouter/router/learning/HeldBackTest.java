package dev.hybridrouter.router.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** When a candidate classifier counts as routing the held-back texts worse: beyond chance, not by one text. */
class HeldBackTest {

    @Test
    void should_give_the_exact_binomial_upper_tail_of_a_fair_coin() {
        assertThat(HeldBack.upperTail(0, 10)).isEqualTo(1.0, within(1e-12));
        assertThat(HeldBack.upperTail(10, 10)).isEqualTo(1 / 1024.0, within(1e-12));
        assertThat(HeldBack.upperTail(8, 10)).isEqualTo(56 / 1024.0, within(1e-12)); // C(10,8)+C(10,9)+C(10,10)
        assertThat(HeldBack.upperTail(1_600, 3_000)).isBetween(1e-5, 1e-3); // no underflow on thousands of texts
    }

    @Test
    void should_judge_a_candidate_worse_only_when_it_loses_clearly_more_of_the_texts_where_the_two_differ() {
        // a candidate that loses 3 texts and wins 1 of 100 could be as good: 4 disagreements say little
        assertThat(new HeldBack.Comparison(100, 80, 78, 3, 1).worse()).isFalse();
        // losing 9 and winning none: a fair coin does that once in 512
        assertThat(new HeldBack.Comparison(100, 80, 71, 9, 0).worse()).isTrue();
        // fewer right overall never makes a winner worse, nor does a tie
        assertThat(new HeldBack.Comparison(100, 80, 85, 0, 5).worse()).isFalse();
        assertThat(new HeldBack.Comparison(100, 80, 80, 6, 6).worse()).isFalse();
    }
}
