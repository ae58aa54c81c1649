package dev.hybridrouter.router.cli;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicySource;
import dev.hybridrouter.router.evaluation.LabeledDataset;
import dev.hybridrouter.router.evaluation.RouterEvaluator;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.TwoStageClassifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The options {@code eval} and {@code calibrate} share, and what they load from them. */
final class EvaluationInputs {

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(
            names = "--policy",
            required = true,
            paramLabel = "PATH",
            description = "A policy YAML file, or a directory of them (its default policy is used).")
    Path policy;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE.jsonl",
            description = {
                "One conversation a line: {\"text\": \"...\", \"label\": \"<domain> or escalate\"},",
                "or {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}, ...], \"label\": ...}."
            })
    Path data;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON result to this file.")
    Path out;

    /** The policy, its trained classifier and the data; progress and malformed lines go to {@code err}. */
    Loaded load(PrintWriter err) {
        Policy loaded = new PolicySource(policy).load().defaultPolicy();
        LabeledDataset dataset = LabeledDataset.read(data);
        dataset.malformed().forEach(line -> err.printf("%s:%d: skipped: %s%n", data, line.line(), line.reason()));
        int examples =
                loaded.domains().stream().mapToInt(d -> d.examples().size()).sum();
        err.printf(
                "Training the classifier of policy '%s' on %d examples (%s)...%n",
                loaded.name(), examples, loaded.classifier().embeddingModel());
        EmbeddingCache embeddings = EmbeddingCache.ofDefaults();
        DomainClassifier classifier = TwoStageClassifier.of(
                loaded, inputs -> EmbeddingDomainClassifier.of(inputs, embeddings), new SimpleMeterRegistry());
        err.printf("Routing %d conversations...%n", dataset.conversations().size());
        return new Loaded(loaded, dataset, new RouterEvaluator(loaded, classifier));
    }

    /** Prints a result as JSON, and writes it to {@code --out} if given. */
    void write(Object result, PrintWriter stdout) throws IOException {
        String json = JSON.writeValueAsString(result);
        stdout.println(json);
        if (out != null) {
            Files.writeString(out, json + System.lineSeparator());
        }
    }

    record Loaded(Policy policy, LabeledDataset dataset, RouterEvaluator evaluator) {}
}
