package dev.hybridrouter.router.cli;

import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.learning.AutomaticRules;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code promote}: learns what review proposes, into the policy's learned file. */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Adds the texts review proposes (with the same filters) to the policy's learned file, "
                + "POLICY.learned.yaml in its learning directory: labels naming a domain as that domain's "
                + "examples, labels 'none' as out-of-scope examples. The policy file itself is not written; a "
                + "running router reads the learned file at its next reload and trains its classifier again.")
final class PromoteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LabelInputs inputs;

    @Option(names = "--dry-run", description = "Print what would be learned, write nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        LabelInputs.Loaded loaded = inputs.load(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        LearnedExamples more = AutomaticRules.learned(loaded.proposals());
        Policy policy = loaded.policy();
        List<String> domains =
                policy.domains().stream().map(Policy.Domain::name).toList();
        for (String domain : domains) {
            if (!more.examples(domain).isEmpty()) {
                out.printf(
                        Locale.ROOT,
                        "  %-24s +%d examples%n",
                        domain,
                        more.examples(domain).size());
            }
        }
        if (!more.outOfScopeExamples().isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "  %-24s +%d out-of-scope examples%n",
                    "none",
                    more.outOfScopeExamples().size());
        }
        if (more.size() == 0) {
            out.println("Nothing to promote: no new text passes the filters.");
            return 0;
        }
        if (dryRun) {
            out.printf(
                    Locale.ROOT,
                    "Would add %d texts to %s (dry run: nothing written)%n",
                    more.size(),
                    loaded.learnedFile());
            return 0;
        }
        LearnedExamples learned =
                LearnedExamples.read(loaded.learnedFile(), domains).plus(more);
        learned.write(loaded.learnedFile());
        out.printf(
                Locale.ROOT,
                "Added %d texts to %s (%d learned in all); a running router trains on them at its next reload%n",
                more.size(),
                loaded.learnedFile(),
                learned.size());
        return 0;
    }
}
