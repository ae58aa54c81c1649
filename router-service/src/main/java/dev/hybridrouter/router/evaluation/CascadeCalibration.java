package dev.hybridrouter.router.evaluation;

import java.util.List;

/**
 * A cascade domain's answer-score threshold, learnt from labelled conversations in its band: each was answered by
 * the domain's specialist (asked for token log-probabilities) and scored; an answer should be kept when the
 * conversation is labelled with the domain, and escalated otherwise (another domain, or {@value
 * LabeledConversation#ESCALATE}).
 *
 * @param band the domain's cascade band, as the policy gives it
 * @param conversations the labelled conversations the policy cascades in this domain (in the band, low confidence)
 * @param labelledForDomain of them, those labelled with the domain: the answers to keep
 * @param unscorable answers without token log-probabilities: always escalated
 * @param failed specialist calls that failed; left out of the figures below
 * @param minScore the threshold (4 decimals) that sends the most answers where their labels say, the higher on a
 *     tie; {@code null} when no answer was scored
 * @param policyMinScore the policy's {@code cascade.min-score}, for comparison
 * @param accuracy at {@code minScore}: answers kept that should be, and escalated that should be, over all answered
 * @param keptPrecision at {@code minScore}: of the answers kept, those labelled with the domain; {@code null} when
 *     none is kept
 * @param escalatedShare at {@code minScore}: answers escalated, unscorable ones included, over all answered
 */
public record CascadeCalibration(
        List<Double> band,
        int conversations,
        int labelledForDomain,
        int unscorable,
        int failed,
        Double minScore,
        double policyMinScore,
        Double accuracy,
        Double keptPrecision,
        Double escalatedShare) {

    public CascadeCalibration {
        band = List.copyOf(band);
    }
}
