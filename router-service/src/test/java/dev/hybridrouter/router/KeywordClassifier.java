package dev.hybridrouter.router;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.langchain4j.data.message.UserMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A classifier whose answer a test chooses: a domain scores 0.9 when the last user message names it,
 * else 0.1 (under the test policies' threshold, so the request escalates).
 */
public final class KeywordClassifier {

    private KeywordClassifier() {}

    public static Function<Policy, DomainClassifier> forPolicies() {
        return policy -> conversation -> {
            String text = ((UserMessage) conversation.get(conversation.size() - 1)).singleText();
            Map<String, Double> scores = new HashMap<>();
            policy.domains().forEach(d -> scores.put(d.name(), text.contains(d.name()) ? 0.9 : 0.1));
            return new DomainClassifier.Classification(scores, false);
        };
    }
}
