package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatMessage;
import java.util.List;

/**
 * One evaluation item: a conversation and where it should go.
 *
 * @param line the 1-based line of the data file it came from
 * @param messages the conversation, as the router would receive it
 * @param label the domain it belongs to, or {@value #ESCALATE} when it should go to a large model
 */
public record LabeledConversation(int line, List<ChatMessage> messages, String label) {

    /** The label of conversations that no domain should take. */
    public static final String ESCALATE = "escalate";

    public LabeledConversation {
        messages = List.copyOf(messages);
    }

    /** Whether the label names a domain rather than {@value #ESCALATE}. */
    public boolean inScope() {
        return !ESCALATE.equals(label);
    }
}
