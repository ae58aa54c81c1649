package dev.hybridrouter.gateway.wire;

/** Maps one caller-written string of a request or answer; see {@link Texts}. */
@FunctionalInterface
public interface TextMapper {

    /**
     * @param text the string as it is
     * @param kind what the string is
     * @return the string to put in its place (the same instance when unchanged)
     */
    String map(String text, Kind kind);

    /** What a string of the wire format is. */
    enum Kind {
        /**
         * Text that people or models wrote: message content, refusals, tool-call arguments, tool results,
         * tool and schema descriptions, and every string of a value the schema leaves open.
         */
        PROSE,
        /** Names and ids that other parts of the request refer to: tool and function names, tool-call ids. */
        IDENTIFIER
    }
}
