package dev.hybridrouter.policies;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The defaults of every policy field, read once from {@code defaults.yaml} — the one place they are
 * written — and filled into a policy's tree before it is bound to {@link Policy}. A section of the file
 * is named as in the schema: a top-level field ({@code classifier}, {@code escalation}, {@code capture},
 * {@code residency}, {@code resilience}) or a definition ({@code domain}, {@code cascade}, {@code specialist},
 * {@code large-model}, {@code pii-action}).
 */
final class PolicyDefaults {

    static final String RESOURCE = "defaults.yaml";

    /** A specialist's fields that only {@code provider: in-process} has; {@link Policy.InProcess} holds them. */
    static final List<String> IN_PROCESS_FIELDS = List.of(
            "model-path",
            "model-url",
            "model-sha256",
            "context-size",
            "threads",
            "max-concurrent",
            "queue-limit",
            "lora",
            "load");

    /** A local-only domain's residency threshold is by default its routing threshold less this, floored at 0. */
    static final BigDecimal RESIDENCY_MARGIN = new BigDecimal("0.2");

    private static final JsonNode TREE = load();

    private PolicyDefaults() {}

    /** The whole defaults file, as a tree. */
    static JsonNode tree() {
        return TREE;
    }

    /**
     * The policy with every default filled in: each upstream's {@code resilience} over the policy's over the
     * defaults, field by field; every built-in detector's action; a local-only domain's residency threshold
     * (its routing threshold less {@link #RESIDENCY_MARGIN}); and the name, from the source when the policy
     * gives none. The custom detectors move beside the built-in ones' actions, as {@link Policy.Privacy}
     * holds them.
     *
     * @param root a policy that passed the schema and the rules
     */
    static ObjectNode apply(JsonNode root, String defaultName) {
        ObjectNode policy = ((ObjectNode) root).deepCopy();
        if (!policy.has("name")) {
            policy.put("name", defaultName);
        }
        ObjectNode classifier = filled(policy, "classifier", TREE.get("classifier"));
        policy.putIfAbsent("residency", TREE.get("residency"));
        if (policy.has("escalation")) {
            filled(policy, "escalation", TREE.get("escalation"));
        }
        ObjectNode cache = filled(policy, "cache", TREE.get("cache"));
        if (cache.has("semantic")) {
            filled(cache, "semantic", TREE.get("semantic-cache"));
        }
        if (policy.has("capture")) {
            filled(policy, "capture", TREE.get("capture"));
        }
        if (policy.has("learning")) {
            ObjectNode learning = filled(policy, "learning", TREE.get("learning"));
            JsonNode largeModel = policy.path("escalation").path("large-model");
            if (!learning.has("teacher") && largeModel.isString()) {
                learning.set("teacher", largeModel);
            }
        }
        ObjectNode resilience = filled(policy, "resilience", TREE.get("resilience"));
        for (JsonNode domain : policy.path("domains")) {
            ObjectNode fields = (ObjectNode) domain;
            fill(fields, TREE.get("domain"));
            if (fields.has("cascade")) {
                filled(fields, "cascade", TREE.get("cascade"));
            }
            fields.putIfAbsent("residency", TREE.get("residency"));
            if (fields.get("residency").asString().equals("local-only") && !fields.has("residency-threshold")) {
                JsonNode threshold = fields.has("threshold") ? fields.get("threshold") : classifier.get("threshold");
                fields.set("residency-threshold", DoubleNode.valueOf(residencyThreshold(threshold.doubleValue())));
            }
        }
        for (String section : new String[] {"specialists", "large-models"}) {
            if (!policy.has(section)) {
                policy.putObject(section);
            }
            String definition = section.equals("specialists") ? "specialist" : "large-model";
            for (Map.Entry<String, JsonNode> upstream : policy.get(section).properties()) {
                ObjectNode fields = (ObjectNode) upstream.getValue();
                if (section.equals("specialists")) {
                    specialist(fields);
                } else {
                    fill(fields, TREE.get(definition));
                }
                ObjectNode own = fields.has("resilience")
                        ? (ObjectNode) fields.get("resilience")
                        : fields.putObject("resilience");
                fill(own, resilience);
            }
        }
        policy.remove("resilience"); // merged into each upstream above, where the records hold it
        privacy(policy);
        return policy;
    }

