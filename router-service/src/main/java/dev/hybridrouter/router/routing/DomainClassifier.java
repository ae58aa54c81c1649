package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatMessage;
import java.util.List;
import java.util.Map;

/** Scores a conversation against each domain of a policy. Runs in process: never calls a remote model. */
public interface DomainClassifier {

    /**
     * Scores the conversation by its user turns. System messages never steer the result.
     *
     * @return confidence in [0,1] per domain name, and whether the conversation is out of every domain's scope
     */
    Classification classify(List<ChatMessage> conversation);

    /**
     * This classifier without shortcuts: the one that judges whether a text looks like a local-only domain, where a
     * fast stage sure of another domain must not hide a local-only domain's lesser score. Itself, unless it has
     * stages.
     */
    default DomainClassifier full() {
        return this;
    }

    /**
     * @param scores calibrated confidence per domain name
     * @param outOfScope true when the conversation looks unlike every domain
     */
    record Classification(Map<String, Double> scores, boolean outOfScope) {

        public Classification {
            scores = Map.copyOf(scores);
        }
    }
}
