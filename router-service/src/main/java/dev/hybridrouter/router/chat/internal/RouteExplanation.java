package dev.hybridrouter.router.chat.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /v1/route} answers: the routing decision for a request, without calling any model.
 *
 * @param route the domain chosen
 * @param target {@code specialist:<name>} or {@code large:<name>}
 * @param confidence the classifier's confidence in the route
 * @param escalate whether a large model would answer
 * @param reason {@code confident}, {@code low-confidence}, {@code out-of-scope} or {@code forced}
 * @param scores confidence per domain
 * @param localOnly whether the request must stay on local models
 * @param localOnlyReason why, or null
 * @param plan the models that would be tried, in order
 * @param cascade whether the first of them is the cascade's try of the domain's specialist, whose answer is kept
 *     only when its score reaches the domain's {@code cascade.min-score}
 */
public record RouteExplanation(
        String route,
        String target,
        double confidence,
        boolean escalate,
        String reason,
        Map<String, Double> scores,
        @JsonProperty("local_only") boolean localOnly,
        @JsonProperty("local_only_reason") String localOnlyReason,
        List<String> plan,
        boolean cascade) {}
