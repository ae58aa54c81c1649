package dev.hybridrouter.specialists.inprocess;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A LangChain4j conversation as llama.cpp's chat template input ({@code {"messages": [...]}}, OpenAI roles
 * {@code system}, {@code user}, {@code assistant}), and the check that the model's template really expressed it.
 *
 * <p>The bindings apply the template the model file names ({@code tokenizer.chat_template}) through llama.cpp's
 * built-in template implementations, which it picks by recognising the template (ChatML, Llama 2/3, Gemma,
 * Phi-3, Mistral and others; an unrecognised template falls back to ChatML at load). Some of those drop or
 * merge what they cannot express (a system message for a model without a system role is merged into the next
 * user turn by Gemma's); {@link #checkExpressed} refuses a prompt from which a message's text is missing.
 */
final class ChatPrompt {

    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The messages and, per message, the texts the rendered prompt must contain in order. */
    record Input(String json, List<String> texts) {}

    private ChatPrompt() {}

    static Input of(List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("messages must not be empty");
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("messages");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String role;
            String text;
            if (message instanceof SystemMessage system) {
                role = "system";
                text = system.text();
            } else if (message instanceof UserMessage user) {
                role = "user";
                text = userText(user, i);
            } else if (message instanceof AiMessage ai) {
                if (ai.hasToolExecutionRequests()) {
                    throw new UnsupportedFeatureException("tools: message " + i
                            + " is an assistant tool call; the in-process engine does not" + " support tool calling");
                }
                role = "assistant";
                text = ai.text() == null ? "" : ai.text();
            } else if (message instanceof ToolExecutionResultMessage) {
                throw new UnsupportedFeatureException("tools: message " + i
                        + " is a tool result; the in-process engine does not support tool" + " calling");
            } else {
                throw new UnsupportedFeatureException(
                        "message " + i + " of type " + message.type() + " is not supported by the in-process engine");
            }
            // Always a content string: llama.cpp aborts the process on a message without one.
            array.addObject().put("role", role).put("content", text);
            texts.add(text);
        }
        try {
            return new Input(JSON.writeValueAsString(root), texts);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String userText(UserMessage user, int index) {
        StringBuilder text = new StringBuilder();
        for (Content content : user.contents()) {
            if (content instanceof TextContent t) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(t.text());
            } else {
                throw new UnsupportedFeatureException("message " + index + " has "
                        + content.type().name().toLowerCase() + " content; the in-process engine takes text only");
            }
        }
        return text.toString();
    }

    /**
     * Checks that every message's text appears in {@code prompt}, in order.
     *
     * @throws UnsupportedFeatureException naming the first message the template could not express
     */
    static void checkExpressed(String prompt, Input input, List<ChatMessage> messages) {
        int from = 0;
        for (int i = 0; i < input.texts().size(); i++) {
            String text = input.texts().get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            int at = prompt.indexOf(text, from);
            if (at < 0) {
                throw new UnsupportedFeatureException("the model's chat template cannot express message " + i + " ("
                        + messages.get(i).type().name().toLowerCase() + " at this position): its text does not"
                        + " appear in the prompt");
            }
            from = at + text.length();
        }
    }
}
