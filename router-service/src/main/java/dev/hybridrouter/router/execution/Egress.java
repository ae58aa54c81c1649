package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.privacy.Masking;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Target;

/**
 * What may leave with one request. {@link Execution} asks it before every call to a large model, the one
 * choke point every such call passes, so no code path can send a local-only request to a large model, or
 * unmasked personal data to one. The masking is made once, on the first call that leaves.
 */
final class Egress {

    private final String localOnlyReason;
    private final PiiDetector pii;
    private final ChatCompletionRequest request;
    private Masking masking;

    /**
     * @param localOnlyReason why the request must never reach a large model, or {@code null} when it may
     * @param pii masks personal data in what goes to a large model and restores it in the answer
     */
    Egress(String localOnlyReason, PiiDetector pii, ChatCompletionRequest request) {
        this.localOnlyReason = localOnlyReason;
        this.pii = pii;
        this.request = request;
    }

    boolean localOnly() {
        return localOnlyReason != null;
    }

    String localOnlyReason() {
        return localOnlyReason;
    }

    static boolean leaves(Target target) {
        return target.kind() == Target.Kind.LARGE;
    }

    /**
     * The request masked for a large model.
     *
     * @throws ApiException 503 {@code local_only} if this request may not go to that model
     */
    synchronized Masking maskFor(Target target) {
        if (localOnly()) {
            throw refusal(target, localOnlyReason);
        }
        if (masking == null) {
            masking = pii.mask(request);
        }
        if (masking.keepLocal()) {
            throw refusal(
                    target,
                    "it contains personal data the policy keeps local: "
                            + String.join(", ", masking.keepLocalDetectors()));
        }
        return masking;
    }

    private static ApiException refusal(Target target, String why) {
        return ApiException.of(
                ErrorCode.LOCAL_ONLY,
                "This request must stay on local models (" + why + "); it was not sent to " + target.describe());
    }
}
