package dev.hybridrouter.gateway.openai;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.http.Bodies;
import dev.hybridrouter.gateway.http.HttpFailures;
import dev.hybridrouter.gateway.http.SseDecoder;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A model behind an OpenAI-compatible {@code /chat/completions} endpoint, over the shared pooled client.
 * The caller's request goes out as it came, with only {@code model} replaced by this upstream's model
 * name; answers and stream chunks come back as the upstream sent them. Everything a caller may send is
 * supported: the upstream itself says, with a 400, what it cannot do.
 */
public final class OpenAiCompatibleChatClient implements ChatClient {

    /** The largest whole answer or error body read; a larger one is a malformed answer. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** The largest single stream event read. */
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private static final String DONE = "[DONE]";

    private final String name;
    private final String model;
    private final String uri;
    private final HttpClient http;

    /**
     * @param name how errors name the upstream, e.g. {@code specialist 'hr-slm'}
     * @param baseUrl the API's base URL, e.g. {@code http://localhost:8000/v1}
     * @param model the upstream's model name
     * @param apiKey sent as a bearer token, or {@code null} for none
     */
    public OpenAiCompatibleChatClient(
            String name,
            String baseUrl,
            String model,
            String apiKey,
            UpstreamHttpClient http,
            Duration connectTimeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.model = Objects.requireNonNull(model, "model");
        this.uri = stripTrailingSlash(Objects.requireNonNull(baseUrl, "baseUrl")) + "/chat/completions";
        this.http = http.forUpstream(connectTimeout).headers(headers -> {
            headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            if (apiKey != null) {
                headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
            }
        });
    }

    @Override
    public List<String> unsupported(ChatCompletionRequest request) {
        return List.of();
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
        return post(request, headers, HttpHeaderValues.APPLICATION_JSON.toString())
                .response((response, body) -> Bodies.read(body, MAX_BODY_BYTES, name)
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> {
                            if (response.status().code() >= 400) {
                                throw HttpFailures.status(
                                        name, response.status().code(), response.responseHeaders(), bytes);
                            }
                            return completion(bytes);
                        }))
                .single()
                .onErrorMap(failure -> HttpFailures.transport(name, failure));
    }

    @Override
    public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
        return post(request, headers, "text/event-stream")
                .response((response, body) -> response.status().code() >= 400
                        ? Bodies.read(body, MAX_BODY_BYTES, name)
                                .defaultIfEmpty(new byte[0])
                                .flatMapMany(bytes -> Flux.error(HttpFailures.status(
                                        name, response.status().code(), response.responseHeaders(), bytes)))
                        : eventStream(response.responseHeaders().get("Content-Type", ""), body))
                .onErrorMap(failure -> HttpFailures.transport(name, failure));
    }

    private HttpClient.ResponseReceiver<?> post(
            ChatCompletionRequest request, Map<String, String> callHeaders, String accept) {
        byte[] body = WireJson.MAPPER.writeValueAsBytes(request.withModel(model));
        return http.headers(headers -> {
                    headers.set(HttpHeaderNames.ACCEPT, accept);
                    callHeaders.forEach(headers::set);
                })
                .post()
                .uri(uri)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)));
    }

    private ChatCompletion completion(byte[] body) {
        if (body.length == 0) {
            throw new UpstreamException(Kind.MALFORMED, name + " answered with an empty body");
        }
        ChatCompletion completion = WireJson.MAPPER.readValue(body, ChatCompletion.class);
        if (completion.choices().isEmpty()) {
            throw new UpstreamException(Kind.MALFORMED, name + " answered without any choice");
        }
        return completion;
    }

    private Flux<ChatCompletionChunk> eventStream(String contentType, ByteBufFlux body) {
        if (!contentType.startsWith("text/event-stream")) {
            return Bodies.read(body, MAX_BODY_BYTES, name)
                    .flatMapMany(bytes -> Flux.error(new UpstreamException(
                            Kind.MALFORMED,
                            name + " answered with " + (contentType.isEmpty() ? "no content type" : contentType)
                                    + " instead of an event stream")));
        }
        return chunks(body);
    }

    /**
     * The stream's chunks. It ends at {@code [DONE]}; a stream that closes without it is complete only if
     * an answer finished (some servers omit the marker), else it broke off.
     */
    private Flux<ChatCompletionChunk> chunks(ByteBufFlux body) {
        SseDecoder events = new SseDecoder(MAX_EVENT_BYTES);
        AtomicBoolean complete = new AtomicBoolean();
        return body.asByteArray()
                .concatMapIterable(events::feed)
                .concatWith(Flux.defer(() -> Flux.fromIterable(events.finish())))
                .takeWhile(event -> {
                    if (DONE.equals(event.data().trim())) {
                        complete.set(true);
                        return false;
                    }
                    return true;
                })
                .map(this::chunk)
                .doOnNext(chunk -> {
                    if (chunk.choices().stream().anyMatch(choice -> choice.finishReason() != null)) {
                        complete.set(true);
                    }
                })
                .concatWith(Mono.defer(() -> complete.get()
                        ? Mono.empty()
                        : Mono.error(new UpstreamException(
                                Kind.UNREACHABLE, name + " ended the stream before the answer was complete"))));
    }

    private ChatCompletionChunk chunk(SseDecoder.Event event) {
        JsonNode tree;
        try {
            tree = WireJson.MAPPER.readTree(event.data());
        } catch (JacksonException e) {
            throw new UpstreamException(Kind.MALFORMED, name + " sent a stream event that is not JSON", null, null, e);
        }
        if ("error".equals(event.name()) || tree.has("error") && !tree.has("choices")) {
            throw new UpstreamException(
                    Kind.UNAVAILABLE, name + " failed while answering" + errorToken(tree), null, null, null);
        }
        return WireJson.MAPPER.treeToValue(tree, ChatCompletionChunk.class);
    }

    private static String errorToken(JsonNode tree) {
        JsonNode type = tree.path("error").path("type");
        return type.isString() && type.asString().matches("[A-Za-z0-9_.\\-]{1,64}") ? " (" + type.asString() + ")" : "";
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
