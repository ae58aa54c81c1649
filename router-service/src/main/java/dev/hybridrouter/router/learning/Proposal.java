package dev.hybridrouter.router.learning;

import dev.hybridrouter.router.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One text the teacher labelled, with all its labels: what it would be learned as, and how sure that is.
 *
 * @param text the request's last user message
 * @param label the label most of its labels give (ties: the first given)
 * @param labels how many labels it has
 * @param agreement the share of them that give {@code label}
 * @param guess the classifier's best domain, at the last label
 * @param runnerUp the classifier's second-best domain, at the last label, or {@code null}
 */
public record Proposal(String text, String label, int labels, double agreement, String guess, String runnerUp) {

    /** Whether it would be learned as an out-of-scope example. */
    public boolean outOfScope() {
        return outOfScopeLabel(label);
    }

    /** Whether a label puts its text in no domain. */
    public static boolean outOfScopeLabel(String label) {
        return Label.NONE.equals(label);
    }

    /** Whether the label is a domain the classifier already had among its two best: the runner-up rule. */
    public boolean nearGuess() {
        return outOfScope() || label.equals(guess) || label.equals(runnerUp);
    }

    /**
     * The labelled texts, in the order they were first labelled, leaving out those already known (the policy's
     * examples, its out-of-scope examples and what it learned).
     */
    public static List<Proposal> of(Collection<Label> labels, Set<String> known) {
        Map<String, List<Label>> byText = labels.stream()
                .filter(label -> !known.contains(label.text()))
                .collect(Collectors.groupingBy(Label::text, LinkedHashMap::new, Collectors.toList()));
        List<Proposal> proposals = new ArrayList<>(byText.size());
        byText.forEach((text, all) -> {
            Map<String, Long> counts = all.stream()
                    .collect(Collectors.groupingBy(Label::label, LinkedHashMap::new, Collectors.counting()));
            String label = counts.entrySet().stream()
                    .max(Comparator.comparingLong(Map.Entry::getValue)) // max keeps the first of equals
                    .orElseThrow()
                    .getKey();
            Label last = all.get(all.size() - 1);
            proposals.add(new Proposal(
                    text, label, all.size(), (double) counts.get(label) / all.size(), last.guess(), last.runnerUp()));
        });
        return proposals;
    }

    /**
     * Whether a text is held back: never learned from, kept to judge each new classifier. Decided by the text's
     * SHA-256, so the same text is held back on every replica and after every restart.
     *
     * @param share the share of texts held back, in [0,1]
     */
    public static boolean heldBack(String text, double share) {
        String digest = Sha256.hex(text.getBytes(StandardCharsets.UTF_8));
        return Integer.parseInt(digest.substring(0, 6), 16) < share * (1 << 24);
    }
}
