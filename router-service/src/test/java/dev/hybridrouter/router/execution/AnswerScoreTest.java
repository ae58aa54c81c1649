package dev.hybridrouter.router.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.WireJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerScoreTest {

    @Test
    void should_score_the_tenth_percentile_token_probability_when_the_answer_has_logprobs() {
        // given: twenty tokens, probabilities 0.05, 0.10, ..., 1.00, in shuffled order
        List<Double> logprobs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            logprobs.add(Math.log(i * 0.05));
        }
        Collections.shuffle(logprobs, new java.util.Random(7));

        // when
        double score = AnswerScore.of(logprobs).orElseThrow();

        // then: the 2nd lowest of 20 (nearest rank, ceil(0.1 * 20))
        assertThat(score).isCloseTo(0.10, offset(1e-12));
    }

    @Test
    void should_score_the_least_sure_token_when_the_answer_has_under_ten_tokens() {
        assertThat(AnswerScore.of(List.of(Math.log(0.9), Math.log(0.2), Math.log(0.99)))
                        .orElseThrow())
                .isCloseTo(0.2, offset(1e-12));
    }

    @Test
    void should_pool_every_choice_of_a_whole_answer_and_have_no_score_without_logprobs() {
        // given
        ChatCompletion scored = WireJson.MAPPER.readValue(
                """
                {"choices":[
                  {"index":0,"message":{"role":"assistant","content":"a"},"logprobs":{"content":[{"token":"a","logprob":-0.1}]}},
                  {"index":1,"message":{"role":"assistant","content":"b"},"logprobs":{"content":[{"token":"b","logprob":-2.0}]}}]}""",
                ChatCompletion.class);
        ChatCompletion bare = WireJson.MAPPER.readValue(
                """
                {"choices":[{"index":0,"message":{"role":"assistant","content":"a"},"logprobs":null}]}""",
                ChatCompletion.class);

        // when, then
        assertThat(AnswerScore.of(scored).orElseThrow()).isCloseTo(Math.exp(-2.0), offset(1e-12));
        assertThat(AnswerScore.of(bare)).isEmpty();
    }

    @Test
    void should_judge_a_stream_prefix_once_it_has_its_tokens_or_meets_content_it_cannot_score() {
        // given
        StreamPrefix prefix = new StreamPrefix(2);
        StreamPrefix unscorable = new StreamPrefix(2);

        // when, then
        assertThat(prefix.accept(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null")))
                .isFalse();
        assertThat(prefix.accept(
                        chunk("{\"content\":\"Pay\"}", "{\"content\":[{\"token\":\"Pay\",\"logprob\":-0.5}]}")))
                .isFalse();
        assertThat(prefix.accept(
                        chunk("{\"content\":\" by\"}", "{\"content\":[{\"token\":\" by\",\"logprob\":-0.1}]}")))
                .isTrue();
        assertThat(prefix.accept(chunk("{\"content\":\" x\"}", "{\"content\":[{\"token\":\" x\",\"logprob\":-9}]}")))
                .isTrue();
        assertThat(prefix.score().orElseThrow()).isCloseTo(Math.exp(-0.5), offset(1e-12)); // the first two only
        assertThat(unscorable.accept(chunk("{\"content\":\"Pay\"}", "null"))).isTrue();
        assertThat(unscorable.score()).isEmpty();
    }

    private static ChatCompletionChunk chunk(String delta, String logprobs) {
        return WireJson.MAPPER.readValue(
                "{\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":" + logprobs + "}]}",
                ChatCompletionChunk.class);
    }
}
