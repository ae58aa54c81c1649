package dev.hybridrouter.router.privacy;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Texts;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A masked request and what it takes to restore the answer. Immutable; lives as long as one request.
 *
 * @param request the request with personal data replaced by placeholders such as {@code <EMAIL_1>}
 * @param vault each placeholder and the original value it stands for
 * @param keepLocalDetectors the detectors that found a value with action {@code KEEP_LOCAL}: when there is
 *     any, the request must not leave at all
 */
public record Masking(ChatCompletionRequest request, Map<String, String> vault, Set<String> keepLocalDetectors) {

    /** Anything shaped like a placeholder; only those in the vault are replaced. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z0-9_]+_\\d+>");

    public Masking {
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
     * @param text a model's text (content, refusal, tool-call arguments or name), or {@code null}
     */
    public String unmask(String text) {
        if (text == null || vault.isEmpty() || text.indexOf('<') < 0) {
            return text;
        }
        return PLACEHOLDER
                .matcher(text)
                .replaceAll(match -> Matcher.quoteReplacement(vault.getOrDefault(match.group(), match.group())));
    }

    /** A whole answer with every string of its messages restored: content, refusals, tool calls. */
    public ChatCompletion unmask(ChatCompletion completion) {
        if (vault.isEmpty()) {
            return completion;
        }
        return completion.withChoices(completion.choices().stream()
                .map(choice -> choice.message() == null
                        ? choice
                        : choice.withMessage(Texts.map(choice.message(), (text, kind) -> unmask(text))))
                .toList());
    }

    /** A new unmasker for one streamed answer. */
    public StreamUnmasker streamUnmasker() {
        return new StreamUnmasker(this);
    }

    /** Names the placeholders but not the values they stand for, so that logging a masking leaks nothing. */
    @Override
    public String toString() {
        return "Masking[placeholders=" + vault.keySet() + ", keepLocalDetectors=" + keepLocalDetectors + "]";
    }
}
