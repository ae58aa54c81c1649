package dev.hybridrouter.router.learning;

import java.time.Instant;

/**
 * What the teacher said one escalated request belongs to: one JSON line of a label file.
 *
 * @param time when the request was answered
 * @param policy the policy that routed it
 * @param text the request's last user message, as it was sent to the large model (masked)
 * @param guess the domain the classifier scored best
 * @param confidence the classifier's confidence in {@code guess}
 * @param runnerUp the domain the classifier scored second best, or {@code null} when the policy has one domain
 * @param reason why it escalated: {@code low-confidence} or {@code out-of-scope}
 * @param label a domain of the policy, or {@value #NONE}
 * @param teacher the large model that labelled it
 */
public record Label(
        Instant time,
        String policy,
        String text,
        String guess,
        double confidence,
        String runnerUp,
        String reason,
        String label,
        String teacher) {

    /** The label of a request that belongs to no domain. */
    public static final String NONE = "none";
}
