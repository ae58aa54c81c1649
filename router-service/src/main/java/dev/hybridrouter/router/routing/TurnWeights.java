package dev.hybridrouter.router.routing;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What of a conversation steers routing, and how much: the caller's user turns only, the last one
 * counting fully and each earlier one {@link #DECAY} times as much as the one after it, at most
 * {@link #MAX_USER_TURNS} of them. System messages, assistant turns and tool results never count:
 * a caller's system prompt must not choose the model, and assistant text was written by a model
 * the router chose before.
 */
final class TurnWeights {

    static final double DECAY = 0.5;
    static final int MAX_USER_TURNS = 4;

    private TurnWeights() {}

    /** A text and its weight in the conversation's embedding. */
    record WeightedText(String text, double weight) {}

    /** The weighted user turns, last turn first; empty when the conversation has no user text. */
    static List<WeightedText> of(List<ChatMessage> conversation) {
        List<WeightedText> turns = new ArrayList<>();
        double weight = 1;
        for (int i = conversation.size() - 1; i >= 0 && turns.size() < MAX_USER_TURNS; i--) {
            if (conversation.get(i) instanceof UserMessage user) {
                String text = text(user);
                if (!text.isBlank()) {
                    turns.add(new WeightedText(text, weight));
                    weight *= DECAY;
                }
            }
        }
        return turns;
    }

    private static String text(UserMessage message) {
        return message.contents().stream()
                .filter(TextContent.class::isInstance)
                .map(content -> ((TextContent) content).text())
                .collect(Collectors.joining("\n"));
    }
}
