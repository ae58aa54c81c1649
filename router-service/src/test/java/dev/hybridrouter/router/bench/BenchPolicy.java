package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy of a run, written in the router's documented YAML format (docs/policies.md). PathBenchmark's:
 * one domain per chosen HWU64 scenario with examples from the train file, each with a specialist of its own,
 * and a large model; every one of them points at the fake upstream. The bulkhead is set high enough that it
 * never refuses a call at the run's concurrency. InProcessBenchmark's: {@link #inProcess}.
 */
final class BenchPolicy {

    /** The environment variable that holds the large model's API key. */
    static final String API_KEY_ENV = "PATHBENCH_LARGE_MODEL_KEY";

    /** One line of an HWU64 file. */
    record Message(String text, String scenario) {}

    private BenchPolicy() {}

    /**
     * Reads an HWU64 JSON-lines file (fields {@code text} and {@code scenario}).
     *
     * @throws BenchmarkFailure if the file is missing or holds no messages
     */
    static List<Message> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BenchmarkFailure("HWU64 file not found: " + file.toAbsolutePath()
                    + " (--data names the folder holding hwu64_fold1_train.jsonl and hwu64_fold1_test.jsonl)");
        }
        JsonMapper mapper = JsonMapper.builder().build();
        List<Message> messages = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = mapper.readTree(line);
            String text = oneLine(node.path("text").asString(""));
            if (!text.isEmpty()) {
                messages.add(new Message(text, node.path("scenario").asString("")));
            }
        }
        if (messages.isEmpty()) {
            throw new BenchmarkFailure("no messages in " + file.toAbsolutePath());
        }
        return messages;
    }

    /**
     * The examples of each scenario: its first {@code count} distinct train messages after a shuffle with
     * {@code seed}, in the order of {@code scenarios}.
     *
     * @throws BenchmarkFailure if a scenario has fewer than {@code count} messages
     */
    static Map<String, List<String>> examples(List<Message> train, List<String> scenarios, int count, long seed) {
        Map<String, List<String>> examples = new LinkedHashMap<>();
        for (String scenario : scenarios) {
            List<String> texts = new ArrayList<>(new LinkedHashSet<>(train.stream()
                    .filter(message -> message.scenario().equals(scenario))
                    .map(Message::text)
                    .toList()));
            if (texts.size() < count) {
                throw new BenchmarkFailure(String.format(
                        "scenario '%s' has %d distinct train messages, fewer than --examples %d",
                        scenario, texts.size(), count));
            }
            Collections.shuffle(texts, new Random(seed));
            examples.put(scenario, List.copyOf(texts.subList(0, count)));
        }
        return examples;
    }

    /**
     * The policy YAML. Strings are written as JSON string literals, which YAML 1.2 reads as they are.
     *
     * @param fastStage false turns the classifier's fast stage off; true leaves the policy as builds without one
     *     read it too
     */
    static String yaml(Map<String, List<String>> examples, String baseUrl, int maxConcurrentCalls, boolean fastStage) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Written by PathBenchmark: every specialist and the large model point at the fake upstream.\n")
                .append("version: 1\n")
                .append("name: default\n")
                .append("classifier:\n")
                .append("  embedding-model: all-minilm-l6-v2-q\n")
                .append("  threshold: 0.55\n")
                .append(fastStage ? "" : "  fast-stage: {enabled: false}\n")
                .append("resilience:\n")
                .append("  max-concurrent-calls: ")
                .append(maxConcurrentCalls)
                .append('\n')
                .append("domains:\n");
        examples.forEach((scenario, texts) -> {
            yaml.append("  - name: ").append(json(scenario)).append('\n');
            yaml.append("    specialist: ").append(json(scenario + "-slm")).append('\n');
            yaml.append("    examples:\n");
            texts.forEach(text -> yaml.append("      - ").append(json(text)).append('\n'));
        });
        yaml.append("specialists:\n");
        examples.keySet().forEach(scenario -> yaml.append("  ")
                .append(json(scenario + "-slm"))
                .append(":\n")
                .append("    provider: openai-compatible\n")
                .append("    base-url: ")
                .append(json(baseUrl))
                .append('\n')
                .append("    model: ")
                .append(json(FastFakeUpstream.MODEL))
                .append('\n')
                .append("    system-prompt: ")
                .append(json("You are the " + scenario + " assistant. Answer in one short sentence."))
                .append('\n'));
        yaml.append("escalation:\n")
                .append("  large-model: large\n")
                .append("large-models:\n")
                .append("  large:\n")
                .append("    provider: openai-compatible\n")
                .append("    base-url: ")
                .append(json(baseUrl))
                .append('\n')
                .append("    model: ")
                .append(json(FastFakeUpstream.MODEL))
                .append('\n')
                .append("    api-key-env: ")
                .append(API_KEY_ENV)
                .append('\n');
        return yaml.toString();
    }

    /**
     * The in-process benchmark's policy: one domain whose specialist runs {@code model} in process, loaded
     * eagerly, one request at a time, without a system prompt (so the router's prompt is the caller's message
     * in the model's chat template, as the bare baseline's), retries off (every failure shows) and every time
     * limit {@code timeout}, so that a long queue on a slow model is measured, not cut short.
     *
     * @param contextSize tokens of context per request, or 0 for the engine's default
     */
    static String inProcess(
            String domain, Path model, int threads, int contextSize, int queueLimit, int timeoutSeconds) {
        StringBuilder yaml = new StringBuilder();
        yaml.append(
                        "# Written by InProcessBenchmark: one domain, its specialist in process on the benchmark's model.\n")
                .append("version: 1\n")
                .append("name: default\n")
                .append("domains:\n")
                .append("  - name: ")
                .append(json(domain))
                .append('\n')
                .append("    specialist: ")
                .append(json(domain + "-slm"))
                .append('\n')
                .append("    examples:\n")
                .append("      - ")
                .append(json("explain why the sky is blue"))
                .append('\n')
                .append("specialists:\n")
                .append("  ")
                .append(json(domain + "-slm"))
                .append(":\n")
                .append("    provider: in-process\n")
                .append("    model-path: ")
                .append(json(model.toAbsolutePath().toString()))
                .append('\n')
                .append("    threads: ")
                .append(threads)
                .append('\n')
                .append("    max-concurrent: 1\n")
                .append("    queue-limit: ")
                .append(queueLimit)
                .append('\n')
                .append("    load: eager\n");
        if (contextSize > 0) {
            yaml.append("    context-size: ").append(contextSize).append('\n');
        }
        yaml.append("    timeout: ")
                .append(timeoutSeconds)
                .append("s\n")
                .append("    resilience:\n")
                .append("      first-token-timeout: ")
                .append(timeoutSeconds)
                .append("s\n")
                .append("      circuit-breaker:\n")
                .append("        slow-call-duration: ")
                .append(timeoutSeconds)
                .append("s\n")
                .append("      retry:\n")
                .append("        max-attempts: 1\n");
        return yaml.toString();
    }

    /** A JSON string literal. */
    static String json(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** The text on one line, without control characters: a line of the wrk script's message file. */
    static String oneLine(String text) {
        return text.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").trim();
    }

    /**
     * Writes a tenants file into {@code directory}: one tenant, {@code bench}, on the policy {@code default}, with
     * its key's hash, rate limits and a budget that no benchmark reaches, so that every request is authenticated
     * and counted.
     */
    static Path tenants(Path directory, String key) throws IOException {
        String hash;
        try {
            hash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return Files.writeString(
                directory.resolve("tenants.yaml"),
                """
                tenants:
                  bench:
                    api-key-sha256: %s
                    policy: default
                    rate-limit: {requests-per-second: 1000000, max-concurrent: 100000}
                    budget: {tokens-per-day: 1000000000000000}
                """
                        .formatted(hash));
    }
}
