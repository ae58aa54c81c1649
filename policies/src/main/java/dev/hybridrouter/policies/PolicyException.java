package dev.hybridrouter.policies;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Policies that cannot be used. Carries every problem found, not just the first; the message lists
 * them one per line as {@code file:line:column: message}.
 */
public class PolicyException extends RuntimeException {

    private static final Comparator<PolicyError> BY_PLACE = Comparator.comparing(PolicyError::source)
            .thenComparingInt(PolicyError::line)
            .thenComparingInt(PolicyError::column);

    private final List<PolicyError> errors;

    /** @param errors the problems found; at least one */
    public PolicyException(List<PolicyError> errors) {
        super(format(errors));
        this.errors = errors.stream().sorted(BY_PLACE).toList();
    }

    /** The problems found, ordered by source, line and column. */
    public List<PolicyError> errors() {
        return errors;
    }

    private static String format(List<PolicyError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one error");
        }
        return errors.stream().sorted(BY_PLACE).map(PolicyError::toString).collect(Collectors.joining("\n"));
    }
}
