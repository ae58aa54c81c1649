package dev.hybridrouter.router.capture;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Tool;
import java.time.Instant;
import java.util.List;

/**
 * One escalated exchange, written as one JSON line of a capture file: teacher data for distilling a
 * better specialist, in OpenAI's chat format.
 *
 * <p><b>Masked text only.</b> The caller passes the request exactly as it was sent to the large model and
 * the answer exactly as it came back, before placeholders are restored: personal data appears only as
 * placeholders such as {@code <EMAIL_1>}. Neither this record nor {@link JsonLinesWriter} ever sees the raw
 * values.
 *
 * @param time when the exchange happened
 * @param policy the policy (tenant) that routed it
 * @param domain the domain the classifier guessed
 * @param confidence the classifier's confidence in {@code domain}, in [0,1]
 * @param reason why it escalated, e.g. {@code low-confidence}, {@code out-of-scope}
 * @param largeModel the large model that answered
 * @param messages the conversation as sent upstream, masked
 * @param tools the tools the request offered, masked; empty when none
 * @param answer the large model's message (text, tool calls) as it came back, placeholders kept
 */
public record CapturedExchange(
        Instant time,
        String policy,
        String domain,
        double confidence,
        String reason,
        String largeModel,
        List<ChatMessage> messages,
        List<Tool> tools,
        ChatMessage answer) {

    public CapturedExchange {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
