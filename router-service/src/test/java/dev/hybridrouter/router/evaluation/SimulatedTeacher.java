package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.router.learning.Label;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A large model as teacher, simulated on labelled data: it gives a message's true label (its domain, or {@value
 * Label#NONE}), except for a share of messages, chosen at random, where it gives another label, uniformly among
 * the domains and {@value Label#NONE}.
 */
final class SimulatedTeacher {

    private final List<String> labels;
    private final double errorRate;
    private final Random random;

    /**
     * @param domains the policy's domains
     * @param errorRate the share of wrong labels, in [0,1]
     * @param random draws which labels are wrong and what they are instead
     * @throws IllegalArgumentException if the error rate is outside [0,1]
     */
    SimulatedTeacher(List<String> domains, double errorRate, Random random) {
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("the teacher's error rate must be in [0,1]: " + errorRate);
        }
        this.labels = new ArrayList<>(domains);
        this.labels.add(Label.NONE);
        this.errorRate = errorRate;
        this.random = random;
    }

    /**
     * The teacher's label of a message.
     *
     * @param truth the message's domain, or {@value Label#NONE}
     * @throws IllegalArgumentException if the truth is neither
     */
    String label(String truth) {
        int right = labels.indexOf(truth);
        if (right < 0) {
            throw new IllegalArgumentException("'" + truth + "' is no domain of the policy, nor " + Label.NONE);
        }
        if (random.nextDouble() >= errorRate) {
            return truth;
        }
        int other = random.nextInt(labels.size() - 1);
        return labels.get(other < right ? other : other + 1);
    }
}
