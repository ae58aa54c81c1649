package dev.hybridrouter.router.privacy;

import dev.langchain4j.data.message.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A masked conversation and what it takes to restore the answer. Immutable; lives as long as one request.
 *
 * @param conversation the conversation with personal data replaced by placeholders such as {@code <EMAIL_1>}
 * @param vault each placeholder and the original value it stands for
 * @param keepLocalDetectors the detectors that found a value with action {@code KEEP_LOCAL}: when there is
 *     any, the request must not leave at all
 */
public record Masking(List<ChatMessage> conversation, Map<String, String> vault, Set<String> keepLocalDetectors) {

    /** Anything shaped like a placeholder; only those in the vault are replaced. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z0-9_]+_\\d+>");

    public Masking {
        conversation = List.copyOf(conversation);
        vault = Map.copyOf(vault);
        keepLocalDetectors = Set.copyOf(keepLocalDetectors);
    }

    /** Whether a value with action {@code KEEP_LOCAL} was found: the request must stay local. */
    public boolean keepLocal() {
        return !keepLocalDetectors.isEmpty();
    }

    /**
     * The text with every placeholder of the vault replaced by its original value; placeholders not in the
     * vault stay as they are.
     *
     * @param text a model's answer (text or tool call arguments), or {@code null}
     * @return the restored text, or {@code null} for {@code null}
     */
    public String unmask(String text) {
        if (text == null || vault.isEmpty()) {
            return text;
        }
        return PLACEHOLDER
                .matcher(text)
                .replaceAll(match -> Matcher.quoteReplacement(vault.getOrDefault(match.group(), match.group())));
    }

    /** Names the placeholders but not the values they stand for, so that logging a masking leaks nothing. */
    @Override
    public String toString() {
        return "Masking[conversation=" + conversation + ", placeholders=" + vault.keySet() + ", keepLocalDetectors="
                + keepLocalDetectors + "]";
    }

    /** A new unmasker for one streamed answer. */
    public StreamingUnmasker streamingUnmasker() {
        return new StreamingUnmasker(this);
    }
}
