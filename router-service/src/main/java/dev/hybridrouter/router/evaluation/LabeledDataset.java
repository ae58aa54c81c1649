package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Labelled conversations read from JSON Lines, one item a line, either
 * {@code {"text": "...", "label": "..."}} (one user message) or
 * {@code {"messages": [{"role": "system|user|assistant|tool", "content": "..."}], "label": "..."}}
 * ({@code content} may also be an array of {@code {"type": "text", "text": "..."}} parts; other parts
 * are ignored). Blank lines are skipped; malformed lines are reported and skipped.
 *
 * @param conversations the items read, in file order
 * @param malformed the lines that could not be read, in file order
 */
public record LabeledDataset(List<LabeledConversation> conversations, List<MalformedLine> malformed) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public LabeledDataset {
        conversations = List.copyOf(conversations);
        malformed = List.copyOf(malformed);
    }

    /**
     * A line that was skipped.
     *
     * @param line its 1-based number
     * @param reason what is wrong with it
     */
    public record MalformedLine(int line, String reason) {}

    /**
     * Reads a UTF-8 JSON Lines file.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    public static LabeledDataset read(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads JSON Lines to the end of the reader; does not close it. */
    public static LabeledDataset read(BufferedReader reader) throws IOException {
        List<LabeledConversation> conversations = new ArrayList<>();
        List<MalformedLine> malformed = new ArrayList<>();
        int number = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                conversations.add(parse(number, line));
            } catch (IllegalArgumentException e) {
                malformed.add(new MalformedLine(number, e.getMessage()));
            } catch (JacksonException e) {
                malformed.add(new MalformedLine(number, "not valid JSON: " + e.getOriginalMessage()));
            }
        }
        return new LabeledDataset(conversations, malformed);
    }

    private static LabeledConversation parse(int number, String line) {
        JsonNode item = JSON.readTree(line);
        if (!item.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String label = nonBlank(item.get("label"), "label");
        JsonNode text = item.get("text");
        JsonNode messages = item.get("messages");
        if ((text == null) == (messages == null)) {
            throw new IllegalArgumentException("needs exactly one of 'text' and 'messages'");
        }
        if (text != null) {
            return new LabeledConversation(number, List.of(ChatMessage.user(nonBlank(text, "text"))), label);
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("'messages' must be a non-empty array");
        }
        List<ChatMessage> conversation = new ArrayList<>();
        for (JsonNode message : messages) {
            conversation.add(message(message));
        }
        return new LabeledConversation(number, conversation, label);
    }

    private static ChatMessage message(JsonNode message) {
        String role = string(message.get("role"), "role");
        String content = content(message.get("content"));
        return switch (role) {
            case "system", "developer", "user", "assistant" -> ChatMessage.of(role, content);
            case "tool" -> new ChatMessage(
                    role,
                    dev.hybridrouter.gateway.wire.Content.of(content),
                    null,
                    null,
                    null,
                    message.path("tool_call_id").asString(""),
                    null,
                    null,
                    null);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        };
    }

    /** The text of a message's content; none (e.g. an assistant turn that only calls tools) is empty. */
    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asString(""))) {
                    text.append(text.isEmpty() ? "" : "\n").append(string(part.get("text"), "text"));
                }
            }
            return text.toString();
        }
        return string(content, "content");
    }

    private static String string(JsonNode node, String field) {
        if (node == null || !node.isString()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return node.stringValue();
    }

    private static String nonBlank(JsonNode node, String field) {
        String value = string(node, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' is blank");
        }
        return value;
    }
}
