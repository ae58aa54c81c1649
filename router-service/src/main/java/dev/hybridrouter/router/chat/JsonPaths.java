package dev.hybridrouter.router.chat;

import dev.hybridrouter.gateway.wire.Content;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;

/** Jackson's failures in the caller's words: JSON paths and JSON types, never Java ones. */
final class JsonPaths {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate Object property \"(.*)\"");

    private JsonPaths() {}

    /** The JSON path of a failure, e.g. {@code messages[0].content}; empty for the whole body. */
    static String of(JacksonException failure) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : failure.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** What a field should have been, as a JSON type: {@code a string}, {@code an array}, ... */
    static String expected(MismatchedInputException mismatch) {
        Class<?> type = mismatch.getTargetType();
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == Content.class) {
            return "a string or an array of content parts";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type == JsonNode.class) {
            return "a JSON value";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "another type";
    }

    /** A body that is not JSON at all, or JSON the router refuses to read. */
    static String describe(JacksonException malformed) {
        String message = malformed.getOriginalMessage();
        Matcher duplicate = DUPLICATE.matcher(message);
        if (duplicate.find()) {
            return "The request body has the key '" + duplicate.group(1) + "' twice in one object";
        }
        if (malformed instanceof StreamConstraintsException) {
            return "The request body is nested too deeply or has a value too large to read";
        }
        return "The request body is not valid JSON: "
                + message.lines().findFirst().orElse("");
    }
}
