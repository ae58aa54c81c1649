package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.privacy.Masking;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.langchain4j.data.message.ChatMessage;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * What may leave with one request, and what is told when it does. {@link UpstreamCalls} applies it
 * before every call — the one choke point every model call passes — so no code path can send a
 * local-only request to a large model, or unmasked personal data to one.
 *
 * @param localOnlyReason why the request must never reach a large model, or {@code null} when it may
 * @param pii masks personal data in what goes to a large model (every turn) and restores it in the answer
 * @param onEscalated told what was sent to a large model and what it answered, both still masked
 */
public record Egress(String localOnlyReason, PiiDetector pii, EscalationListener onEscalated) {

    /** Told of each answer a large model gave, with the masked conversation it was given. */
    @FunctionalInterface
    public interface EscalationListener {

        EscalationListener NONE = (upstream, sent, answer) -> {};

        /**
         * @param sent the conversation as sent, personal data replaced by placeholders
         * @param answer the answer as received, placeholders not yet restored
         */
        void answered(Upstream upstream, List<ChatMessage> sent, String answer);
    }

    public boolean localOnly() {
        return localOnlyReason != null;
    }

    static boolean leaves(Upstream upstream) {
        return upstream.target().kind() == Target.Kind.LARGE;
    }

    /**
     * The conversation masked for a large model.
     *
     * @throws ApiException 503 {@code local_only} if this request may not go to that model
     */
    Masking maskFor(Upstream upstream, List<ChatMessage> conversation) {
        if (localOnly()) {
            throw localOnlyRefusal(upstream, localOnlyReason);
        }
        Masking masking = pii.mask(conversation);
        if (masking.keepLocal()) {
            throw localOnlyRefusal(
                    upstream,
                    "it contains personal data the policy keeps local: "
                            + String.join(", ", masking.keepLocalDetectors()));
        }
        return masking;
    }

    private static ApiException localOnlyRefusal(Upstream upstream, String why) {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "server_error",
                "local_only",
                null,
                "This request must stay on local models (" + why + "); it was not sent to " + upstream.description());
    }
}
