package dev.hybridrouter.policies;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems found in one policy source, so that all of them are reported at once. */
final class Problems {

    private final String source;
    private final List<PolicyError> errors = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(Position at, String message) {
        errors.add(new PolicyError(source, at.line(), at.column(), message));
    }

    void addForSource(String message) {
        errors.add(PolicyError.ofSource(source, message));
    }

    PolicyException exception() {
        return new PolicyException(errors);
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw exception();
        }
    }
}
