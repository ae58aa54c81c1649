package dev.hybridrouter.router.privacy;

import dev.hybridrouter.policies.Policy.PiiAction;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Masks one conversation. Numbering is per placeholder label, in order of first appearance. */
final class Masker {

    private final PiiDetector detector;
    private final List<ChatMessage> conversation;
    /** Every text of the conversation, so that no placeholder is handed out that it already contains. */
    private final String original;

    private final Map<String, String> placeholders = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> vault = new HashMap<>();
    private final Set<String> keepLocalDetectors = new HashSet<>();

    Masker(PiiDetector detector, List<ChatMessage> conversation) {
        this.detector = detector;
        this.conversation = conversation;
        var all = new StringBuilder();
        conversation.forEach(message -> mapText(message, text -> {
            all.append(text).append('\n');
            return text;
        }));
        this.original = all.toString();
    }

    Masking mask() {
        List<ChatMessage> masked = conversation.stream()
                .map(message -> mapText(message, this::mask))
                .toList();
        return new Masking(masked, vault, keepLocalDetectors);
    }

    private String mask(String text) {
        var masked = new StringBuilder(text.length());
        int at = 0;
        for (Finding finding : detector.find(text)) {
            if (finding.action() == PiiAction.KEEP_LOCAL) {
                keepLocalDetectors.add(finding.detector());
            }
            if (finding.action() != PiiAction.ALLOW) {
                masked.append(text, at, finding.start()).append(placeholder(finding));
                at = finding.end();
            }
        }
        return masked.append(text, at, text.length()).toString();
    }

    private String placeholder(Finding finding) {
        return placeholders.computeIfAbsent(finding.value(), value -> {
            String label = label(finding.detector());
            String placeholder;
            do {
                int n = counters.merge(label, 1, Integer::sum);
                placeholder = "<" + label + "_" + n + ">";
            } while (original.contains(placeholder));
            vault.put(placeholder, value);
            return placeholder;
        });
    }

    /** {@code EMAIL} stays {@code EMAIL}; {@code patient-id} becomes {@code PATIENT_ID}. */
    private static String label(String detector) {
        return detector.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    }

    /** The message with {@code f} applied to each of its texts; other content (images, ...) unchanged. */
    private static ChatMessage mapText(ChatMessage message, UnaryOperator<String> f) {
        if (message instanceof SystemMessage system) {
            return SystemMessage.from(f.apply(system.text()));
        }
        if (message instanceof UserMessage user) {
            return user.toBuilder().contents(mapContents(user.contents(), f)).build();
        }
        if (message instanceof AiMessage ai) {
            return ai.toBuilder()
                    .text(ai.text() == null ? null : f.apply(ai.text()))
                    .toolExecutionRequests(ai.toolExecutionRequests().stream()
                            .map(call -> call.arguments() == null
                                    ? call
                                    : call.toBuilder()
                                            .arguments(f.apply(call.arguments()))
                                            .build())
                            .toList())
                    .build();
        }
        if (message instanceof ToolExecutionResultMessage result) {
            return result.toBuilder()
                    .contents(mapContents(result.contents(), f))
                    .build();
        }
        return message;
    }

    private static List<Content> mapContents(List<Content> contents, UnaryOperator<String> f) {
        return contents.stream()
                .map(content -> content instanceof TextContent text ? TextContent.from(f.apply(text.text())) : content)
                .toList();
    }
}
