package dev.hybridrouter.policies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads policy files. Minimal first cut: parses the documented format and checks references;
 * precise file:line:column errors come with the full loader.
 */
public final class PolicyLoader {

    static final double DEFAULT_THRESHOLD = 0.55;
    static final String DEFAULT_EMBEDDING_MODEL = "all-minilm-l6-v2-q";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private PolicyLoader() {}

    /** Loads one policy file. */
    public static Policy load(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new PolicyException(file + ": " + e.getMessage());
        }
    }

    /** Parses policy text; {@code source} names it in errors and gives the default policy name. */
    public static Policy parse(String source, String yaml) {
        JsonNode root = YAML.readTree(yaml);
        String file = source;
        String fileName =
                Path.of(source.replaceFirst("^classpath:", "")).getFileName().toString();
        String name = root.path("name").asString(fileName.replaceFirst("\\.ya?ml$", ""));
        JsonNode classifierNode = root.path("classifier");
        var classifier = new Policy.Classifier(
                classifierNode.path("embedding-model").asString(DEFAULT_EMBEDDING_MODEL),
                classifierNode.path("threshold").asDouble(DEFAULT_THRESHOLD));

        List<Policy.Domain> domains = new ArrayList<>();
        for (JsonNode d : root.path("domains")) {
            List<String> examples = new ArrayList<>();
            d.path("examples").forEach(e -> examples.add(e.asString()));
            domains.add(new Policy.Domain(
                    d.path("name").asString(),
                    d.path("description").asString(""),
                    d.path("specialist").asString(),
                    d.has("threshold") ? d.get("threshold").asDouble() : null,
                    examples));
        }

        Map<String, Policy.Specialist> specialists = new LinkedHashMap<>();
        root.path("specialists").properties().forEach(entry -> {
            JsonNode s = entry.getValue();
            List<Policy.Turn> fewShot = new ArrayList<>();
            s.path("few-shot")
                    .forEach(t -> fewShot.add(new Policy.Turn(
                            t.path("user").asString(), t.path("assistant").asString())));
            specialists.put(
                    entry.getKey(),
                    new Policy.Specialist(
                            Policy.SpecialistProvider.valueOf(enumName(s.path("provider"))),
                            s.path("base-url").asString(),
                            s.path("model").asString(),
                            s.path("api-key-env").asString(null),
                            s.path("system-prompt").asString(null),
                            fewShot,
                            duration(s.path("timeout"))));
        });

        Map<String, Policy.LargeModel> largeModels = new LinkedHashMap<>();
        root.path("large-models").properties().forEach(entry -> {
            JsonNode m = entry.getValue();
            largeModels.put(
                    entry.getKey(),
                    new Policy.LargeModel(
                            Policy.LargeModelProvider.valueOf(enumName(m.path("provider"))),
                            m.path("model").asString(),
                            m.path("base-url").asString(null),
                            m.path("api-key-env").asString(null),
                            m.path("api-key-file").asString(null),
                            duration(m.path("timeout"))));
        });

        var escalation = new Policy.Escalation(
                root.path("escalation").path("large-model").asString(null));
        for (Policy.Domain domain : domains) {
            if (!specialists.containsKey(domain.specialist())) {
                throw new PolicyException(file + ": domain '" + domain.name() + "' names unknown specialist '"
                        + domain.specialist() + "'");
            }
        }
        if (escalation.largeModel() != null && !largeModels.containsKey(escalation.largeModel())) {
            throw new PolicyException(
                    file + ": escalation names unknown large model '" + escalation.largeModel() + "'");
        }
        return new Policy(name, classifier, domains, specialists, escalation, largeModels);
    }

    private static String enumName(JsonNode node) {
        return node.asString().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    private static Duration duration(JsonNode node) {
        return node.isMissingNode()
                ? DEFAULT_TIMEOUT
                : Duration.parse("PT" + node.asString().toUpperCase());
    }
}
