package dev.hybridrouter.router.learning;

import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of {@code learning.mode: automatic} ({@code learning.automatic}): which labelled texts become examples
 * by themselves. A text is learned when it is not held back, has at least {@code agreement} labels and they all
 * agree, and, with {@code runner-up}, its domain label is the classifier's best or second-best domain (an
 * out-of-scope label always passes this rule: the request escalated, so no domain was sure). The daily cap is
 * the caller's to count.
 */
public final class AutomaticRules {

    private final Policy.Automatic rules;

    public AutomaticRules(Policy.Automatic rules) {
        this.rules = rules;
    }

    /** Whether this text is kept to judge new classifiers, never learned from. */
    public boolean heldBack(Proposal proposal) {
        return Proposal.heldBack(proposal.text(), rules.heldBack());
    }

    /** Whether this text becomes an example by itself. */
    public boolean accepts(Proposal proposal) {
        return !heldBack(proposal)
                && proposal.labels() >= rules.agreement()
                && proposal.agreement() == 1.0
                && (!rules.runnerUp() || proposal.nearGuess());
    }

    /** The proposals as learned examples: domain labels as their domain's examples, {@code none} as out of scope. */
    public static LearnedExamples learned(List<Proposal> proposals) {
        Map<String, List<String>> domains = new LinkedHashMap<>();
        List<String> outOfScope = new ArrayList<>();
        for (Proposal proposal : proposals) {
            if (proposal.outOfScope()) {
                outOfScope.add(proposal.text());
            } else {
                domains.computeIfAbsent(proposal.label(), name -> new ArrayList<>())
                        .add(proposal.text());
            }
        }
        return new LearnedExamples(domains, outOfScope);
    }
}
