package dev.hybridrouter.router.cli;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyException;
import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code validate --policy PATH}: checks policy files the way the service loads them. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Checks a policy file, or a directory of them, exactly as the service would load it.",
            "Prints every error as file:line:column: message. Exit 0 when valid, 1 when not."
        })
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--policy",
            required = true,
            paramLabel = "PATH",
            description = "A policy YAML file or a directory of them.")
    Path policy;

    @Override
    public Integer call() {
        try {
            PolicySet policies = new PolicySource(policy).load();
            policies.defaultPolicy();
            for (Policy p : policies.policies().values()) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "valid: policy '%s' (%d domains, %d specialists, %d large models)%n",
                                p.name(),
                                p.domains().size(),
                                p.specialists().size(),
                                p.largeModels().size());
            }
            return 0;
        } catch (PolicyException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }
}