    /**
     * A specialist's defaults; an in-process one's own fields move into {@code in-process}, with theirs, so a
     * model server's specialist gets none of them.
     */
    private static void specialist(ObjectNode fields) {
        ObjectNode inProcessDefaults =
                ((ObjectNode) TREE.get("specialist")).deepCopy().retain(IN_PROCESS_FIELDS);
        ObjectNode defaults = ((ObjectNode) TREE.get("specialist")).deepCopy().remove(IN_PROCESS_FIELDS);
        fill(fields, defaults);
        fields.putIfAbsent("residency", TREE.get("residency"));
        if (fields.get("provider").asString().equals("in-process")) {
            ObjectNode inProcess = fields.putObject("in-process");
            for (String field : IN_PROCESS_FIELDS) {
                JsonNode value = fields.remove(field);
                if (value != null) {
                    inProcess.set(field, value);
                }
            }
            fill(inProcess, inProcessDefaults);
        }
    }

    /** The built-in detectors' actions, each defaulted; custom detectors moved to {@code privacy.custom}. */
    private static void privacy(ObjectNode policy) {
        ObjectNode privacy = policy.has("privacy") ? (ObjectNode) policy.get("privacy") : policy.putObject("privacy");
        ObjectNode pii = privacy.has("pii") ? (ObjectNode) privacy.get("pii") : privacy.putObject("pii");
        JsonNode custom = pii.remove("custom");
        for (Policy.PiiType type : Policy.PiiType.values()) {
            pii.putIfAbsent(PolicyBinding.name(type), TREE.get("pii-action"));
        }
        ArrayNode detectors = privacy.putArray("custom");
        if (custom != null) {
            for (JsonNode detector : custom) {
                ObjectNode copy = ((ObjectNode) detector).deepCopy();
                copy.putIfAbsent("action", TREE.get("pii-action"));
                detectors.add(copy);
            }
        }
    }

    /** The object at {@code field}, created when missing, with every default it lacks filled in. */
    private static ObjectNode filled(ObjectNode parent, String field, JsonNode defaults) {
        ObjectNode object = parent.has(field) ? (ObjectNode) parent.get(field) : parent.putObject(field);
        fill(object, defaults);
        return object;
    }

    /** Fills in, at every depth, the fields that {@code target} lacks. */
    private static void fill(ObjectNode target, JsonNode defaults) {
        for (Map.Entry<String, JsonNode> field : defaults.properties()) {
            JsonNode present = target.get(field.getKey());
            if (present == null) {
                target.set(field.getKey(), field.getValue().deepCopy());
            } else if (present.isObject() && field.getValue().isObject()) {
                fill((ObjectNode) present, field.getValue());
            }
        }
    }

    /** The routing threshold less the margin, floored at 0, in decimal so that 0.55 gives 0.35 exactly. */
    private static double residencyThreshold(double routingThreshold) {
        return BigDecimal.valueOf(routingThreshold)
                .subtract(RESIDENCY_MARGIN)
                .max(BigDecimal.ZERO)
                .doubleValue();
    }

    private static JsonNode load() {
        try (InputStream in = PolicyDefaults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the policies jar");
            }
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Problems problems = new Problems(RESOURCE);
            YamlDocument document =
                    YamlDocument.parse(yaml, name -> null, problems).orElseThrow(problems::exception);
            problems.throwIfAny();
            return document.root();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default routing threshold, {@code classifier.threshold}. */
    static double threshold() {
        return TREE.get("classifier").get("threshold").doubleValue();
    }

    /** The resilience of an upstream when neither it nor its policy says otherwise. */
    static Policy.Resilience resilience() {
        return PolicyBinding.bind(TREE.get("resilience"), Policy.Resilience.class);
    }

    /** What happens to personal data when the policy says nothing of it. */
    /** The cache settings a policy without a {@code cache} block gets. */
    static Policy.Cache cache() {
        return PolicyBinding.bind(TREE.get("cache"), Policy.Cache.class);
    }

    static Policy.Privacy privacy() {
        ObjectNode policy = JsonNodeFactory.instance.objectNode();
        privacy(policy);
        return PolicyBinding.bind(policy.get("privacy"), Policy.Privacy.class);
    }
}
