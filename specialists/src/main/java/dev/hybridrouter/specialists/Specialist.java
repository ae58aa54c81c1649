package dev.hybridrouter.specialists;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A small language model adapted to one domain by prompt engineering: its system prompt and few-shot
 * examples go before every conversation it answers.
 *
 * @param name the specialist's name
 * @param chatModel answers whole responses
 * @param streamingChatModel answers token by token
 * @param preamble the messages put before the caller's conversation
 */
public record Specialist(
        String name, ChatModel chatModel, StreamingChatModel streamingChatModel, List<ChatMessage> preamble) {

    public Specialist {
        preamble = List.copyOf(preamble);
    }

    /**
     * Builds a specialist. Clients never retry on their own: retries are the caller's decision.
     * Time limits are the HTTP client's (connect and read timeouts) and the caller's.
     *
     * @param http the HTTP client every call goes through
     */
    public static Specialist create(SpecialistSettings settings, HttpClientBuilder http) {
        return switch (settings.provider()) {
            case OPENAI_COMPATIBLE -> new Specialist(
                    settings.name(),
                    OpenAiChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(settings.baseUrl())
                            .apiKey(apiKeyOrPlaceholder(settings))
                            .modelName(settings.model())
                            .maxRetries(0)
                            .build(),
                    OpenAiStreamingChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(settings.baseUrl())
                            .apiKey(apiKeyOrPlaceholder(settings))
                            .modelName(settings.model())
                            .build(),
                    preamble(settings));
            case OLLAMA -> new Specialist(
                    settings.name(),
                    OllamaChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(settings.baseUrl())
                            .modelName(settings.model())
                            .maxRetries(0)
                            .build(),
                    OllamaStreamingChatModel.builder()
                            .httpClientBuilder(http)
                            .baseUrl(settings.baseUrl())
                            .modelName(settings.model())
                            .build(),
                    preamble(settings));
        };
    }

    private static List<ChatMessage> preamble(SpecialistSettings settings) {
        List<ChatMessage> messages = new ArrayList<>();
        if (settings.systemPrompt() != null && !settings.systemPrompt().isBlank()) {
            messages.add(SystemMessage.from(settings.systemPrompt()));
        }
        for (SpecialistSettings.Example example : settings.fewShot()) {
            messages.add(UserMessage.from(example.user()));
            messages.add(AiMessage.from(example.assistant()));
        }
        return messages;
    }

    /** Local OpenAI-compatible servers mostly ignore the key, but the client insists on one. */
    private static String apiKeyOrPlaceholder(SpecialistSettings settings) {
        return settings.apiKey() != null ? settings.apiKey() : "not-needed";
    }
}
