package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The first tokens of a cascade's streamed specialist answer, gathered until they can be judged: when {@code
 * tokens} content tokens have come with their log-probabilities, or a chunk says something (content, a tool call,
 * a refusal) without any, which cannot be scored. Not thread-safe: a stream's chunks come one at a time.
 */
final class StreamPrefix {

    private final int tokens;
    private final List<Double> logprobs = new ArrayList<>();
    private boolean unscorable;

    /** @param tokens the content tokens scored */
    StreamPrefix(int tokens) {
        this.tokens = tokens;
    }

    /** Takes the next chunk; true once the prefix can be judged, and for every chunk after. */
    boolean accept(ChatCompletionChunk chunk) {
        if (judgeable()) {
            return true; // what comes after the prefix is neither scored nor kept
        }
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
            boolean scored =
                    choice.logprobs() != null && !choice.logprobs().content().isEmpty();
            if (!scored && says(choice.delta())) {
                unscorable = true;
            }
            AnswerScore.add(choice.logprobs(), logprobs);
        }
        return judgeable();
    }

    private boolean judgeable() {
        return unscorable || logprobs.size() >= tokens;
    }

    /** The score of the first {@code tokens} tokens seen; empty when the prefix cannot be scored. */
    OptionalDouble score() {
        return unscorable
                ? OptionalDouble.empty()
                : AnswerScore.of(logprobs.subList(0, Math.min(tokens, logprobs.size())));
    }

    /** The content tokens seen so far: what the specialist generated of a stream that was cut. */
    int tokensSeen() {
        return logprobs.size();
    }

    private static boolean says(ChatMessage delta) {
        return delta != null
                && ((delta.content() != null && !delta.text().isEmpty())
                        || (delta.toolCalls() != null && !delta.toolCalls().isEmpty())
                        || (delta.refusal() != null && !delta.refusal().isEmpty())
                        || delta.functionCall() != null);
    }
}
