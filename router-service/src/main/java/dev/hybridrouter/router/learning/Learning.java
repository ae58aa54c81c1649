package dev.hybridrouter.router.learning;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.policy.PolicyRegistry;
import dev.hybridrouter.router.routing.DomainClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy's running learning: its settings and its labeller, which in automatic mode feeds an {@link
 * AutomaticLearner}.
 */
public record Learning(Policy.Learning settings, Labeller labeller) {

    private static final Logger log = LoggerFactory.getLogger(Learning.class);

    /**
     * Starts labelling for a policy; in automatic mode, learning from its labels, those already written included.
     *
     * @param registry serves the policy, and reloads it when it has learned
     * @param classifiers trains the classifier of a policy
     */
    public static Labeller start(
            String policy,
            Policy.Learning settings,
            PolicyRegistry registry,
            Function<Policy, DomainClassifier> classifiers,
            Clock clock,
            MeterRegistry meters) {
        Consumer<Label> onLabel = label -> {};
        if (settings.mode() == Policy.LearningMode.AUTOMATIC) {
            onLabel = new AutomaticLearner(
                    policy,
                    settings,
                    () -> registry.served().policies().get(policy),
                    classifiers,
                    registry::reloadIfChanged,
                    clock,
                    meters,
                    earlierLabels(policy, Path.of(settings.directory())));
        }
        return new Labeller(policy, settings, clock, new SplittableRandom(), meters, onLabel);
    }

    private static List<Label> earlierLabels(String policy, Path directory) {
        try {
            LabelFiles.Read read = LabelFiles.read(directory, policy);
            if (!read.unreadable().isEmpty()) {
                log.warn(
                        "Learning: {} lines of label files in {} are not labels, e.g. {}; they are skipped",
                        read.unreadable().size(),
                        directory,
                        read.unreadable().get(0));
            }
            return read.labels();
        } catch (IOException e) {
            log.warn(
                    "Learning: cannot read the labels in {}; policy '{}' learns from new labels only",
                    directory,
                    policy,
                    e);
            return List.of();
        }
    }
}
