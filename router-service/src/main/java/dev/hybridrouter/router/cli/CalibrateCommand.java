package dev.hybridrouter.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code calibrate}: the thresholds that escalate a chosen share of in-scope traffic. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Finds the thresholds (one for all domains, and one per domain) at which the given share of",
            "in-scope conversations escalates, with the accuracy and escalation recall there.",
            "Put them in the policy's classifier.threshold and domains[].threshold."
        })
final class CalibrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EvaluationInputs inputs;

    @Option(
            names = "--target-escalation",
            required = true,
            paramLabel = "SHARE",
            description = "Share of in-scope conversations to escalate, in [0,1], e.g. 0.10.")
    double targetEscalation;

    @Option(names = "--curve", description = "Also print the curve: thresholds 0 to 1 and what each gives.")
    boolean curve;

    @Override
    public Integer call() throws Exception {
        if (!(targetEscalation >= 0 && targetEscalation <= 1)) {
            throw new ParameterException(
                    spec.commandLine(), "--target-escalation must be in [0,1]: " + targetEscalation);
        }
        var loaded = inputs.load(spec.commandLine().getErr());
        var report = loaded.evaluator().calibrate(loaded.dataset().conversations(), targetEscalation);
        inputs.write(curve ? report : report.withoutCurve(), spec.commandLine().getOut());
        return 0;
    }
}
