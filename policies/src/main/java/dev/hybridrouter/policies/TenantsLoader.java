package dev.hybridrouter.policies;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a tenants file ({@code router.tenants-file}): its JSON Schema is {@value PolicySchema#TENANTS_RESOURCE}.
 * Problems are reported all at once, as {@code file:line:column: message}, like a policy's: besides the
 * schema, a key hash used twice (a key must say who calls) and a tenant whose policy does not exist.
 */
public final class TenantsLoader {

    private TenantsLoader() {}

    /**
     * @param source names the file in errors
     * @param content the file's bytes, UTF-8
     * @param policies the names of the policies in force, which tenants may name
     * @param environment gives the value of an environment variable for {@code ${NAME}}, or {@code null} when unset
     * @throws PolicyException if the file is not a valid tenants file for these policies
     */
    public static Tenants parse(
            String source, byte[] content, Collection<String> policies, Function<String, String> environment) {
        var problems = new Problems(source);
        String yaml;
        try {
            yaml = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.addForSource("is not UTF-8 text");
            throw problems.exception();
        }
        YamlDocument document = YamlDocument.parse(yaml, environment, problems).orElseThrow(problems::exception);
        PolicySchema.TENANTS.validate(document, problems);
        problems.throwIfAny();
        check(document, policies, problems);
        problems.throwIfAny();
        return bind(source, document.root());
    }

    /** What the schema cannot say: every key hash names one caller, every tenant's policy exists. */
    private static void check(YamlDocument document, Collection<String> policies, Problems problems) {
        Map<String, String> owners = new HashMap<>();
        Pointer tenants = Pointer.ROOT.property("tenants");
        for (Map.Entry<String, JsonNode> tenant :
                document.root().path("tenants").properties()) {
            Pointer at = tenants.property(tenant.getKey());
            hashes(
                    document,
                    at.property("api-key-sha256"),
                    tenant.getValue().get("api-key-sha256"),
                    "tenant '" + tenant.getKey() + "'",
                    owners,
                    problems);
            String policy = tenant.getValue().path("policy").asString();
            if (!policies.contains(policy)) {
                problems.add(
                        document.valueAt(at.property("policy")),
                        at.property("policy") + " is '" + policy + "', which is not a policy in force"
                                + Suggestions.didYouMean(policy, policies) + " (policies: "
                                + String.join(", ", policies)
                                + ")");
            }
        }
        if (document.root().has("admin")) {
            hashes(
                    document,
                    Pointer.ROOT.property("admin").property("api-key-sha256"),
                    document.root().path("admin").get("api-key-sha256"),
                    "the admin",
                    owners,
                    problems);
        }
    }

    private static void hashes(
            YamlDocument document,
            Pointer at,
            JsonNode value,
            String owner,
            Map<String, String> owners,
            Problems problems) {
        List<JsonNode> hashes = value.isArray() ? value.valueStream().toList() : List.of(value);
        for (int i = 0; i < hashes.size(); i++) {
            String hash = hashes.get(i).asString();
            String first = owners.putIfAbsent(hash, owner);
            if (first != null) {
                problems.add(
                        document.valueAt(value.isArray() ? at.index(i) : at),
                        at + " is a key hash of " + first + " already: each key must say who calls");
            }
        }
    }

    /** The valid tree as records: each tenant gets its name, and a single hash becomes a list of one. */
    private static Tenants bind(String source, JsonNode root) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode tree = (ObjectNode) root.deepCopy();
        for (Map.Entry<String, JsonNode> tenant : tree.path("tenants").properties()) {
            ObjectNode node = (ObjectNode) tenant.getValue();
            node.put("name", tenant.getKey());
            listed(node, json);
        }
        if (tree.path("admin") instanceof ObjectNode admin) {
            listed(admin, json);
        }
        Map<String, Tenants.Tenant> tenants = new LinkedHashMap<>();
        tree.path("tenants")
                .properties()
                .forEach(entry ->
                        tenants.put(entry.getKey(), PolicyBinding.bind(entry.getValue(), Tenants.Tenant.class)));
        Tenants.Admin admin = tree.has("admin") ? PolicyBinding.bind(tree.get("admin"), Tenants.Admin.class) : null;
        return new Tenants(source, tenants, admin);
    }

    private static void listed(ObjectNode node, JsonNodeFactory json) {
        JsonNode hashes = node.get("api-key-sha256");
        if (!hashes.isArray()) {
            ArrayNode list = json.arrayNode();
            list.add(hashes);
            node.set("api-key-sha256", list);
        }
    }
}
