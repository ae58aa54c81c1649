package dev.hybridrouter.policies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import tools.jackson.databind.JsonNode;

/**
 * What a policy learned from labelled traffic: examples per domain and out-of-scope examples, kept in {@code
 * POLICY.learned.yaml} in the policy's learning directory (schema {@value PolicySchema#LEARNED_RESOURCE}). The
 * promote command and automatic learning write it; the policy is read with it ({@link Policy#withLearned}); the
 * policy file itself is never written. A text is learned once, whatever it was learned as.
 *
 * @param domains learned examples by domain name, in the order they were learned
 * @param outOfScopeExamples learned messages that belong to no domain
 */
public record LearnedExamples(Map<String, List<String>> domains, List<String> outOfScopeExamples) {

    /** The name of a policy's learned file is the policy's name followed by this. */
    public static final String SUFFIX = ".learned.yaml";

    /** Nothing learned. */
    public static final LearnedExamples NONE = new LearnedExamples(Map.of(), List.of());

    private static final String HEADER =
            """
            # What this policy learned from labelled traffic (hybrid-router promote, or learning.mode: automatic),
            # read with the policy and added to its examples. Edit or delete entries freely; the policy file itself
            # is never written.
            """;

    public LearnedExamples {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        domains.forEach((name, examples) -> copy.put(name, List.copyOf(examples)));
        domains = Collections.unmodifiableMap(copy);
        outOfScopeExamples = List.copyOf(outOfScopeExamples);
    }

    /** The examples learned for this domain; empty when none. */
    public List<String> examples(String domain) {
        return domains.getOrDefault(domain, List.of());
    }

    /** How many texts were learned. */
    public int size() {
        return domains.values().stream().mapToInt(List::size).sum() + outOfScopeExamples.size();
    }

    /** Every learned text. */
    public Set<String> texts() {
        Set<String> texts = new HashSet<>(outOfScopeExamples);
        domains.values().forEach(texts::addAll);
        return texts;
    }

    /** These and {@code more}, leaving out the texts of {@code more} already learned. */
    public LearnedExamples plus(LearnedExamples more) {
        Set<String> known = texts();
        Map<String, List<String>> grown = new LinkedHashMap<>();
        domains.forEach((name, examples) -> grown.put(name, new ArrayList<>(examples)));
        more.domains.forEach(
                (name, examples) -> examples.stream().filter(known::add).forEach(text -> grown.computeIfAbsent(
                                name, n -> new ArrayList<>())
                        .add(text)));
        List<String> outOfScope = new ArrayList<>(outOfScopeExamples);
        more.outOfScopeExamples.stream().filter(known::add).forEach(outOfScope::add);
        return new LearnedExamples(grown, outOfScope);
    }

    /**
     * Reads a policy's learned file.
     *
     * @return {@link #NONE} when there is no such file
     * @throws PolicyException naming file, line and column of each problem: not YAML, against the schema, or a
     *     domain the policy does not have
     */
    public static LearnedExamples read(Path file, Collection<String> domains) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new PolicyException(List.of(PolicyError.ofSource(file.toString(), "cannot be read: " + e)));
        }
        return parse(file.toString(), yaml, domains);
    }

    static LearnedExamples parse(String source, String yaml, Collection<String> domains) {
        var problems = new Problems(source);
        YamlDocument document = YamlDocument.parseLiteral(yaml, problems, "write {} for nothing learned")
                .orElseThrow(problems::exception);
        PolicySchema.LEARNED.validate(document, problems);
        problems.throwIfAny();
        Map<String, List<String>> learned = new LinkedHashMap<>();
        Pointer at = Pointer.ROOT.property("domains");
        for (Map.Entry<String, JsonNode> domain :
                document.root().path("domains").properties()) {
            if (!domains.contains(domain.getKey())) {
                problems.add(
                        document.keyAt(at.property(domain.getKey())),
                        "examples were learned for domain '" + domain.getKey() + "', which the policy does not have"
                                + Suggestions.didYouMean(domain.getKey(), domains)
                                + "; rename the entry to the domain's new name, or delete it");
                continue;
            }
            learned.put(domain.getKey(), texts(domain.getValue()));
        }
        problems.throwIfAny();
        return new LearnedExamples(learned, texts(document.root().path("out-of-scope-examples")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(text -> texts.add(text.asString()));
        return texts;
    }

    /** Writes these as the file, atomically: a reader sees the old file or the new one, never a part. */
    public void write(Path file) {
        Map<String, Object> tree = new LinkedHashMap<>();
        if (!domains.isEmpty()) {
            tree.put("domains", domains);
        }
        if (!outOfScopeExamples.isEmpty()) {
            tree.put("out-of-scope-examples", outOfScopeExamples);
        }
        String yaml = tree.isEmpty()
                ? "{}\n"
                : new Dump(DumpSettings.builder()
                                .setDefaultFlowStyle(FlowStyle.BLOCK)
                                .setWidth(Integer.MAX_VALUE)
                                .build())
                        .dumpToString(tree);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path next = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(next, HEADER + yaml, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
