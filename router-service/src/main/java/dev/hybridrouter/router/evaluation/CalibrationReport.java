package dev.hybridrouter.router.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thresholds that make a target share of in-scope conversations escalate on some data, and what
 * routing looks like there. A conversation escalates when the classifier finds it out of scope or
 * its best domain's confidence is under that domain's threshold.
 *
 * @param targetEscalation the share of in-scope conversations meant to escalate
 * @param threshold one threshold for every domain: the highest that escalates at most the target
 *     share (0 when out-of-scope flags alone exceed it)
 * @param atThreshold routing with {@code threshold}
 * @param domainThresholds per domain, the highest threshold that escalates at most the target share
 *     of the in-scope conversations whose best domain it is; domains no conversation went to are
 *     missing
 * @param atDomainThresholds routing with {@code domainThresholds}
 * @param curve routing at thresholds 0, 0.05, ..., 1 applied to every domain
 * @param cascade per cascade domain, its learnt answer-score threshold ({@code calibrate --cascade}); empty unless
 *     asked for
 */
public record CalibrationReport(
        double targetEscalation,
        double threshold,
        OperatingPoint atThreshold,
        Map<String, Double> domainThresholds,
        OperatingPoint atDomainThresholds,
        List<CurvePoint> curve,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, CascadeCalibration> cascade) {

    public CalibrationReport {
        domainThresholds = Collections.unmodifiableMap(new LinkedHashMap<>(domainThresholds));
        curve = List.copyOf(curve);
        cascade = Collections.unmodifiableMap(new LinkedHashMap<>(cascade));
    }

    /** This report with an empty curve. */
    public CalibrationReport withoutCurve() {
        return new CalibrationReport(
                targetEscalation, threshold, atThreshold, domainThresholds, atDomainThresholds, List.of(), cascade);
    }

    /** This report with the cascade domains' learnt answer-score thresholds. */
    public CalibrationReport withCascade(Map<String, CascadeCalibration> cascade) {
        return new CalibrationReport(
                targetEscalation, threshold, atThreshold, domainThresholds, atDomainThresholds, curve, cascade);
    }

    /**
     * @param inScopeEscalationShare in-scope conversations escalated, over all in-scope ones
     * @param accuracy in-scope conversations routed to their domain without escalating, over all
     *     in-scope ones
     * @param escalationRecall {@value LabeledConversation#ESCALATE} conversations escalated, over all
     *     of them; {@code null} if the data has none
     */
    public record OperatingPoint(double inScopeEscalationShare, double accuracy, Double escalationRecall) {}

    /** Routing when every domain has {@code threshold}; fields as in {@link OperatingPoint}. */
    public record CurvePoint(
            double threshold, double inScopeEscalationShare, double accuracy, Double escalationRecall) {}
}
