package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a conversation steers routing, and how much: the caller's user turns only, the last one
 * counting fully and each earlier one {@link #DECAY} times as much as the one after it, at most
 * {@link #MAX_USER_TURNS} of them, each cut to its first {@link #MAX_CHARACTERS} characters. System
 * messages, assistant turns and tool results never count: a caller's system prompt must not choose the
 * model, and assistant text was written by a model the router chose before. A turn with nothing readable
 * (only whitespace or invisible characters) does not count either.
 */
final class TurnWeights {

    static final double DECAY = 0.5;
    static final int MAX_USER_TURNS = 4;

    /**
     * The most characters of a turn embedded: about 1,000 word pieces, four times what the embedding
     * models read in one window, so a long turn costs a bounded, small number of windows.
     */
    static final int MAX_CHARACTERS = 4_000;

    private TurnWeights() {}

    /** A text and its weight in the conversation's embedding. */
    record WeightedText(String text, double weight) {}

    /** The weighted user turns, last turn first; empty when the conversation has no readable user text. */
    static List<WeightedText> of(List<ChatMessage> conversation) {
        List<WeightedText> turns = new ArrayList<>();
        double weight = 1;
        for (int i = conversation.size() - 1; i >= 0 && turns.size() < MAX_USER_TURNS; i--) {
            ChatMessage message = conversation.get(i);
            if (message != null && "user".equals(message.role())) {
                String text = message.text();
                if (ReadableText.has(text)) {
                    String cut = text.length() > MAX_CHARACTERS ? text.substring(0, MAX_CHARACTERS) : text;
                    turns.add(new WeightedText(ReadableText.wellFormed(cut), weight));
                    weight *= DECAY;
                }
            }
        }
        return turns;
    }
}
