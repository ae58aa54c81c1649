package dev.hybridrouter.router.cli;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.CascadeCalibration;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.specialists.Specialists;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code calibrate}: the thresholds that escalate a chosen share of in-scope traffic; with {@code --cascade}, the
 * cascade domains' answer-score thresholds too.
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Finds the thresholds (one for all domains, and one per domain) at which the given share of",
            "in-scope conversations escalates, with the accuracy and escalation recall there.",
            "Put them in the policy's classifier.threshold and domains[].threshold.",
            "With --cascade, also learns each cascade domain's answer-score threshold (cascade.min-score)."
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

    @Option(
            names = "--cascade",
            description = {
                "Also learn each cascade domain's cascade.min-score: its specialist answers the labelled",
                "conversations the policy cascades (confidence in the domain's band), the answers are scored,",
                "and the threshold is chosen that keeps those labelled with the domain and escalates the rest.",
                "Calls the specialists' servers, 4 at a time."
            })
    boolean cascade;

    @Override
    public Integer call() throws Exception {
        if (!(targetEscalation >= 0 && targetEscalation <= 1)) {
            throw new ParameterException(
                    spec.commandLine(), "--target-escalation must be in [0,1]: " + targetEscalation);
        }
        var loaded = inputs.load(spec.commandLine().getErr());
        var report = loaded.evaluator().calibrate(loaded.dataset().conversations(), targetEscalation);
        if (cascade) {
            report = report.withCascade(cascades(loaded));
        }
        inputs.write(curve ? report : report.withoutCurve(), spec.commandLine().getOut());
        return 0;
    }

    /** The cascade domains' answer-score thresholds, their specialists called on their servers. */
    private Map<String, CascadeCalibration> cascades(EvaluationInputs.Loaded loaded) {
        Policy policy = loaded.policy();
        List<String> names = policy.domains().stream()
                .filter(domain -> domain.cascade() != null)
                .map(Policy.Domain::specialist)
                .distinct()
                .toList();
        if (names.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "--cascade: policy '" + policy.name() + "' has no domain with a cascade");
        }
        try (UpstreamHttpClient http = UpstreamHttpClient.ofDefaults()) {
            Specialists specialists = new Specialists(http, System::getenv, Clock.systemUTC());
            Map<String, ChatClient> clients = new HashMap<>();
            names.forEach(name -> clients.put(
                    name,
                    specialists.create(
                            UpstreamFactory.settings(name, policy.specialists().get(name)))));
            spec.commandLine()
                    .getErr()
                    .printf("Asking %s for the answers in the cascade bands...%n", String.join(", ", names));
            return loaded.evaluator().calibrateCascades(loaded.dataset().conversations(), clients::get);
        }
    }
}
