package dev.hybridrouter.policies;

/**
 * One problem found in a policy source.
 *
 * @param source the file (or other source name) the problem is in
 * @param line the 1-based line it starts on, or 0 when it concerns the whole source
 * @param column the 1-based column it starts at, or 0 when it concerns the whole source
 * @param message what is wrong and what is allowed
 */
public record PolicyError(String source, int line, int column, String message) {

    /** A problem with the whole source rather than one place in it, e.g. a file that cannot be read. */
    static PolicyError ofSource(String source, String message) {
        return new PolicyError(source, 0, 0, message);
    }

    /** {@code source:line:column: message}, or {@code source: message} without a position. */
    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column + ": " + message : source + ": " + message;
    }
}
