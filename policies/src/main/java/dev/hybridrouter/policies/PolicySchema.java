package dev.hybridrouter.policies;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeType;

/**
 * A YAML format's JSON Schema (the file editors use too), the policies' ({@value #RESOURCE}) or the tenants
 * file's ({@value #TENANTS_RESOURCE}), and what its findings mean in words, at the line and column of the
 * YAML they concern.
 */
final class PolicySchema {

    /** Where the policy schema lies on the classpath. */
    static final String RESOURCE = "dev/hybridrouter/policies/policy.schema.json";

    /** Where the tenants file's schema lies on the classpath. */
    static final String TENANTS_RESOURCE = "dev/hybridrouter/policies/tenants.schema.json";

    static final PolicySchema POLICY = new PolicySchema(RESOURCE);

    static final PolicySchema TENANTS = new PolicySchema(TENANTS_RESOURCE);

    /** Where the schema of a policy's learned examples lies on the classpath. */
    static final String LEARNED_RESOURCE = "dev/hybridrouter/policies/learned.schema.json";

    static final PolicySchema LEARNED = new PolicySchema(LEARNED_RESOURCE);

    private final Schema schema;

    private PolicySchema(String resource) {
        this.schema = load(resource);
    }

    /** Adds a problem for each place the document breaks the schema. */
    void validate(YamlDocument document, Problems problems) {
        for (Error error : schema.validate(document.root())) {
            report(error, document, problems);
        }
    }

    private static Schema load(String resource) {
        try (InputStream schema = PolicySchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (schema == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            // errorMessage holds the schema's own wording for some errors; it validates nothing.
            Dialect draft7 = Dialect.builder(Dialects.getDraft7())
                    .keyword(new NonValidationKeyword("errorMessage"))
                    .build();
            return SchemaRegistry.withDefaultDialect(draft7).getSchema(schema, InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void report(Error error, YamlDocument document, Problems problems) {
        Pointer at = pointer(error.getInstanceLocation());
        JsonNode schema = schemaNodeHolding(error);
        JsonNode value = error.getInstanceNode();
        String custom = schema.path("errorMessage").path(error.getKeyword()).asString(null);
        if (custom != null) {
            problems.add(value.isObject() ? document.keyAt(at) : document.valueAt(at), at + " " + custom);
            return;
        }
        switch (error.getKeyword()) {
            case "additionalProperties" -> {
                Pointer key = at.property(error.getProperty());
                problems.add(document.keyAt(key), unknownKey(error.getProperty(), at, schema));
            }
            case "required" -> problems.add(
                    document.keyAt(at), "missing required key '" + error.getProperty() + "' in " + at);
            case "type" -> problems.add(
                    document.valueAt(at),
                    at + " must be " + expectedType(schema.path("type")) + ", not " + foundType(value));
            case "enum" -> problems.add(
                    document.valueAt(at), at + " is " + value + "; allowed: " + list(schema.path("enum")));
            case "const" -> problems.add(
                    document.valueAt(at), at + " must be " + schema.path("const") + ", not " + value);
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> problems.add(
                    document.valueAt(at), at + " " + range(schema) + ", not " + value);
            case "minItems", "minProperties", "minLength" -> problems.add(
                    document.valueAt(at), at + " must not be empty");
            default -> problems.add(document.valueAt(at), at + ": " + error.getMessage());
        }
    }

    private static String unknownKey(String key, Pointer in, JsonNode schema) {
        List<String> allowed = new ArrayList<>(schema.path("properties").propertyNames());
        String where = in.isRoot() ? "at the top level" : "in " + in;
        List<String> keySources =
                allowed.stream().filter(k -> k.startsWith("api-key-")).toList();
        boolean apiKey = key.toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "").equals("apikey");
        if (apiKey && keySources.contains("api-key-sha256")) {
            return "'" + key + "' is not allowed " + where + ": never write an API key in clear; write its SHA-256"
                    + " as api-key-sha256 (printf %s \"$KEY\" | sha256sum)";
        }
        if (!keySources.isEmpty() && apiKey) {
            return "'" + key + "' is not allowed " + where + ": never write an API key into a policy; use "
                    + keySources.stream()
                            .map(k -> k.equals("api-key-env")
                                    ? "api-key-env (the environment variable holding it)"
                                    : "api-key-file (the file holding it, e.g. a mounted secret)")
                            .collect(Collectors.joining(" or "));
        }
        return "unknown key '" + key + "' " + where + Suggestions.didYouMean(key, allowed) + " (allowed: "
                + String.join(", ", allowed) + ")";
    }

    /** The schema object whose keyword the error is about, e.g. the one holding {@code required}. */
    private JsonNode schemaNodeHolding(Error error) {
        NodePath keyword = error.getSchemaLocation().getFragment();
        JsonNode node = schema.getSchemaNode();
        for (int i = 0; i < keyword.getNameCount() - 1; i++) {
            Object segment = keyword.getElement(i);
            node = segment instanceof Integer index ? node.path(index) : node.path(segment.toString());
        }
        return node;
    }

    private static Pointer pointer(NodePath path) {
        Pointer pointer = Pointer.ROOT;
        for (int i = 0; i < path.getNameCount(); i++) {
            Object segment = path.getElement(i);
            pointer = segment instanceof Integer index ? pointer.index(index) : pointer.property(segment.toString());
        }
        return pointer;
    }

    private static String range(JsonNode schema) {
        JsonNode minimum = schema.path("minimum");
        JsonNode maximum = schema.path("maximum");
        if (!minimum.isMissingNode() && !maximum.isMissingNode()) {
            return "must be between " + minimum + " and " + maximum;
        }
        List<String> bounds = new ArrayList<>();
        bound(schema, "minimum", "at least ", bounds);
        bound(schema, "exclusiveMinimum", "above ", bounds);
        bound(schema, "maximum", "at most ", bounds);
        bound(schema, "exclusiveMaximum", "below ", bounds);
        return "must be " + String.join(" and ", bounds);
    }

    private static void bound(JsonNode schema, String keyword, String words, List<String> bounds) {
        if (schema.has(keyword)) {
            bounds.add(words + schema.get(keyword));
        }
    }

    private static String list(JsonNode values) {
        return values.valueStream().map(JsonNode::asString).collect(Collectors.joining(", "));
    }

    private static String expectedType(JsonNode type) {
        return switch (type.asString()) {
            case "object" -> "a mapping of keys to values";
            case "array" -> "a list";
            case "integer" -> "a whole number";
            case "boolean" -> "true or false";
            default -> "a " + type.asString();
        };
    }

    private static String foundType(JsonNode value) {
        JsonNodeType type = value == null ? JsonNodeType.MISSING : value.getNodeType();
        return switch (type) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "true/false";
            default -> "empty";
        };
    }
}
