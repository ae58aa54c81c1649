package dev.hybridrouter.gateway.wire;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The JSON mapper for the wire format, on both sides of the router. Thread-safe; share it. */
public final class WireJson {

    /**
     * Duplicate keys are an error (last-one-wins would let {@code {"model":"auto","model":"cloud"}} mean two
     * things); numbers in opaque values keep their exact text; unknown fields land in {@code extra}.
     */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private WireJson() {}
}
