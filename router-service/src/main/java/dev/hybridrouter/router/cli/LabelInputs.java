package dev.hybridrouter.router.cli;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import dev.hybridrouter.router.learning.LabelFiles;
import dev.hybridrouter.router.learning.Proposal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options {@code review} and {@code promote} share: whose labels, and which of them. */
final class LabelInputs {

    @Option(
            names = "--policy",
            required = true,
            paramLabel = "PATH",
            description = "A policy YAML file, or a directory of them; its learning block says where the labels are.")
    Path policy;

    @Option(
            names = "--name",
            paramLabel = "POLICY",
            description = "Which policy of the directory (default: its default policy).")
    String name;

    @Option(
            names = "--label",
            paramLabel = "NAME",
            description = "Only texts labelled with this domain, or none (repeatable).")
    List<String> labels = List.of();

    @Option(
            names = "--min-labels",
            paramLabel = "N",
            defaultValue = "1",
            description = "Only texts labelled at least this many times (default: ${DEFAULT-VALUE}).")
    int minLabels;

    @Option(
            names = "--min-agreement",
            paramLabel = "SHARE",
            defaultValue = "1.0",
            description =
                    "Only texts whose labels agree at least this much, in [0,1] (default: ${DEFAULT-VALUE}: all).")
    double minAgreement;

    /** A policy that learns, and the proposals of its labels that pass the filters. */
    record Loaded(Policy policy, Path learnedFile, int labels, List<Proposal> proposals) {}

    /** Reads the policy (with what it learned already) and its labels; unreadable lines are reported on {@code err}. */
    Loaded load(CommandLine command) throws IOException {
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw new CommandLine.ParameterException(command, "--min-agreement must be in [0,1]: " + minAgreement);
        }
        PolicySet policies = new PolicySource(policy).load();
        Policy loaded = name == null
                ? policies.defaultPolicy()
                : policies.policy(name)
                        .orElseThrow(() -> new CommandLine.ParameterException(
                                command,
                                "No policy named '" + name + "' in " + policy + "; it has "
                                        + policies.policies().keySet()));
        if (loaded.learning() == null) {
            throw new CommandLine.ParameterException(
                    command, "Policy '" + loaded.name() + "' has no learning block, so nothing is labelled for it");
        }
        Path directory = Path.of(loaded.learning().directory());
        LabelFiles.Read read = LabelFiles.read(directory, loaded.name());
        PrintWriter err = command.getErr();
        read.unreadable().forEach(line -> err.println(line + ": skipped: not a label"));
        Set<String> known = new HashSet<>(loaded.classifier().outOfScopeExamples());
        loaded.domains().forEach(domain -> known.addAll(domain.examples()));
        List<Proposal> proposals = Proposal.of(read.labels(), known).stream()
                .filter(p -> labels.isEmpty() || labels.contains(p.label()))
                .filter(p -> p.labels() >= minLabels && p.agreement() >= minAgreement)
                .filter(p -> p.outOfScope() || loaded.domain(p.label()).isPresent())
                .toList();
        return new Loaded(
                loaded,
                loaded.learning().learnedFile(loaded.name()),
                read.labels().size(),
                proposals);
    }
}
