package dev.hybridrouter.router;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.DomainClassifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A classifier whose answer a test chooses: a domain scores 0.9 when the last user message names it, 0.4
 * when it says {@code unsure:<domain>} (the best domain, yet under the test policies' threshold, so the
 * request escalates with that route), else 0.1 (under the threshold: the request escalates).
 */
public final class KeywordClassifier {

    private KeywordClassifier() {}

    public static Function<Policy, DomainClassifier> forPolicies() {
        return policy -> conversation -> {
            String text = lastUserText(conversation);
            Map<String, Double> scores = new HashMap<>();
            policy.domains().forEach(d -> scores.put(d.name(), score(text, d.name())));
            return new DomainClassifier.Classification(scores, false);
        };
    }

    private static double score(String text, String domain) {
        if (text.contains("unsure:" + domain)) {
            return 0.4;
        }
        return text.contains(domain) && !text.contains("unsure:") ? 0.9 : 0.1;
    }

    private static String lastUserText(List<ChatMessage> conversation) {
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if ("user".equals(conversation.get(i).role())) {
                return conversation.get(i).text();
            }
        }
        return "";
    }
}
