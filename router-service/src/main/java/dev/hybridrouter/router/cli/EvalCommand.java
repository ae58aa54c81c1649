package dev.hybridrouter.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code eval}: how well a policy routes labelled conversations. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Routes labelled conversations with a policy, as the service would (no model is called),",
            "and prints JSON metrics: accuracy of routed messages, share of in-scope messages escalated,",
            "escalation recall for 'escalate' lines, per-domain precision/recall, confusion matrix,",
            "throughput and latency. Malformed lines are reported with their line numbers and skipped."
        })
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EvaluationInputs inputs;

    @Override
    public Integer call() throws Exception {
        var loaded = inputs.load(spec.commandLine().getErr());
        inputs.write(
                loaded.evaluator().evaluate(loaded.dataset().conversations()),
                spec.commandLine().getOut());
        return 0;
    }
}
