package dev.hybridrouter.router.learning;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.EvaluationReport;
import dev.hybridrouter.router.evaluation.LabeledConversation;
import dev.hybridrouter.router.evaluation.RouterEvaluator;
import dev.hybridrouter.router.routing.DomainClassifier;
import java.util.List;

/** How well a classifier routes the held-back labels, the measure a new classifier must not do worse on. */
public final class HeldBack {

    private HeldBack() {}

    /**
     * The share of the held-back texts routed right under the policy's thresholds: a text labelled with a domain
     * kept local in that domain, a text labelled {@code none} escalated. {@code 0} without texts.
     */
    public static double routedRight(Policy policy, DomainClassifier classifier, List<Proposal> heldBack) {
        if (heldBack.isEmpty()) {
            return 0;
        }
        List<LabeledConversation> data = heldBack.stream()
                .map(p -> new LabeledConversation(
                        0,
                        List.of(ChatMessage.user(p.text())),
                        p.outOfScope() ? LabeledConversation.ESCALATE : p.label()))
                .toList();
        EvaluationReport report = new RouterEvaluator(policy, classifier).evaluate(data);
        double right = (report.accuracy() == null ? 0 : report.accuracy() * report.inScope())
                + (report.escalationRecall() == null ? 0 : report.escalationRecall() * report.shouldEscalate());
        return right / report.messages();
    }
}
