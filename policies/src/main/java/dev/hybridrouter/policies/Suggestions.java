package dev.hybridrouter.policies;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for misspelt keys and names. */
final class Suggestions {

    private Suggestions() {}

    /** The candidate closest to {@code typed}, if it is close enough to be a likely typo. */
    static Optional<String> closest(String typed, Collection<String> candidates) {
        return candidates.stream()
                .filter(candidate -> distance(typed, candidate) <= Math.max(2, candidate.length() / 2))
                .min(Comparator.comparingInt(candidate -> distance(typed, candidate)));
    }

    /** {@code "; did you mean 'x'?"} or an empty string. */
    static String didYouMean(String typed, Collection<String> candidates) {
        return closest(typed, candidates)
                .map(c -> "; did you mean '" + c + "'?")
                .orElse("");
    }

    /** Levenshtein distance, ignoring case. */
    static int distance(String a, String b) {
        String s = a.toLowerCase(java.util.Locale.ROOT);
        String t = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[t.length() + 1];
        int[] current = new int[t.length() + 1];
        for (int j = 0; j <= t.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= t.length(); j++) {
                int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length()];
    }
}
