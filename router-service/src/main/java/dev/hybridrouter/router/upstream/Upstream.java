package dev.hybridrouter.router.upstream;

import dev.hybridrouter.gateway.LargeModel;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.hybridrouter.specialists.Specialist;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.time.Duration;
import java.util.List;

/**
 * One model the router can call: a local specialist or a large remote model, with its protection.
 *
 * @param target which model this is
 * @param description how errors name it, e.g. {@code specialist 'hr-slm' at http://localhost:8000/v1}
 * @param chatModel answers whole responses
 * @param streamingChatModel answers token by token
 * @param preamble messages put before the caller's conversation (a specialist's prompt)
 * @param guard breaker, bulkhead, time limits and retry around every call
 */
public record Upstream(
        Target target,
        String description,
        ChatModel chatModel,
        StreamingChatModel streamingChatModel,
        List<ChatMessage> preamble,
        Guard guard) {

    public Upstream {
        preamble = List.copyOf(preamble);
    }

    public static Upstream of(Specialist specialist, String baseUrl, Guard guard) {
        return new Upstream(
                Target.specialist(specialist.name()),
                "specialist '" + specialist.name() + "' at " + baseUrl,
                specialist.chatModel(),
                specialist.streamingChatModel(),
                specialist.preamble(),
                guard);
    }

    public static Upstream of(LargeModel model, String provider, Guard guard) {
        return new Upstream(
                Target.large(model.name()),
                "large model '" + model.name() + "' (" + provider + ")",
                model.chatModel(),
                model.streamingChatModel(),
                List.of(),
                guard);
    }

    /**
     * The HTTP client for one upstream's calls.
     *
     * @param connectTimeout the longest to wait for a connection
     * @param readTimeout the longest to wait for the response to begin
     */
    public static HttpClientBuilder httpClient(Duration connectTimeout, Duration readTimeout) {
        return RetryAfterHttpClient.builder().connectTimeout(connectTimeout).readTimeout(readTimeout);
    }
}
