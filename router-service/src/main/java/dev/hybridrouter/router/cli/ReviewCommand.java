package dev.hybridrouter.router.cli;

import dev.hybridrouter.router.learning.Proposal;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code review}: what the teacher's labels propose to learn. */
@Command(
        name = "review",
        mixinStandardHelpOptions = true,
        description = "Lists what the teacher's labels of a policy propose: examples for its domains and "
                + "out-of-scope examples, each text with its label, how many labels it has and how much they "
                + "agree, and the classifier's own guess. Texts the policy already has are left out. promote "
                + "learns them.")
final class ReviewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LabelInputs inputs;

    @Override
    public Integer call() throws Exception {
        LabelInputs.Loaded loaded = inputs.load(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        List<Proposal> proposals = loaded.proposals().stream()
                .sorted(Comparator.comparing(Proposal::label)
                        .thenComparing(Comparator.comparingInt(Proposal::labels).reversed()))
                .toList();
        out.printf(
                Locale.ROOT,
                "Policy '%s': %d labels, %d new texts proposed (learned file: %s)%n",
                loaded.policy().name(),
                loaded.labels(),
                proposals.size(),
                loaded.learnedFile());
        Map<String, Integer> perLabel = new TreeMap<>();
        proposals.forEach(p -> perLabel.merge(p.label(), 1, Integer::sum));
        perLabel.forEach((label, count) -> out.printf(
                Locale.ROOT, "  %-24s %d%s%n", label, count, Proposal.outOfScopeLabel(label) ? " (out of scope)" : ""));
        if (proposals.isEmpty()) {
            return 0;
        }
        out.println();
        out.printf(Locale.ROOT, "%-24s %6s %6s  %-24s %s%n", "LABEL", "LABELS", "AGREE", "CLASSIFIER", "TEXT");
        for (Proposal p : proposals) {
            out.printf(
                    Locale.ROOT,
                    "%-24s %6d %5.0f%%  %-24s %s%n",
                    p.label(),
                    p.labels(),
                    100 * p.agreement(),
                    p.guess() == null ? "-" : p.guess(),
                    oneLine(p.text()));
        }
        return 0;
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }
}
