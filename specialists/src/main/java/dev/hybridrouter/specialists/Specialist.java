package dev.hybridrouter.specialists;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A small language model adapted to one domain by prompt engineering: its system prompt and few-shot
 * examples go before every conversation it answers. Everything else of the request reaches the model as
 * the caller sent it.
 */
public final class Specialist implements ChatClient {

    private final String name;
    private final ChatClient model;
    private final List<ChatMessage> preamble;

    /**
     * @param model the model behind the specialist
     * @param preamble the messages put before the caller's conversation
     */
    Specialist(String name, ChatClient model, List<ChatMessage> preamble) {
        this.name = name;
        this.model = model;
        this.preamble = List.copyOf(preamble);
    }

    public String name() {
        return name;
    }

    /** The system prompt and few-shot turns this specialist puts before every conversation. */
    public List<ChatMessage> preamble() {
        return preamble;
    }

    @Override
    public List<String> unsupported(ChatCompletionRequest request) {
        return model.unsupported(request);
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
        return model.complete(withPreamble(request), headers);
    }

    @Override
    public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
        return model.stream(withPreamble(request), headers);
    }

    private ChatCompletionRequest withPreamble(ChatCompletionRequest request) {
        if (preamble.isEmpty()) {
            return request;
        }
        List<ChatMessage> messages =
                new ArrayList<>(preamble.size() + request.messages().size());
        messages.addAll(preamble);
        messages.addAll(request.messages());
        return request.withMessages(messages);
    }

    static List<ChatMessage> preamble(SpecialistSettings settings) {
        List<ChatMessage> messages = new ArrayList<>();
        if (settings.systemPrompt() != null && !settings.systemPrompt().isBlank()) {
            messages.add(ChatMessage.system(settings.systemPrompt()));
        }
        for (SpecialistSettings.Example example : settings.fewShot()) {
            messages.add(ChatMessage.user(example.user()));
            messages.add(ChatMessage.assistant(example.assistant()));
        }
        return messages;
    }
}
