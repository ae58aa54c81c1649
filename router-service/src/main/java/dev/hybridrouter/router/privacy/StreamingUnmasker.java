package dev.hybridrouter.router.privacy;

/**
 * Restores placeholders in one text that arrives in pieces, where a placeholder may be split across
 * pieces ({@code "Write to <EM"}, {@code "AIL_1> today"}). It holds back a trailing {@code <...} only while
 * it can still become a placeholder of the vault, so it never holds back more than the longest placeholder,
 * and passes any other {@code <} through. One per text of a stream; not thread-safe.
 */
final class StreamingUnmasker {

    private final Masking masking;
    private final StringBuilder pending = new StringBuilder();

    StreamingUnmasker(Masking masking) {
        this.masking = masking;
    }

    /**
     * @param piece the next piece of the text
     * @return the unmasked text that is safe to emit now, possibly empty
     */
    String accept(String piece) {
        pending.append(piece);
        int hold = pending.lastIndexOf("<");
        if (hold < 0 || !couldBecomePlaceholder(pending.substring(hold))) {
            hold = pending.length();
        }
        String ready = masking.unmask(pending.substring(0, hold));
        pending.delete(0, hold);
        return ready;
    }

    /** The text held back at the end of the text: an unfinished placeholder, emitted as it is. */
    String finish() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    private boolean couldBecomePlaceholder(String tail) {
        return masking.vault().keySet().stream()
                .anyMatch(placeholder -> placeholder.length() > tail.length() && placeholder.startsWith(tail));
    }
}
