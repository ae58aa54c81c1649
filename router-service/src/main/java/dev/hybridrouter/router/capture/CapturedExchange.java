package dev.hybridrouter.router.capture;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One escalated exchange, written as one JSON line of a capture file: teacher data for distilling a
 * better specialist.
 *
 * <p><b>Masked text only.</b> The caller passes the conversation exactly as it was sent to the large
 * model and the answer exactly as it came back, before placeholders are restored: personal data appears
 * only as placeholders such as {@code <EMAIL_1>}. Neither this record nor {@link CaptureWriter} ever sees
 * the raw values.
 *
 * @param time when the exchange happened
 * @param policy the policy (tenant) that routed it
 * @param domain the domain the classifier guessed
 * @param confidence the classifier's confidence in {@code domain}, in [0,1]
 * @param reason why it escalated, e.g. {@code low-confidence}, {@code out-of-scope}
 * @param largeModel the large model that answered
 * @param messages the conversation as sent upstream, masked
 * @param answer the large model's answer as it came back, placeholders kept
 * @param specialistDraft the specialist's answer, if one was drafted, else {@code null}
 */
public record CapturedExchange(
        Instant time,
        String policy,
        String domain,
        double confidence,
        String reason,
        String largeModel,
        List<Message> messages,
        String answer,
        String specialistDraft) {

    public CapturedExchange {
        messages = List.copyOf(messages);
    }

    /** A conversation in the capture's format; images and other non-text parts are left out. */
    public static List<Message> messages(List<ChatMessage> conversation) {
        return conversation.stream().map(CapturedExchange::message).toList();
    }

    private static Message message(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return new Message("system", system.text());
        }
        if (message instanceof UserMessage user) {
            return new Message(
                    "user",
                    user.contents().stream()
                            .filter(TextContent.class::isInstance)
                            .map(content -> ((TextContent) content).text())
                            .collect(Collectors.joining()));
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return new Message("tool", tool.text());
        }
        AiMessage ai = (AiMessage) message;
        return new Message("assistant", ai.text() == null ? "" : ai.text());
    }

    /**
     * One turn of the conversation, in OpenAI's chat format.
     *
     * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
     * @param content the turn's text, masked
     */
    public record Message(String role, String content) {}
}
