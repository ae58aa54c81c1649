package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HWU64 data set as the benchmarks use it (docs/benchmarks.md, "HWU64 routing"): its files, the six held-out
 * triples, and policies whose domains are the scenarios not held out, each with its first train messages after a
 * shuffle with seed {@value #SEED}.
 */
final class Hwu64 {

    static final String TRAIN_FILE = "hwu64_fold1_train.jsonl";
    static final String TEST_FILE = "hwu64_fold1_test.jsonl";

    /** Held out in turn: consecutive triples of the scenarios in alphabetical order. */
    static final List<List<String>> HELD_OUT = List.of(
            List.of("alarm", "audio", "calendar"),
            List.of("cooking", "datetime", "email"),
            List.of("general", "iot", "lists"),
            List.of("music", "news", "play"),
            List.of("qa", "recommendation", "social"),
            List.of("takeaway", "transport", "weather"));

    static final long SEED = 42;

    /** The policy loader's default threshold. */
    static final double DEFAULT_THRESHOLD = 0.55;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Hwu64() {}

    /** A labelled HWU64 message. */
    record Row(String text, String scenario) {}

    static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                rows.add(new Row(
                        node.get("text").asString(), node.get("scenario").asString()));
            }
        }
        return rows;
    }

    /** The scenario's distinct train messages after a shuffle with seed {@value #SEED}. */
    static List<String> shuffled(List<Row> train, String scenario) {
        List<String> texts = new ArrayList<>(train.stream()
                .filter(row -> row.scenario().equals(scenario))
                .map(Row::text)
                .distinct()
                .toList());
        Collections.shuffle(texts, new Random(SEED));
        return texts;
    }

    /**
     * A policy of the scenarios not held out, each with its first {@code examples} train messages after the seeded
     * shuffle, and with the first {@code outOfScope} of each held-out scenario as out-of-scope examples. Written as
     * a policy file (JSON is YAML) and read by the policy loader, as a user's policy would be.
     */
    static Policy policy(
            String model, double threshold, List<Row> train, int examples, List<String> heldOut, int outOfScope) {
        return load(policyTree(model, threshold, train, examples, heldOut, outOfScope));
    }

    /** The policy file of {@link #policy}, to add to before loading it. */
    static ObjectNode policyTree(
            String model, double threshold, List<Row> train, int examples, List<String> heldOut, int outOfScope) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1).put("name", "hwu64-" + examples);
        ObjectNode classifier =
                root.putObject("classifier").put("embedding-model", model).put("threshold", threshold);
        if (outOfScope > 0) {
            ArrayNode texts = classifier.putArray("out-of-scope-examples");
            heldOut.forEach(
                    scenario -> shuffled(train, scenario).subList(0, outOfScope).forEach(texts::add));
        }
        ArrayNode domains = root.putArray("domains");
        train.stream().map(Row::scenario).distinct().sorted().forEach(scenario -> {
            if (!heldOut.contains(scenario)) {
                ObjectNode domain = domains.addObject()
                        .put("name", scenario)
                        .put("description", "HWU64 scenario " + scenario)
                        .put("specialist", "slm");
                shuffled(train, scenario).subList(0, examples).forEach(domain.putArray("examples")::add);
            }
        });
        root.putObject("specialists")
                .putObject("slm")
                .put("provider", "openai-compatible")
                .put("base-url", "http://localhost:8000/v1")
                .put("model", "slm");
        root.putObject("escalation").put("large-model", "large");
        root.putObject("large-models")
                .putObject("large")
                .put("provider", "openai")
                .put("model", "large")
                .put("api-key-env", "OPENAI_API_KEY");
        return root;
    }

    /** Reads a policy tree with the policy loader, from a temporary file. */
    static Policy load(ObjectNode tree) {
        try {
            Path file = Files.createTempFile("hwu64-policy-", ".yaml");
            try {
                Files.writeString(file, JSON.writeValueAsString(tree));
                return PolicyLoader.load(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rows as labelled conversations: a held-out scenario's as {@value LabeledConversation#ESCALATE}. */
    static List<LabeledConversation> labelled(List<Row> rows, List<String> heldOut) {
        List<LabeledConversation> data = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            String label = heldOut.contains(row.scenario()) ? LabeledConversation.ESCALATE : row.scenario();
            data.add(new LabeledConversation(i + 1, List.of(ChatMessage.user(row.text())), label));
        }
        return data;
    }
}
