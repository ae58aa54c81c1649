package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.router.evaluation.LabeledDataset.MalformedLine;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a router did on labelled conversations. Shares are in [0,1]; a share whose denominator is
 * zero is {@code null}.
 *
 * @param messages conversations evaluated
 * @param inScope conversations labelled with a domain
 * @param shouldEscalate conversations labelled {@value LabeledConversation#ESCALATE}
 * @param accuracy in-scope conversations routed to their domain without escalating, over {@code
 *     inScope}
 * @param inScopeEscalationShare in-scope conversations escalated, over {@code inScope}
 * @param escalationRecall {@value LabeledConversation#ESCALATE} conversations escalated, over {@code
 *     shouldEscalate}
 * @param domains precision and recall per domain, in policy order
 * @param confusion count per label (rows) and outcome (columns): the domain routed to, or {@value
 *     LabeledConversation#ESCALATE} when escalated
 * @param messagesPerSecond conversations routed per second spent routing, one at a time
 * @param latencyP50Millis median time to route one conversation
 * @param latencyP99Millis 99th percentile (nearest rank) of the time to route one conversation
 * @param skipped conversations not evaluated because their label names nothing in the policy
 */
public record EvaluationReport(
        int messages,
        int inScope,
        int shouldEscalate,
        Double accuracy,
        Double inScopeEscalationShare,
        Double escalationRecall,
        Map<String, DomainMetrics> domains,
        Map<String, Map<String, Integer>> confusion,
        double messagesPerSecond,
        double latencyP50Millis,
        double latencyP99Millis,
        List<MalformedLine> skipped) {

    public EvaluationReport {
        domains = Collections.unmodifiableMap(new LinkedHashMap<>(domains));
        Map<String, Map<String, Integer>> rows = new LinkedHashMap<>();
        confusion.forEach((label, row) -> rows.put(label, Collections.unmodifiableMap(new LinkedHashMap<>(row))));
        confusion = Collections.unmodifiableMap(rows);
        skipped = List.copyOf(skipped);
    }

    /**
     * @param support conversations labelled with this domain
     * @param routed conversations routed to this domain without escalating
     * @param precision of {@code routed}, the share labelled with this domain; {@code null} if none
     * @param recall of {@code support}, the share routed to this domain without escalating; {@code
     *     null} if none
     */
    public record DomainMetrics(int support, int routed, Double precision, Double recall) {}
}
