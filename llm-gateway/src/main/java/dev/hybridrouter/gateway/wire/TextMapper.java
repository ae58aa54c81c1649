package dev.hybridrouter.gateway.wire;

/** Maps one string of a request or answer; see {@link Texts}. */
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
        /**
         * Names the caller chose, which other parts of the request refer to: participant, tool and function
         * names, schema names and references, property names a schema requires, patterns.
         */
        NAME,
        /**
         * Ids a model or a client generated to tie parts of a conversation together: tool-call ids, a
         * tool message's {@code tool_call_id}, and every {@code id} field.
         */
        ID,
        /**
         * Values from a vocabulary the schema fixes: {@code role}, {@code type}, {@code detail}, the {@code
         * tool_choice} mode, {@code reasoning_effort}, {@code service_tier}, modalities, audio settings, JSON
         * Schema's {@code type} and {@code format}. A caller may still put anything there.
         */
        KEYWORD
    }
}
