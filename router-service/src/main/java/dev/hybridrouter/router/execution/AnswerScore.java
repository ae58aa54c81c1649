package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.Logprobs;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How sure a model was of its own answer, from its tokens' log-probabilities: the {@value #QUANTILE} quantile
 * (nearest rank) of the probabilities of the answer's content tokens, in [0,1]. A low quantile rather than the
 * mean, because an answer goes wrong at its few uncertain tokens, which a mean over many sure ones hides
 * (Gupta et al., "Language Model Cascades: Token-level uncertainty and beyond", ICLR 2024). An answer with no
 * content token log-probabilities (the server gave none, or the answer is only tool calls) has no score.
 */
public final class AnswerScore {

    /** The quantile of the answer's token probabilities that is its score. */
    public static final double QUANTILE = 0.1;

    private AnswerScore() {}

    /** The score of a whole answer, over the content tokens of all its choices; empty when it has none. */
    public static OptionalDouble of(ChatCompletion completion) {
        List<Double> logprobs = new ArrayList<>();
        for (ChatCompletion.Choice choice : completion.choices()) {
            add(choice.logprobs(), logprobs);
        }
        return of(logprobs);
    }

    /** The score of these token log-probabilities (natural logarithms); empty when there are none. */
    static OptionalDouble of(List<Double> logprobs) {
        double[] probabilities = logprobs.stream()
                .filter(logprob -> logprob != null && !logprob.isNaN())
                .mapToDouble(logprob -> Math.min(1, Math.exp(logprob)))
                .sorted()
                .toArray();
        if (probabilities.length == 0) {
            return OptionalDouble.empty();
        }
        int rank = (int) Math.ceil(QUANTILE * probabilities.length);
        return OptionalDouble.of(probabilities[Math.max(rank, 1) - 1]);
    }

    /** Adds the log-probabilities of these content tokens, if any. */
    static void add(Logprobs logprobs, List<Double> into) {
        if (logprobs != null) {
            logprobs.content().forEach(token -> into.add(token.logprob()));
        }
    }
}
