package dev.hybridrouter.router.learning;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import java.util.List;
import java.util.Set;

/**
 * How two classifiers route the held-back labelled texts: the judgement a new classifier must pass before it serves.
 * A text is routed right when a domain label is kept local in that domain, and a {@code none} label escalates.
 */
public final class HeldBack {

    /** The significance below which a candidate that routes fewer texts right is judged worse. */
    static final double SIGNIFICANCE = 0.05;

    private static final String AUTO = "auto";

    private HeldBack() {}

    /**
     * The two classifiers on the same texts.
     *
     * @param texts held-back texts routed
     * @param currentRight of them, routed right by the serving classifier
     * @param candidateRight of them, routed right by the candidate
     * @param onlyCurrent routed right by the serving classifier only
     * @param onlyCandidate routed right by the candidate only
     */
    public record Comparison(int texts, int currentRight, int candidateRight, int onlyCurrent, int onlyCandidate) {

        /** The share of the texts the serving classifier routes right; {@code 0} without texts. */
        public double current() {
            return texts == 0 ? 0 : (double) currentRight / texts;
        }

        /** The share of the texts the candidate routes right; {@code 0} without texts. */
        public double candidate() {
            return texts == 0 ? 0 : (double) candidateRight / texts;
        }

        /**
         * Whether the candidate routes the texts worse beyond chance: it gets more of the texts on which the two
         * disagree wrong than right, and an exact one-sided sign test (McNemar's, on those texts) makes a split at
         * least that uneven less likely than {@value #SIGNIFICANCE} were the two equally good. On tens of texts a
         * plain "fewer right" comparison is mostly noise: in the HWU64 simulation it rejected candidates that routed
         * the test set better about half the time.
         */
        public boolean worse() {
            int disagreements = onlyCurrent + onlyCandidate;
            return onlyCurrent > onlyCandidate && upperTail(onlyCurrent, disagreements) < SIGNIFICANCE;
        }
    }

    /** Routes the held-back texts with the serving classifier and with a candidate. */
    public static Comparison compare(
            Policy current,
            DomainClassifier serving,
            Policy candidatePolicy,
            DomainClassifier candidate,
            List<Proposal> heldBack) {
        Router now = new Router(current, serving, Set.of(AUTO), Integer.MAX_VALUE);
        Router next = new Router(candidatePolicy, candidate, Set.of(AUTO), Integer.MAX_VALUE);
        int currentRight = 0;
        int candidateRight = 0;
        int onlyCurrent = 0;
        int onlyCandidate = 0;
        for (Proposal text : heldBack) {
            boolean a = right(now, text);
            boolean b = right(next, text);
            currentRight += a ? 1 : 0;
            candidateRight += b ? 1 : 0;
            onlyCurrent += a && !b ? 1 : 0;
            onlyCandidate += b && !a ? 1 : 0;
        }
        return new Comparison(heldBack.size(), currentRight, candidateRight, onlyCurrent, onlyCandidate);
    }

    private static boolean right(Router router, Proposal text) {
        RoutingDecision decision = router.route(ChatCompletionRequest.of(AUTO, List.of(ChatMessage.user(text.text()))));
        return text.outOfScope()
                ? decision.escalate()
                : !decision.escalate() && decision.route().equals(text.label());
    }

    /**
     * P(X ≥ k) for X binomial with n trials of probability 1/2: the terms from the top down, in logarithms so that
     * no term underflows however many texts there are.
     */
    static double upperTail(int k, int n) {
        double[] logs = new double[n - k + 1];
        double log = -n * Math.log(2); // ln P(X = n)
        double top = log;
        for (int i = n; i >= k; i--) {
            logs[n - i] = log;
            top = Math.max(top, log);
            log += Math.log((double) i / (n - i + 1)); // ln P(X = i - 1) from ln P(X = i)
        }
        double sum = 0;
        for (double term : logs) {
            sum += Math.exp(term - top);
        }
        return Math.min(1, Math.exp(top) * sum);
    }
}
