package dev.hybridrouter.policies;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a value sits in a policy's tree: property names and list indexes from the root. Prints as
 * people read it, e.g. {@code domains[0].threshold}.
 */
record Pointer(List<Object> segments) {

    static final Pointer ROOT = new Pointer(List.of());

    Pointer {
        segments = List.copyOf(segments);
    }

    Pointer property(String name) {
        return append(name);
    }

    Pointer index(int index) {
        return append(index);
    }

    private Pointer append(Object segment) {
        List<Object> longer = new ArrayList<>(segments);
        longer.add(segment);
        return new Pointer(longer);
    }

    Pointer parent() {
        return new Pointer(segments.subList(0, Math.max(0, segments.size() - 1)));
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    @Override
    public String toString() {
        if (segments.isEmpty()) {
            return "the policy";
        }
        StringBuilder path = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer) {
                path.append('[').append(segment).append(']');
            } else {
                path.append(path.length() == 0 ? "" : ".").append(segment);
            }
        }
        return path.toString();
    }
}
