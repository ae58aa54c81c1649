package dev.hybridrouter.policies;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A policy file's YAML as a JSON tree, remembering where each key and value starts in the file.
 *
 * <p>While reading it reports duplicate keys and non-string keys, and replaces {@code ${NAME}} and
 * {@code ${NAME:-default}} in string values from the environment.
 */
final class YamlDocument {

    private static final LoadSettings SETTINGS = LoadSettings.builder()
            .setSchema(new CoreSchema())
            .setAllowNonScalarKeys(true) // so that we can say where one is
            .build();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JsonNode root;
    private final Map<Pointer, Position> values;
    private final Map<Pointer, Position> keys;

    private YamlDocument(JsonNode root, Map<Pointer, Position> values, Map<Pointer, Position> keys) {
        this.root = root;
        this.values = values;
        this.keys = keys;
    }

    /**
     * Reads YAML text. Returns empty, with the reason in {@code problems}, when the text is not YAML or
     * holds no document; other problems are added to {@code problems} and the rest is still read.
     */
    static Optional<YamlDocument> parse(String yaml, Function<String, String> environment, Problems problems) {
        return parse(yaml, environment, problems, "a policy needs at least version, domains and specialists");
    }

    /** Reads YAML text whose strings are taken as written: no {@code ${NAME}} is replaced. */
    static Optional<YamlDocument> parseLiteral(String yaml, Problems problems, String whatItNeeds) {
        return parse(yaml, null, problems, whatItNeeds);
    }

    private static Optional<YamlDocument> parse(
            String yaml, Function<String, String> environment, Problems problems, String whatItNeeds) {
        Optional<Node> node;
        try {
            node = new Compose(SETTINGS).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            String message = "malformed YAML: " + e.getProblem() + context;
            e.getProblemMark()
                    .or(e::getContextMark)
                    .ifPresentOrElse(
                            mark -> problems.add(position(mark), message), () -> problems.addForSource(message));
            return Optional.empty();
        } catch (YamlEngineException e) {
            problems.addForSource("malformed YAML: " + e.getMessage());
            return Optional.empty();
        }
        if (node.isEmpty()) {
            problems.addForSource("holds no YAML document; " + whatItNeeds);
            return Optional.empty();
        }
        var reader = new Reader(environment, problems);
        JsonNode root = reader.read(node.get(), Pointer.ROOT);
        return Optional.of(new YamlDocument(root, reader.values, reader.keys));
    }

    JsonNode root() {
        return root;
    }

    /** Where the value at this pointer starts; for a value that is not there, where its nearest parent starts. */
    Position valueAt(Pointer pointer) {
        Pointer at = pointer;
        while (!values.containsKey(at)) {
            at = at.parent();
        }
        return values.get(at);
    }

    /** Where the key of the property at this pointer starts, or its value for a list item or the root. */
    Position keyAt(Pointer pointer) {
        return keys.getOrDefault(pointer, valueAt(pointer));
    }

    private static Position position(Mark mark) {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static Position position(Node node) {
        return node.getStartMark().map(YamlDocument::position).orElse(new Position(1, 1));
    }

    /** Turns one composed YAML node tree into JSON, collecting positions and problems on the way. */
    private static final class Reader {

        private final Function<String, String> environment;
        private final Problems problems;
        private final StandardConstructor constructor = new StandardConstructor(SETTINGS);
        private final Map<Pointer, Position> values = new HashMap<>();
        private final Map<Pointer, Position> keys = new HashMap<>();

        Reader(Function<String, String> environment, Problems problems) {
            this.environment = environment;
            this.problems = problems;
        }

        JsonNode read(Node node, Pointer pointer) {
            values.put(pointer, position(node));
            if (node.isRecursive()) {
                problems.add(position(node), pointer + " refers to itself through an alias");
                return JSON.nullNode();
            }
            if (node instanceof MappingNode mapping) {
                return readMapping(mapping, pointer);
            }
            if (node instanceof SequenceNode sequence) {
                ArrayNode array = JSON.arrayNode();
                for (Node item : sequence.getValue()) {
                    array.add(read(item, pointer.index(array.size())));
                }
                return array;
            }
            return readScalar((ScalarNode) node, pointer);
        }

        private ObjectNode readMapping(MappingNode mapping, Pointer pointer) {
            ObjectNode object = JSON.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode key)) {
                    problems.add(position(keyNode), "keys in " + pointer + " must be plain strings");
                    continue;
                }
                String name = key.getValue();
                Pointer property = pointer.property(name);
                if (object.has(name)) {
                    problems.add(
                            position(key),
                            "duplicate key '" + name + "' in " + pointer + " (first at line "
                                    + keys.get(property).line() + ")");
                    continue;
                }
                keys.put(property, position(key));
                object.set(name, read(tuple.getValueNode(), property));
            }
            return object;
        }

        private JsonNode readScalar(ScalarNode scalar, Pointer pointer) {
            if (scalar.getTag().equals(Tag.STR) || scalar.getTag().equals(Tag.ENV_TAG)) {
                return JSON.stringNode(interpolate(scalar.getValue(), position(scalar)));
            }
            Object value;
            try {
                value = constructor.constructSingleDocument(Optional.of(scalar));
            } catch (YamlEngineException e) {
                problems.add(position(scalar), pointer + " cannot be read: " + e.getMessage());
                return JSON.nullNode();
            }
            if (value == null) {
                return JSON.nullNode();
            } else if (value instanceof Boolean bool) {
                return JSON.booleanNode(bool);
            } else if (value instanceof Integer number) {
                return JSON.numberNode(number);
            } else if (value instanceof Long number) {
                return JSON.numberNode(number);
            } else if (value instanceof java.math.BigInteger number) {
                return JSON.numberNode(number);
            } else if (value instanceof Double number && Double.isFinite(number)) {
                return JSON.numberNode(number);
            }
            return JSON.stringNode(scalar.getValue());
        }

        private String interpolate(String value, Position at) {
            if (environment == null) {
                return value;
            }
            String result = VARIABLE.matcher(value).replaceAll(variable -> {
                String name = variable.group(1);
                String fallback = variable.group(2);
                String set = environment.apply(name);
                if (fallback != null) {
                    return Matcher.quoteReplacement(set == null || set.isEmpty() ? fallback : set);
                }
                if (set == null) {
                    problems.add(
                            at,
                            "environment variable " + name + " is not set; set it, or give a default with ${" + name
                                    + ":-default}");
                    return Matcher.quoteReplacement(variable.group());
                }
                return Matcher.quoteReplacement(set);
            });
            String rest = VARIABLE.matcher(value).replaceAll("");
            int malformed = rest.indexOf("${");
            if (malformed >= 0) {
                String reference = rest.substring(malformed, Math.min(rest.length(), malformed + 40));
                problems.add(at, "malformed reference '" + reference + "': write ${NAME} or ${NAME:-default}");
            }
            return result;
        }
    }
}
