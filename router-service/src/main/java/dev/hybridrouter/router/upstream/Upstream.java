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
 * One model the router can call: a local specialist or a large remote model, with its protection. Its
 * clients are reachable only from this package, through {@link UpstreamCalls}, which checks the
 * request's {@link Egress} first.
 */
public final class Upstream {

    private final Target target;
    private final String description;
    private final ChatModel chatModel;
    private final StreamingChatModel streamingChatModel;
    private final List<ChatMessage> preamble;
    private final Guard guard;

    /**
     * @param description how errors name it, e.g. {@code specialist 'hr-slm' at http://localhost:8000/v1}
     * @param preamble messages put before the caller's conversation (a specialist's prompt)
     * @param guard breaker, bulkhead, time limits and retry around every call
     */
    Upstream(
            Target target,
            String description,
            ChatModel chatModel,
            StreamingChatModel streamingChatModel,
            List<ChatMessage> preamble,
            Guard guard) {
        this.target = target;
        this.description = description;
        this.chatModel = chatModel;
        this.streamingChatModel = streamingChatModel;
        this.preamble = List.copyOf(preamble);
        this.guard = guard;
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
     * @param baseUrl where the upstream is, or {@code null} for a provider's public (HTTPS) endpoint
     * @param connectTimeout the longest to wait for a connection
     * @param readTimeout the longest to wait for the response to begin
     */
    public static HttpClientBuilder httpClient(String baseUrl, Duration connectTimeout, Duration readTimeout) {
        return RetryAfterHttpClient.builder(baseUrl)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout);
    }

    public Target target() {
        return target;
    }

    public String description() {
        return description;
    }

    public Guard guard() {
        return guard;
    }

    ChatModel chatModel() {
        return chatModel;
    }

    StreamingChatModel streamingChatModel() {
        return streamingChatModel;
    }

    List<ChatMessage> preamble() {
        return preamble;
    }
}
