package dev.hybridrouter.router.chat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Content;
import dev.hybridrouter.gateway.wire.ContentPart;
import dev.hybridrouter.gateway.wire.Texts;
import dev.hybridrouter.gateway.wire.Tool;
import dev.hybridrouter.gateway.wire.ToolCall;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a chat request off the wire and checks it: JSON with no duplicate keys, fields of the right type,
 * every message well formed for its role, values in range, and within the input limits. Every problem is
 * a 400 naming the field, in the caller's own field names; nothing is silently dropped.
 */
final class ChatRequests {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final RouterProperties.Limits limits;

    ChatRequests(RouterProperties.Limits limits) {
        this.limits = limits;
    }

    /** @throws ApiException 400 naming what is wrong */
    ChatCompletionRequest read(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.invalidRequest(null, "The request body is empty; send a JSON chat completion request");
        }
        ChatCompletionRequest request;
        try {
            request = WireJson.MAPPER.readValue(body, ChatCompletionRequest.class);
        } catch (MismatchedInputException mismatch) {
            String param = JsonPaths.of(mismatch);
            throw ApiException.invalidRequest(
                    param.isEmpty() ? null : param,
                    param.isEmpty()
                            ? "The request body must be a JSON object"
                            : "Invalid type for '" + param + "': expected " + JsonPaths.expected(mismatch));
        } catch (StreamReadException | StreamConstraintsException malformed) {
            throw ApiException.invalidRequest(null, JsonPaths.describe(malformed));
        } catch (JacksonException invalid) {
            String param = JsonPaths.of(invalid);
            throw ApiException.invalidRequest(param.isEmpty() ? null : param, "Invalid value for '" + param + "'");
        }
        if (request == null) {
            throw ApiException.invalidRequest(null, "The request body must be a JSON object");
        }
        check(request);
        return request;
    }

    private void check(ChatCompletionRequest request) {
        List<ChatMessage> messages = request.messages();
        if (messages == null || messages.isEmpty()) {
            throw ApiException.invalidRequest("messages", "'messages' must be a non-empty array of messages");
        }
        if (messages.size() > limits.maxMessages()) {
            throw ApiException.of(
                            ErrorCode.REQUEST_OVER_LIMIT,
                            "The request has " + messages.size() + " messages; this router accepts at most "
                                    + limits.maxMessages() + " (router.limits.max-messages)")
                    .withParam("messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            message(messages.get(i), "messages[" + i + "]");
        }
        range("temperature", request.temperature(), 0, 2);
        range("top_p", request.topP(), 0, 1);
        range("presence_penalty", request.presencePenalty(), -2, 2);
        range("frequency_penalty", request.frequencyPenalty(), -2, 2);
        atLeast("n", request.n(), 1);
        atLeast("max_tokens", request.maxTokens(), 1);
        atLeast("max_completion_tokens", request.maxCompletionTokens(), 1);
        if (request.topLogprobs() != null && (request.topLogprobs() < 0 || request.topLogprobs() > 20)) {
            throw ApiException.invalidRequest("top_logprobs", "'top_logprobs' must be between 0 and 20");
        }
        stop(request.stop());
        tools(request.tools());
        JsonNode toolChoice = request.toolChoice();
        if (toolChoice != null && !toolChoice.isNull() && !toolChoice.isString() && !toolChoice.isObject()) {
            throw ApiException.invalidRequest("tool_choice", "'tool_choice' must be a string or an object");
        }
        characters(request);
    }

    private static void message(ChatMessage message, String param) {
        if (message == null) {
            throw ApiException.invalidRequest(param, "'" + param + "' must be a message object");
        }
        String role = message.role();
        if (role == null) {
            throw ApiException.invalidRequest(param + ".role", "'" + param + ".role' is required");
        }
        if (!ROLES.contains(role)) {
            throw ApiException.invalidRequest(
                    param + ".role",
                    "Invalid role '" + role + "' in " + param
                            + "; expected one of system, developer, user, assistant, tool");
        }
        parts(message.content(), param);
        switch (role) {
            case "system", "developer", "user" -> required(message.content(), param);
            case "tool" -> {
                if (message.toolCallId() == null) {
                    throw ApiException.invalidRequest(param + ".tool_call_id", "A tool message needs a tool_call_id");
                }
                required(message.content(), param);
            }
            default -> assistant(message, param);
        }
    }

    private static void assistant(ChatMessage message, String param) {
        List<ToolCall> calls = message.toolCalls();
        if (calls != null) {
            for (int c = 0; c < calls.size(); c++) {
                ToolCall call = calls.get(c);
                String callParam = param + ".tool_calls[" + c + "]";
                if (call == null
                        || call.id() == null
                        || call.function() == null
                        || call.function().name() == null) {
                    throw ApiException.invalidRequest(callParam, "Each tool call needs an id and a function name");
                }
            }
        }
        boolean hasAnything = message.content() != null
                || (calls != null && !calls.isEmpty())
                || message.refusal() != null
                || message.functionCall() != null
                || message.audio() != null;
        if (!hasAnything) {
            throw ApiException.invalidRequest(
                    param + ".content", "An assistant message needs content, tool_calls, a refusal or audio");
        }
    }

    private static void required(Content content, String param) {
        if (content == null) {
            throw ApiException.invalidRequest(param + ".content", "The content of " + param + " is missing");
        }
    }

    private static void parts(Content content, String param) {
        if (content == null || content.parts() == null) {
            return;
        }
        List<ContentPart> parts = content.parts();
        for (int p = 0; p < parts.size(); p++) {
            ContentPart part = parts.get(p);
            String partParam = param + ".content[" + p + "]";
            if (part == null || part.type() == null) {
                throw ApiException.invalidRequest(partParam + ".type", "Each content part needs a type");
            }
            if (part.type().equals("text") && part.text() == null) {
                throw ApiException.invalidRequest(partParam + ".text", "A text part needs a text");
            }
            if (part.type().equals("image_url")
                    && (part.imageUrl() == null || part.imageUrl().url() == null)) {
                throw ApiException.invalidRequest(partParam + ".image_url.url", "An image_url part needs a url");
            }
        }
    }

    private static void stop(JsonNode stop) {
        if (stop == null || stop.isNull() || stop.isString()) {
            return;
        }
        if (!stop.isArray()) {
            throw ApiException.invalidRequest("stop", "'stop' must be a string or an array of strings");
        }
        for (JsonNode sequence : stop) {
            if (!sequence.isString()) {
                throw ApiException.invalidRequest("stop", "Each stop sequence must be a string");
            }
        }
    }

    private static void tools(List<Tool> tools) {
        if (tools == null) {
            return;
        }
        for (int t = 0; t < tools.size(); t++) {
            Tool tool = tools.get(t);
            String param = "tools[" + t + "]";
            if (tool == null || tool.type() == null) {
                throw ApiException.invalidRequest(param + ".type", "Each tool needs a type");
            }
            if (tool.type().equals("function")
                    && (tool.function() == null || tool.function().name() == null)) {
                throw ApiException.invalidRequest(param + ".function.name", "A function tool needs a function name");
            }
        }
    }

    private void characters(ChatCompletionRequest request) {
        long[] total = {0};
        Texts.map(request, (text, kind) -> {
            total[0] += text.length();
            return text;
        });
        if (total[0] > limits.maxCharacters()) {
            throw ApiException.of(
                    ErrorCode.REQUEST_OVER_LIMIT,
                    "The request has " + total[0] + " characters of text; this router accepts at most "
                            + limits.maxCharacters() + " (router.limits.max-characters)");
        }
    }

    private static void range(String param, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw ApiException.invalidRequest(
                    param, "'" + param + "' must be between " + number(min) + " and " + number(max));
        }
    }

    private static void atLeast(String param, Integer value, int min) {
        if (value != null && value < min) {
            throw ApiException.invalidRequest(param, "'" + param + "' must be at least " + min);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
