package dev.hybridrouter.policies;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The checks the schema cannot express: that names refer to something defined, and that names are
 * unique. Domains, specialists and large models share one namespace because callers may use any of
 * these names as a request's model; only a domain and its own specialist may share a name.
 *
 * <p>Runs on documents that may also break the schema, so it skips whatever has the wrong shape.
 */
final class PolicyRules {

    private static final Pointer DOMAINS = Pointer.ROOT.property("domains");
    private static final Pointer SPECIALISTS = Pointer.ROOT.property("specialists");
    private static final Pointer LARGE_MODELS = Pointer.ROOT.property("large-models");
    private static final Pointer ESCALATION =
            Pointer.ROOT.property("escalation").property("large-model");
    private static final String SHARED_NAMESPACE =
            "; domains, specialists and large models need distinct names because callers use them as a request's model";

    private final YamlDocument document;
    private final Problems problems;

    private PolicyRules(YamlDocument document, Problems problems) {
        this.document = document;
        this.problems = problems;
    }

    static void check(YamlDocument document, Problems problems) {
        new PolicyRules(document, problems).check();
    }

    private void check() {
        JsonNode root = document.root();
        Map<String, Pointer> specialists = keys(root.path("specialists"), SPECIALISTS);
        Map<String, Pointer> largeModels = keys(root.path("large-models"), LARGE_MODELS);
        for (Map.Entry<String, Pointer> specialist : specialists.entrySet()) {
            Pointer largeModel = largeModels.get(specialist.getKey());
            if (largeModel != null) {
                problems.add(
                        document.keyAt(largeModel),
                        "large model '" + specialist.getKey() + "' has the name of the specialist at line "
                                + line(specialist.getValue()) + SHARED_NAMESPACE);
            }
        }
        checkDomains(root.path("domains"), specialists, largeModels);
        String escalation = text(root.path("escalation").path("large-model"));
        if (escalation != null && !largeModels.containsKey(escalation)) {
            problems.add(
                    document.valueAt(ESCALATION),
                    "escalation refers to large model '" + escalation + "', which is not under large-models"
                            + Suggestions.didYouMean(escalation, largeModels.keySet()) + defined(largeModels));
        }
    }

    private void checkDomains(JsonNode domains, Map<String, Pointer> specialists, Map<String, Pointer> largeModels) {
        Map<String, Pointer> seen = new LinkedHashMap<>();
        for (int i = 0; i < domains.size(); i++) {
            Pointer domain = DOMAINS.index(i);
            String name = text(domains.path(i).path("name"));
            String specialist = text(domains.path(i).path("specialist"));
            Pointer namePointer = domain.property("name");
            if (specialist != null && !specialists.containsKey(specialist)) {
                problems.add(
                        document.valueAt(domain.property("specialist")),
                        (name == null ? domain.toString() : "domain '" + name + "'") + " refers to specialist '"
                                + specialist
                                + "', which is not under specialists"
                                + Suggestions.didYouMean(specialist, specialists.keySet()) + defined(specialists));
            }
            if (name == null) {
                continue;
            }
            if (seen.containsKey(name)) {
                problems.add(
                        document.valueAt(namePointer),
                        "duplicate domain name '" + name + "' (first at line " + line(seen.get(name)) + ")");
                continue;
            }
            seen.put(name, namePointer);
            if (largeModels.containsKey(name)) {
                problems.add(
                        document.valueAt(namePointer),
                        "domain '" + name + "' has the name of the large model at line " + line(largeModels.get(name))
                                + SHARED_NAMESPACE);
            }
            if (specialists.containsKey(name) && !name.equals(specialist)) {
                problems.add(
                        document.valueAt(namePointer),
                        "domain '" + name + "' has the name of the specialist at line "
                                + line(specialists.get(name)) + ", which is not its own specialist"
                                + SHARED_NAMESPACE);
            }
        }
    }

    /** The names defined in a mapping such as specialists, with where each is defined. */
    private static Map<String, Pointer> keys(JsonNode mapping, Pointer at) {
        Map<String, Pointer> keys = new LinkedHashMap<>();
        if (mapping.isObject()) {
            mapping.propertyNames().forEach(name -> keys.put(name, at.property(name)));
        }
        return keys;
    }

    private int line(Pointer pointer) {
        return document.keyAt(pointer).line();
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.stringValue() : null;
    }

    private static String defined(Map<String, Pointer> names) {
        return names.isEmpty() ? " (none defined)" : " (defined: " + String.join(", ", names.keySet()) + ")";
    }
}
