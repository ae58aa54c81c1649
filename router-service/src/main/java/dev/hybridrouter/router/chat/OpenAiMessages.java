package dev.hybridrouter.router.chat;

import dev.hybridrouter.router.chat.internal.ChatCompletionRequest;
import dev.hybridrouter.router.chat.internal.ChatCompletionRequest.Message;
import dev.hybridrouter.router.error.ApiException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Translates OpenAI chat requests into LangChain4j's types, rejecting what cannot be translated. */
final class OpenAiMessages {

    private OpenAiMessages() {}

    /**
     * The conversation of a request.
     *
     * @throws ApiException 400 naming the offending message and field
     */
    static List<ChatMessage> conversation(List<Message> messages) {
        List<ChatMessage> conversation = new ArrayList<>(messages.size());
        Map<String, String> toolNamesByCallId = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            String param = "messages[" + i + "]";
            conversation.add(
                    switch (message.role()) {
                        case "system", "developer" -> SystemMessage.from(requiredText(message.content(), param));
                        case "user" -> user(message, param);
                        case "assistant" -> assistant(message, param, toolNamesByCallId);
                        case "tool" -> tool(message, param, toolNamesByCallId);
                        default -> throw ApiException.invalidRequest(
                                param + ".role",
                                "Invalid role '" + message.role() + "' in " + param
                                        + "; expected one of system, developer, user, assistant, tool");
                    });
        }
        return conversation;
    }

    /** The LangChain4j request: the conversation and the caller's sampling parameters. */
    static ChatRequest chatRequest(ChatCompletionRequest body, List<ChatMessage> conversation) {
        return ChatRequest.builder()
                .messages(conversation)
                .temperature(body.temperature())
                .topP(body.topP())
                .maxOutputTokens(body.maxOutputTokens())
                .stopSequences(stopSequences(body.stop()))
                .build();
    }

    private static UserMessage user(Message message, String param) {
        JsonNode content = message.content();
        if (content == null || !content.isArray()) {
            return UserMessage.from(requiredText(content, param));
        }
        List<Content> parts = new ArrayList<>();
        for (int p = 0; p < content.size(); p++) {
            JsonNode part = content.get(p);
            String partParam = param + ".content[" + p + "]";
            switch (part.path("type").asString("")) {
                case "text" -> parts.add(TextContent.from(part.path("text").asString("")));
                case "image_url" -> {
                    String url = part.path("image_url").path("url").asString("");
                    if (url.isBlank()) {
                        throw ApiException.invalidRequest(
                                partParam + ".image_url.url", "An image_url part needs a url");
                    }
                    parts.add(ImageContent.from(url));
                }
                default -> throw ApiException.invalidRequest(
                        partParam + ".type",
                        "Unsupported content part type '" + part.path("type").asString("")
                                + "'; expected text or image_url");
            }
        }
        if (parts.isEmpty()) {
            throw ApiException.invalidRequest(param + ".content", "The content of " + param + " is empty");
        }
        return UserMessage.from(parts);
    }

    private static AiMessage assistant(Message message, String param, Map<String, String> toolNamesByCallId) {
        String text = message.content() == null || message.content().isNull() ? null : text(message.content(), param);
        List<ToolExecutionRequest> toolCalls = new ArrayList<>();
        if (message.toolCalls() != null) {
            for (ChatCompletionRequest.ToolCall call : message.toolCalls()) {
                if (call.id() == null
                        || call.function() == null
                        || call.function().name() == null) {
                    throw ApiException.invalidRequest(
                            param + ".tool_calls", "Each tool call needs an id and a function name");
                }
                toolNamesByCallId.put(call.id(), call.function().name());
                toolCalls.add(ToolExecutionRequest.builder()
                        .id(call.id())
                        .name(call.function().name())
                        .arguments(call.function().arguments())
                        .build());
            }
        }
        if (text == null && toolCalls.isEmpty()) {
            throw ApiException.invalidRequest(param + ".content", "An assistant message needs content or tool_calls");
        }
        return AiMessage.builder().text(text).toolExecutionRequests(toolCalls).build();
    }

    private static ToolExecutionResultMessage tool(Message message, String param, Map<String, String> toolNames) {
        if (message.toolCallId() == null) {
            throw ApiException.invalidRequest(param + ".tool_call_id", "A tool message needs a tool_call_id");
        }
        return ToolExecutionResultMessage.from(
                message.toolCallId(), toolNames.get(message.toolCallId()), requiredText(message.content(), param));
    }

    private static String requiredText(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            throw ApiException.invalidRequest(param + ".content", "The content of " + param + " is missing");
        }
        return text(content, param);
    }

    /** A string, or the text parts of a content array joined. */
    private static String text(JsonNode content, String param) {
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asString(""))) {
                    throw ApiException.invalidRequest(param + ".content", "Only text parts are allowed in " + param);
                }
                text.append(part.path("text").asString(""));
            }
            return text.toString();
        }
        throw ApiException.invalidRequest(
                param + ".content", "The content of " + param + " must be a string or an array of content parts");
    }

    private static List<String> stopSequences(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        if (stop.isString()) {
            return List.of(stop.asString());
        }
        if (stop.isArray() && stop.size() <= 4) {
            List<String> sequences = new ArrayList<>();
            for (JsonNode sequence : stop) {
                if (!sequence.isString()) {
                    throw ApiException.invalidRequest("stop", "Each stop sequence must be a string");
                }
                sequences.add(sequence.asString());
            }
            return sequences;
        }
        throw ApiException.invalidRequest("stop", "stop must be a string or an array of up to 4 strings");
    }
}
