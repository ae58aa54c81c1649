package dev.hybridrouter.gateway.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** What every wire record does with the fields the schema does not name, and with its lists. */
final class Extra {

    /**
     * The JSON name of every record's {@code extra} component. Jackson would otherwise also bind a field the
     * caller happens to call {@code extra} to the component itself; under this name, which no schema uses,
     * every unknown field goes to {@code extra} instead.
     */
    static final String KEY = "\u0000extra";

    private Extra() {}

    /** The unknown fields, in the order they came, unmodifiable. */
    static Map<String, JsonNode> of(Map<String, JsonNode> extra) {
        return extra == null || extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * An unmodifiable copy that keeps {@code null} elements: a request may hold them (e.g. {@code
     * "tool_calls":[null]}), and the request checks name them instead of failing to read the request.
     */
    static <T> List<T> list(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
