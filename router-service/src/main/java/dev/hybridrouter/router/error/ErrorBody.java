package dev.hybridrouter.router.error;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error JSON. All four keys are always present; {@code param} and {@code code} may be null. */
public record ErrorBody(Error error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {}
}
