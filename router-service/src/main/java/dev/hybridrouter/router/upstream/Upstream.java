package dev.hybridrouter.router.upstream;

import dev.hybridrouter.gateway.LargeModel;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.hybridrouter.specialists.Specialist;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.util.List;

/**
 * One model the router can call: a local specialist or a large remote model.
 *
 * @param target which model this is
 * @param description how errors name it, e.g. {@code specialist 'hr-slm' at http://localhost:8000/v1}
 * @param chatModel answers whole responses
 * @param streamingChatModel answers token by token
 * @param preamble messages put before the caller's conversation (a specialist's prompt)
 */
public record Upstream(
        Target target,
        String description,
        ChatModel chatModel,
        StreamingChatModel streamingChatModel,
        List<ChatMessage> preamble) {

    public Upstream {
        preamble = List.copyOf(preamble);
    }

    public static Upstream of(Specialist specialist, String baseUrl) {
        return new Upstream(
                Target.specialist(specialist.name()),
                "specialist '" + specialist.name() + "' at " + baseUrl,
                specialist.chatModel(),
                specialist.streamingChatModel(),
                specialist.preamble());
    }

    public static Upstream of(LargeModel model, String provider) {
        return new Upstream(
                Target.large(model.name()),
                "large model '" + model.name() + "' (" + provider + ")",
                model.chatModel(),
                model.streamingChatModel(),
                List.of());
    }

    /** The HTTP client every upstream call goes through. */
    public static HttpClientBuilder httpClient() {
        return RetryAfterHttpClient.builder();
    }
}
