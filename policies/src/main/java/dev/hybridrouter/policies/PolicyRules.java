package dev.hybridrouter.policies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.IntNode;

/**
 * The checks the schema cannot express: that names refer to something defined, that names are
 * unique, that fallbacks end, that each upstream's resolved circuit breaker window can hold its
 * minimum number of calls, that residency thresholds and capture fit their domain, that a domain's
 * cascade has a band below its routing threshold, a large model to escalate to and a specialist that
 * returns token log-probabilities, and that custom personal data detectors are usable. Domains, specialists and large models share one namespace
 * because callers may use any of these names as a request's model; only a domain and its own
 * specialist may share a name.
 *
 * <p>Runs on documents that may also break the schema, so it skips whatever has the wrong shape.
 */
final class PolicyRules {

    private static final Pointer DOMAINS = Pointer.ROOT.property("domains");
    private static final Pointer SPECIALISTS = Pointer.ROOT.property("specialists");
    private static final Pointer LARGE_MODELS = Pointer.ROOT.property("large-models");
    private static final Pointer ESCALATION = Pointer.ROOT.property("escalation");
    private static final Pointer RESILIENCE = Pointer.ROOT.property("resilience");
    private static final Pointer SEMANTIC_DOMAINS =
            Pointer.ROOT.property("cache").property("semantic").property("domains");
    private static final Pointer CLASSIFIER_THRESHOLD =
            Pointer.ROOT.property("classifier").property("threshold");
    private static final Pointer CUSTOM_PII =
            Pointer.ROOT.property("privacy").property("pii").property("custom");
    private static final Set<String> BUILT_IN_PII = Arrays.stream(Policy.PiiType.values())
            .map(type -> type.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .collect(Collectors.toUnmodifiableSet());
    private static final Policy.CircuitBreaker DEFAULT_BREAKER = Policy.Resilience.DEFAULTS.circuitBreaker();
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
        checkResidencyAndCapture(root.path("domains"), root.has("capture"));
        checkCascades(
                root.path("domains"),
                root.path("specialists"),
                root.path("escalation").has("large-model"));
        checkSemanticCacheDomains(root.path("cache").path("semantic").path("domains"), root.path("domains"));
        checkCustomPii(root.path("privacy").path("pii").path("custom"));
        checkSpecialistFallbacks(root.path("specialists"), specialists);
        checkEscalation(root.path("escalation"), largeModels);
        checkLearning(root, largeModels);
        checkWindow(RESILIENCE);
        for (Pointer upstream : specialists.values()) {
            checkWindow(upstream.property("resilience"), RESILIENCE);
        }
        for (Pointer upstream : largeModels.values()) {
            checkWindow(upstream.property("resilience"), RESILIENCE);
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
                        domain(name, domain) + " refers to specialist '"
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

    /** Checks that the semantic cache's similarities name domains of the policy. */
    private void checkSemanticCacheDomains(JsonNode similarities, JsonNode domains) {
        Set<String> names = new LinkedHashSet<>();
        domains.forEach(domain -> {
            String name = text(domain.path("name"));
            if (name != null) {
                names.add(name);
            }
        });
        for (String name : similarities.propertyNames()) {
            if (!names.contains(name)) {
                problems.add(
                        document.keyAt(SEMANTIC_DOMAINS.property(name)),
                        "cache.semantic.domains names '" + name + "', which is not a domain of the policy"
                                + Suggestions.didYouMean(name, names) + " (domains: " + String.join(", ", names)
                                + ")");
            }
        }
    }

    /**
     * Checks that only local-only domains set a residency threshold, that it is at most the domain's
     * routing threshold, and that domains capture only where the policy says where to.
     */
    private void checkResidencyAndCapture(JsonNode domains, boolean captureBlock) {
        for (int i = 0; i < domains.size(); i++) {
            JsonNode domain = domains.path(i);
            Pointer at = DOMAINS.index(i);
            String name = domain(text(domain.path("name")), at);
            if (domain.has("residency-threshold")) {
                checkResidencyThreshold(domain, at, name);
            }
            JsonNode capture = domain.path("capture");
            if (capture.isBoolean() && capture.booleanValue() && !captureBlock) {
                problems.add(
                        document.valueAt(at.property("capture")),
                        name + " sets capture: true, but the policy has no top-level capture block saying where"
                                + " to write; add one with a directory");
            }
        }
    }

    private void checkResidencyThreshold(JsonNode domain, Pointer at, String name) {
        Pointer thresholdAt = at.property("residency-threshold");
        JsonNode threshold = domain.path("residency-threshold");
        String residency = domain.has("residency") ? text(domain.path("residency")) : "any";
        if ("any".equals(residency)) {
            problems.add(
                    document.keyAt(thresholdAt),
                    name + " sets residency-threshold without residency: local-only; only a local-only domain"
                            + " keeps requests local by their score");
            return;
        }
        if (!"local-only".equals(residency) || !threshold.isNumber()) {
            return;
        }
        Pointer routingAt = domain.has("threshold")
                ? at.property("threshold")
                : node(CLASSIFIER_THRESHOLD).isMissingNode() ? null : CLASSIFIER_THRESHOLD;
        JsonNode routing = routingAt == null ? DoubleNode.valueOf(PolicyDefaults.threshold()) : node(routingAt);
        if (routing.isNumber() && threshold.doubleValue() > routing.doubleValue()) {
            problems.add(
                    document.valueAt(thresholdAt),
                    thresholdAt + " is " + threshold + ", above the routing threshold " + routing + origin(routingAt)
                            + "; it must be at most the routing threshold, so that privacy errs toward keeping"
                            + " requests local");
        }
    }

    /**
     * Checks each domain's cascade: a band from a low end to a higher one that is at most the domain's routing
     * threshold (above it, requests stay local without a cascade), a large model that takes the answers it
     * rejects, and a specialist that can return the token log-probabilities its answers are scored by.
     */
    private void checkCascades(JsonNode domains, JsonNode specialists, boolean largeModel) {
        for (int i = 0; i < domains.size(); i++) {
            JsonNode domain = domains.path(i);
            if (!domain.path("cascade").isObject()) {
                continue;
            }
            Pointer at = DOMAINS.index(i).property("cascade");
            String name = domain(text(domain.path("name")), DOMAINS.index(i));
            if (!largeModel) {
                problems.add(
                        document.keyAt(at),
                        name + " has a cascade, but the policy has no escalation.large-model to take the answers it"
                                + " rejects; add one, or remove cascade");
            }
            String specialist = text(domain.path("specialist"));
            if (specialist != null
                    && "in-process".equals(text(specialists.path(specialist).path("provider")))) {
                problems.add(
                        document.keyAt(at),
                        name + " has a cascade, but its specialist '" + specialist + "' runs in process, which cannot"
                                + " return the token log-probabilities a cascade scores answers by (see"
                                + " docs/in-process.md); serve it from a model server (openai-compatible or ollama),"
                                + " or remove cascade");
            }
            checkBand(domain, at.property("band"), DOMAINS.index(i));
        }
    }

    private void checkBand(JsonNode domain, Pointer bandAt, Pointer domainAt) {
        JsonNode band = node(bandAt);
        if (band.size() != 2 || !band.path(0).isNumber() || !band.path(1).isNumber()) {
            return; // the schema reports it
        }
        double low = band.path(0).doubleValue();
        double high = band.path(1).doubleValue();
        if (low >= high) {
            problems.add(
                    document.valueAt(bandAt),
                    bandAt + " is [" + band.path(0) + ", " + band.path(1) + "]; its low end must be below its high"
                            + " end");
            return;
        }
        Pointer routingAt = domain.has("threshold")
                ? domainAt.property("threshold")
                : node(CLASSIFIER_THRESHOLD).isMissingNode() ? null : CLASSIFIER_THRESHOLD;
        JsonNode routing = routingAt == null ? DoubleNode.valueOf(PolicyDefaults.threshold()) : node(routingAt);
        if (routing.isNumber() && high > routing.doubleValue()) {
            problems.add(
                    document.valueAt(bandAt.index(1)),
                    bandAt + " ends at " + band.path(1) + ", above the routing threshold " + routing
                            + origin(routingAt) + "; requests at or above the routing threshold stay local without"
                            + " a cascade, so the band must end at most there");
        }
    }

    /** Checks that custom detectors have distinct names of their own and patterns that match something. */
    private void checkCustomPii(JsonNode detectors) {
        Map<String, Pointer> seen = new LinkedHashMap<>();
        for (int i = 0; i < detectors.size(); i++) {
            Pointer at = CUSTOM_PII.index(i);
            String name = text(detectors.path(i).path("name"));
            Pointer nameAt = at.property("name");
            if (name != null && BUILT_IN_PII.contains(name)) {
                problems.add(
                        document.valueAt(nameAt),
                        "custom detector '" + name + "' has the name of a built-in detector; set its action with"
                                + " privacy.pii." + name + ", or give this one another name");
            } else if (name != null && seen.containsKey(name)) {
                problems.add(
                        document.valueAt(nameAt),
                        "duplicate custom detector name '" + name + "' (first at line " + line(seen.get(name)) + ")");
            } else if (name != null) {
                seen.put(name, nameAt);
            }
            String pattern = text(detectors.path(i).path("pattern"));
            if (pattern != null) {
                checkPattern(pattern, at.property("pattern"));
            }
        }
    }

    private void checkPattern(String pattern, Pointer at) {
        try {
            if (Pattern.compile(pattern).matcher("").matches()) {
                problems.add(
                        document.valueAt(at),
                        at + " matches the empty string; a detector must match at least one character");
            }
        } catch (PatternSyntaxException e) {
            problems.add(
                    document.valueAt(at),
                    at + " is not a valid Java regular expression: " + e.getDescription()
                            + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }

    private void checkSpecialistFallbacks(JsonNode mapping, Map<String, Pointer> specialists) {
        Map<String, String> fallbacks = new LinkedHashMap<>();
        for (Map.Entry<String, Pointer> specialist : specialists.entrySet()) {
            String name = specialist.getKey();
            String fallback = text(mapping.path(name).path("fallback"));
            if (fallback == null) {
                continue;
            }
            Pointer at = specialist.getValue().property("fallback");
            if (fallback.equals(name)) {
                problems.add(
                        document.valueAt(at),
                        "specialist '" + name + "' falls back to itself; name another specialist or remove fallback");
            } else if (!specialists.containsKey(fallback)) {
                problems.add(
                        document.valueAt(at),
                        "specialist '" + name + "' falls back to specialist '" + fallback
                                + "', which is not under specialists"
                                + Suggestions.didYouMean(fallback, specialists.keySet()) + defined(specialists));
            } else {
                fallbacks.put(name, fallback);
            }
        }
        Set<String> inReportedCycle = new HashSet<>();
        for (String start : fallbacks.keySet()) {
            List<String> chain = new ArrayList<>(List.of(start));
            String next = fallbacks.get(start);
            while (next != null && !chain.contains(next)) {
                chain.add(next);
                next = fallbacks.get(next);
            }
            if (start.equals(next) && inReportedCycle.add(start)) {
                inReportedCycle.addAll(chain);
                chain.add(start);
                problems.add(
                        document.valueAt(specialists.get(start).property("fallback")),
                        "specialists fall back in a cycle: " + String.join(" -> ", chain)
                                + "; the last in a chain must have no fallback");
            }
        }
    }

    /** A policy that learns has a teacher among its large models, and traffic that can reach it. */
    private void checkLearning(JsonNode root, Map<String, Pointer> largeModels) {
        JsonNode learning = root.path("learning");
        if (!learning.isObject()) {
            return;
        }
        Pointer at = Pointer.ROOT.property("learning");
        if ("local-only".equals(text(root.path("residency")))) {
            problems.add(
                    document.keyAt(at),
                    "learning labels escalated requests, and a local-only policy never escalates; remove the block");
            return;
        }
        String teacher = text(learning.path("teacher"));
        if (teacher == null) {
            if (text(root.path("escalation").path("large-model")) == null) {
                problems.add(
                        document.keyAt(at),
                        "learning needs a teacher: set learning.teacher, or escalation.large-model, to a large model");
            }
        } else if (!largeModels.containsKey(teacher)) {
            problems.add(
                    document.valueAt(at.property("teacher")),
                    "learning.teacher refers to large model '" + teacher + "', which is not under large-models"
                            + Suggestions.didYouMean(teacher, largeModels.keySet()) + defined(largeModels));
        }
    }

    private void checkEscalation(JsonNode escalation, Map<String, Pointer> largeModels) {
        String primary = text(escalation.path("large-model"));
        if (primary != null && !largeModels.containsKey(primary)) {
            problems.add(
                    document.valueAt(ESCALATION.property("large-model")),
                    "escalation refers to large model '" + primary + "', which is not under large-models"
                            + Suggestions.didYouMean(primary, largeModels.keySet()) + defined(largeModels));
        }
        JsonNode fallbacks = escalation.path("fallbacks");
        Pointer fallbacksAt = ESCALATION.property("fallbacks");
        if (fallbacks.isArray() && !fallbacks.isEmpty() && !escalation.has("large-model")) {
            problems.add(
                    document.keyAt(fallbacksAt),
                    "escalation.fallbacks needs escalation.large-model: fallbacks are tried after it");
        }
        Map<String, Pointer> seen = new LinkedHashMap<>();
        for (int i = 0; i < fallbacks.size(); i++) {
            String name = text(fallbacks.path(i));
            Pointer at = fallbacksAt.index(i);
            if (name == null) {
                continue;
            }
            if (name.equals(primary)) {
                problems.add(
                        document.valueAt(at),
                        at + " repeats escalation.large-model '" + name + "'; list only the models tried after it");
            } else if (seen.containsKey(name)) {
                problems.add(
                        document.valueAt(at),
                        "duplicate large model '" + name + "' in escalation.fallbacks (first at line "
                                + line(seen.get(name)) + ")");
            } else if (!largeModels.containsKey(name)) {
                problems.add(
                        document.valueAt(at),
                        at + " refers to large model '" + name + "', which is not under large-models"
                                + Suggestions.didYouMean(name, largeModels.keySet()) + defined(largeModels));
            }
            seen.putIfAbsent(name, at);
        }
    }

    /**
     * Checks that the circuit breaker resolved for the first of {@code blocks} (resilience blocks, each
     * over the next, over the defaults) has a {@code sliding-window-size} of at least {@code
     * minimum-calls}. Reports only when that block sets one of the two itself: otherwise it resolves as
     * the next block does, which is checked on its own.
     */
    private void checkWindow(Pointer... blocks) {
        Pointer own = blocks[0].property("circuit-breaker");
        Pointer minimumAt = setIn("minimum-calls", blocks);
        Pointer windowAt = setIn("sliding-window-size", blocks);
        boolean ownWindow = windowAt != null && windowAt.parent().equals(own);
        boolean ownMinimum = minimumAt != null && minimumAt.parent().equals(own);
        JsonNode minimum = minimumAt == null ? IntNode.valueOf(DEFAULT_BREAKER.minimumCalls()) : node(minimumAt);
        JsonNode window = windowAt == null ? IntNode.valueOf(DEFAULT_BREAKER.slidingWindowSize()) : node(windowAt);
        if (!(ownWindow || ownMinimum)
                || !minimum.isNumber()
                || !window.isNumber()
                || window.doubleValue() >= minimum.doubleValue()) {
            return;
        }
        String why = "; the window must hold at least minimum-calls calls";
        if (ownWindow) {
            problems.add(
                    document.valueAt(windowAt),
                    windowAt + " is " + window + ", less than minimum-calls " + minimum + origin(minimumAt) + why);
        } else {
            problems.add(
                    document.valueAt(minimumAt),
                    minimumAt + " is " + minimum + ", more than sliding-window-size " + window + origin(windowAt)
                            + why);
        }
    }

    /** Where the first of these resilience blocks to set a circuit breaker setting sets it, or {@code null}. */
    private Pointer setIn(String setting, Pointer... blocks) {
        for (Pointer block : blocks) {
            Pointer at = block.property("circuit-breaker").property(setting);
            if (!node(at).isMissingNode()) {
                return at;
            }
        }
        return null;
    }

    private String origin(Pointer setAt) {
        return setAt == null ? " (the default)" : " (line " + line(setAt) + ")";
    }

    /** The names defined in a mapping such as specialists, with where each is defined. */
    private static Map<String, Pointer> keys(JsonNode mapping, Pointer at) {
        Map<String, Pointer> keys = new LinkedHashMap<>();
        if (mapping.isObject()) {
            mapping.propertyNames().forEach(name -> keys.put(name, at.property(name)));
        }
        return keys;
    }

    /** The value at this pointer, or a missing node. */
    private JsonNode node(Pointer pointer) {
        JsonNode node = document.root();
        for (Object segment : pointer.segments()) {
            node = segment instanceof Integer index ? node.path(index) : node.path((String) segment);
        }
        return node;
    }

    private int line(Pointer pointer) {
        return document.keyAt(pointer).line();
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.stringValue() : null;
    }

    /** How messages name a domain: by its name, or where it is when it has none. */
    private static String domain(String name, Pointer at) {
        return name == null ? at.toString() : "domain '" + name + "'";
    }

    private static String defined(Map<String, Pointer> names) {
        return names.isEmpty() ? " (none defined)" : " (defined: " + String.join(", ", names.keySet()) + ")";
    }
}
