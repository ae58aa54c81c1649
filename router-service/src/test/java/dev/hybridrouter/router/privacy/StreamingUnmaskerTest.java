package dev.hybridrouter.router.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamingUnmaskerTest {

    private static final Masking MASKING = new Masking(
            ChatCompletionRequest.of("auto", List.of()),
            Map.of(
                    "<EMAIL_1>", "jane@example.com",
                    "<PHONE_1>", "(650) 253-0000",
                    "<PATIENT_ID_12>", "PAT-123456"),
            Set.of());

    private static final String ANSWER =
            "Write to <EMAIL_1> or call <PHONE_1>; if a < b, quote <PATIENT_ID_12> and <EMAIL_2>.<EMAIL_1>";

    @Test
    void should_hold_back_a_placeholder_when_it_is_split_across_three_chunks() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

        List<String> emitted =
                List.of(unmasker.accept("Write to <EM"), unmasker.accept("AIL_"), unmasker.accept("1> today"));

        assertThat(emitted).containsExactly("Write to ", "", "jane@example.com today");
        assertThat(unmasker.finish()).isEmpty();
    }

    @Test
    void should_restore_a_placeholder_when_it_is_split_across_two_chunks() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

        assertThat(unmasker.accept("Call <PHONE")).isEqualTo("Call ");
        assertThat(unmasker.accept("_1> now")).isEqualTo("(650) 253-0000 now");
    }

    @Test
    void should_emit_the_same_text_as_a_whole_unmask_when_split_at_any_one_point() {
        String expected = MASKING.unmask(ANSWER);

        for (int i = 0; i <= ANSWER.length(); i++) {
            StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

            String streamed =
                    unmasker.accept(ANSWER.substring(0, i)) + unmasker.accept(ANSWER.substring(i)) + unmasker.finish();

            assertThat(streamed).as("split at %d", i).isEqualTo(expected);
        }
    }

    @Test
    void should_emit_the_same_text_as_a_whole_unmask_when_split_at_any_two_points() {
        String expected = MASKING.unmask(ANSWER);

        for (int i = 0; i <= ANSWER.length(); i++) {
            for (int j = i; j <= ANSWER.length(); j++) {
                StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

                String streamed = unmasker.accept(ANSWER.substring(0, i))
                        + unmasker.accept(ANSWER.substring(i, j))
                        + unmasker.accept(ANSWER.substring(j))
                        + unmasker.finish();

                assertThat(streamed).as("split at %d and %d", i, j).isEqualTo(expected);
            }
        }
    }

    @Test
    void should_emit_each_character_as_soon_as_it_cannot_start_a_placeholder_when_streamed_one_by_one() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);
        var emitted = new ArrayList<String>();

        for (char c : "ok <EMAIL_1>!".toCharArray()) {
            emitted.add(unmasker.accept(String.valueOf(c)));
        }

        assertThat(emitted).containsExactly("o", "k", " ", "", "", "", "", "", "", "", "", "jane@example.com", "!");
    }

    @Test
    void should_pass_a_less_than_sign_through_when_it_does_not_start_a_known_placeholder() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

        assertThat(unmasker.accept("a < b")).isEqualTo("a < b");
        assertThat(unmasker.accept(" and <b>bold</b>")).isEqualTo(" and <b>bold</b>");
    }

    @Test
    void should_stop_holding_back_when_the_text_can_no_longer_become_a_known_placeholder() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

        assertThat(unmasker.accept("see <EMAIL_1")).isEqualTo("see ");
        assertThat(unmasker.accept("2")).isEqualTo("<EMAIL_12");
        assertThat(unmasker.accept("> and <EMAIL_9> ok")).isEqualTo("> and <EMAIL_9> ok");
    }

    @Test
    void should_flush_a_dangling_partial_placeholder_when_finished() {
        StreamingUnmasker unmasker = new StreamingUnmasker(MASKING);

        assertThat(unmasker.accept("Bye <EMAIL_")).isEqualTo("Bye ");
        assertThat(unmasker.finish()).isEqualTo("<EMAIL_");
        assertThat(unmasker.finish()).isEmpty();
    }

    @Test
    void should_hold_nothing_back_when_the_vault_is_empty() {
        StreamingUnmasker unmasker =
                new StreamingUnmasker(new Masking(ChatCompletionRequest.of("auto", List.of()), Map.of(), Set.of()));

        assertThat(unmasker.accept("Write to <EM")).isEqualTo("Write to <EM");
    }
}
