package dev.hybridrouter.router.privacy;

import java.util.stream.Stream;

/** Finds the values of one kind of personal data in a text: candidates by pattern, then validated. */
@FunctionalInterface
interface Detector {

    /** Where the values are, in any order; they may overlap. */
    Stream<Span> find(String text);

    record Span(int start, int end) {}
}
