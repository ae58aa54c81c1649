package dev.hybridrouter.gateway.langchain4j;

import dev.hybridrouter.gateway.langchain4j.Dialect.Feature;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.ContentPart;
import dev.hybridrouter.gateway.wire.ResponseFormat;
import dev.hybridrouter.gateway.wire.Tool;
import dev.hybridrouter.gateway.wire.ToolCall;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * An OpenAI request as a LangChain4j {@link ChatRequest}, field by field. What the provider cannot honour
 * is collected as a problem naming the field, never dropped: the caller gets a 400 listing them.
 */
final class RequestMapping {

    private static final Pattern DATA_URL = Pattern.compile("data:([^;,]+);base64,(.*)", Pattern.DOTALL);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Dialect dialect;
    private final String model;
    private final int defaultMaxTokens;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param defaultMaxTokens the answer length limit when the caller sets none (a provider may require one),
     *     or 0 for none
     */
    RequestMapping(Dialect dialect, String model, int defaultMaxTokens) {
        this.dialect = dialect;
        this.model = model;
        this.defaultMaxTokens = defaultMaxTokens;
    }

    /** The fields of a request the provider cannot honour; empty when it can. */
    static List<String> problems(ChatCompletionRequest request, Dialect dialect, String model) {
        RequestMapping mapping = new RequestMapping(dialect, model, 0);
        mapping.map(request);
        return List.copyOf(mapping.problems);
    }

    /**
     * @return the request, or {@code null} when {@link #problems()} is not empty
     */
    ChatRequest map(ChatCompletionRequest r) {
        checkUnmapped(r);
        List<dev.langchain4j.data.message.ChatMessage> messages = messages(r.messages());
        DefaultChatRequestParameters.Builder<?> common = DefaultChatRequestParameters.builder()
                .modelName(model)
                .temperature(r.temperature())
                .topP(r.topP())
                .maxOutputTokens(maxOutputTokens(r))
                .stopSequences(stop(r.stop()));
        if (r.presencePenalty() != null || r.frequencyPenalty() != null) {
            need(Feature.PENALTIES, r.presencePenalty() != null ? "presence_penalty" : "frequency_penalty");
            common.presencePenalty(r.presencePenalty()).frequencyPenalty(r.frequencyPenalty());
        }
        if (r.tools() != null && !r.tools().isEmpty()) {
            need(Feature.TOOLS, "tools");
            common.toolSpecifications(tools(r.tools()));
        }
        if (r.toolChoice() != null && !r.toolChoice().isNull()) {
            common.toolChoice(toolChoice(r.toolChoice()));
        }
        if (r.responseFormat() != null) {
            responseFormat(r.responseFormat(), common);
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return ChatRequest.builder()
                .messages(messages)
                .parameters(dialect.parameters(r, common.build()))
                .build();
    }

    private Integer maxOutputTokens(ChatCompletionRequest r) {
        if (r.maxOutputTokens() != null || defaultMaxTokens == 0) {
            return r.maxOutputTokens();
        }
        return defaultMaxTokens;
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    private void checkUnmapped(ChatCompletionRequest r) {
        if (r.n() != null && r.n() != 1) {
            problems.add("n");
        }
        if (Boolean.TRUE.equals(r.logprobs()) || r.topLogprobs() != null) {
            need(Feature.LOGPROBS, Boolean.TRUE.equals(r.logprobs()) ? "logprobs" : "top_logprobs");
        }
        if (r.seed() != null) {
            need(Feature.SEED, "seed");
        }
        if (r.user() != null) {
            need(Feature.USER, "user");
        }
        if (r.parallelToolCalls() != null && !r.parallelToolCalls()) {
            need(Feature.SERIAL_TOOL_CALLS, "parallel_tool_calls");
        }
        if (r.logitBias() != null && !r.logitBias().isNull()) {
            problems.add("logit_bias");
        }
        if (Boolean.TRUE.equals(r.store())) {
            problems.add("store");
        }
        if (r.metadata() != null && !r.metadata().isNull()) {
            problems.add("metadata");
        }
        if (r.serviceTier() != null) {
            problems.add("service_tier");
        }
        if (r.reasoningEffort() != null) {
            problems.add("reasoning_effort");
        }
        if (r.prediction() != null && !r.prediction().isNull()) {
            problems.add("prediction");
        }
        if (r.audio() != null && !r.audio().isNull()) {
            problems.add("audio");
        }
        if (r.modalities() != null && !r.modalities().isNull()) {
            problems.add("modalities");
        }
        if (r.streamOptions() != null) {
            r.streamOptions().extra().keySet().forEach(key -> problems.add("stream_options." + key));
        }
        r.extra().keySet().forEach(problems::add);
    }

    private List<dev.langchain4j.data.message.ChatMessage> messages(List<ChatMessage> messages) {
        List<dev.langchain4j.data.message.ChatMessage> mapped = new ArrayList<>(messages.size());
        Map<String, String> toolNamesByCallId = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String param = "messages[" + i + "]";
            message.extra().keySet().forEach(key -> problems.add(param + "." + key));
            if (message.functionCall() != null) {
                problems.add(param + ".function_call");
            }
            if (message.audio() != null) {
                problems.add(param + ".audio");
            }
            if (message.name() != null) {
                problems.add(param + ".name");
            }
            try {
                switch (message.role()) {
                    case "system", "developer" -> {
                        // an empty system message says nothing; providers refuse empty text blocks
                        String text = text(message, param);
                        if (!text.isBlank()) {
                            mapped.add(SystemMessage.from(text));
                        }
                    }
                    case "user" -> mapped.add(user(message, param));
                    case "assistant" -> mapped.add(assistant(message, param, toolNamesByCallId));
                    case "tool" -> mapped.add(ToolExecutionResultMessage.from(
                            message.toolCallId(), toolNamesByCallId.get(message.toolCallId()), text(message, param)));
                    default -> problems.add(param + ".role=" + message.role());
                }
            } catch (IllegalArgumentException refused) {
                // LangChain4j refuses what the provider cannot take, e.g. an empty user turn
                problems.add(param + " (" + refused.getMessage() + ")");
            }
        }
        return mapped;
    }

    private UserMessage user(ChatMessage message, String param) {
        if (message.content() == null || message.content().string() != null) {
            return UserMessage.from(message.text());
        }
        List<Content> contents = new ArrayList<>();
        List<ContentPart> parts = message.content().parts();
        for (int p = 0; p < parts.size(); p++) {
            ContentPart part = parts.get(p);
            String partParam = param + ".content[" + p + "]";
            part.extra().keySet().forEach(key -> problems.add(partParam + "." + key));
            switch (part.type()) {
                case "text" -> contents.add(TextContent.from(part.text()));
                case "image_url" -> {
                    need(Feature.IMAGES, partParam + ".type=image_url");
                    contents.add(image(part.imageUrl(), partParam));
                }
                default -> problems.add(partParam + ".type=" + part.type());
            }
        }
        return UserMessage.from(contents);
    }

    private Content image(ContentPart.ImageUrl image, String param) {
        if (image.detail() != null) {
            problems.add(param + ".image_url.detail");
        }
        Matcher data = DATA_URL.matcher(image.url());
        return data.matches() ? ImageContent.from(data.group(2), data.group(1)) : ImageContent.from(image.url());
    }

    private AiMessage assistant(ChatMessage message, String param, Map<String, String> toolNamesByCallId) {
        if (message.refusal() != null) {
            problems.add(param + ".refusal");
        }
        List<ToolExecutionRequest> calls = new ArrayList<>();
        if (message.toolCalls() != null && !message.toolCalls().isEmpty()) {
            need(Feature.TOOLS, param + ".tool_calls");
            for (ToolCall call : message.toolCalls()) {
                toolNamesByCallId.put(call.id(), call.function().name());
                calls.add(ToolExecutionRequest.builder()
                        .id(call.id())
                        .name(call.function().name())
                        .arguments(call.function().arguments())
                        .build());
            }
        }
        String text = message.content() == null ? null : text(message, param);
        return AiMessage.builder().text(text).toolExecutionRequests(calls).build();
    }

    /** Text content only: a string, or text parts. */
    private String text(ChatMessage message, String param) {
        if (message.content() != null && message.content().parts() != null) {
            List<ContentPart> parts = message.content().parts();
            for (int p = 0; p < parts.size(); p++) {
                if (!"text".equals(parts.get(p).type())) {
                    problems.add(
                            param + ".content[" + p + "].type=" + parts.get(p).type());
                }
            }
        }
        return message.text();
    }

    private List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        if (stop.isString()) {
            return List.of(stop.asString());
        }
        List<String> sequences = new ArrayList<>();
        stop.forEach(sequence -> sequences.add(sequence.asString()));
        return sequences;
    }

    private List<ToolSpecification> tools(List<Tool> tools) {
        List<ToolSpecification> specifications = new ArrayList<>(tools.size());
        for (int t = 0; t < tools.size(); t++) {
            Tool tool = tools.get(t);
            String param = "tools[" + t + "]";
            tool.extra().keySet().forEach(key -> problems.add(param + "." + key));
            if (!"function".equals(tool.type()) || tool.function() == null) {
                problems.add(param + ".type=" + tool.type());
                continue;
            }
            Tool.Function function = tool.function();
            function.extra().keySet().forEach(key -> problems.add(param + ".function." + key));
            if (Boolean.TRUE.equals(function.strict())) {
                need(Feature.STRICT_TOOLS, param + ".function.strict");
            }
            specifications.add(ToolSpecification.builder()
                    .name(function.name())
                    .description(function.description())
                    .parameters(parameters(function.parameters(), param + ".function.parameters"))
                    .strict(function.strict())
                    .build());
        }
        return specifications;
    }

    private JsonObjectSchema parameters(JsonNode schema, String param) {
        if (schema == null || schema.isNull()) {
            return JsonObjectSchema.builder().build();
        }
        JsonSchemaElement element = schema(schema, param);
        if (element instanceof JsonObjectSchema object) {
            return object;
        }
        problems.add(param + " (not an object schema)");
        return JsonObjectSchema.builder().build();
    }

    private JsonSchemaElement schema(JsonNode schema, String param) {
        try {
            return JsonSchemaElementJsonUtils.fromMap(WireJson.MAPPER.convertValue(schema, MAP));
        } catch (IllegalArgumentException invalid) {
            problems.add(param + " (" + invalid.getMessage() + ")");
            return JsonObjectSchema.builder().build();
        }
    }

    private ToolChoice toolChoice(JsonNode choice) {
        if (choice.isString()) {
            switch (choice.asString()) {
                case "auto" -> {
                    return ToolChoice.AUTO;
                }
                case "none" -> {
                    return ToolChoice.NONE;
                }
                case "required" -> {
                    need(Feature.TOOLS, "tool_choice");
                    return ToolChoice.REQUIRED;
                }
                default -> {
                    problems.add("tool_choice=" + choice.asString());
                    return null;
                }
            }
        }
        if ("function".equals(choice.path("type").asString(""))
                && choice.path("function").path("name").isString()) {
            need(Feature.NAMED_TOOL_CHOICE, "tool_choice.function");
            return ToolChoice.REQUIRED;
        }
        problems.add("tool_choice");
        return null;
    }

    private void responseFormat(ResponseFormat format, DefaultChatRequestParameters.Builder<?> common) {
        format.extra().keySet().forEach(key -> problems.add("response_format." + key));
        switch (format.type() == null ? "" : format.type()) {
            case ResponseFormat.TEXT -> common.responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.TEXT);
            case ResponseFormat.JSON_OBJECT -> {
                need(Feature.JSON_OBJECT, "response_format.type=json_object");
                common.responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.JSON);
            }
            case ResponseFormat.JSON_SCHEMA -> {
                need(Feature.JSON_SCHEMA, "response_format.type=json_schema");
                ResponseFormat.JsonSchema schema = format.jsonSchema();
                if (schema == null || schema.schema() == null) {
                    problems.add("response_format.json_schema.schema");
                    return;
                }
                schema.extra().keySet().forEach(key -> problems.add("response_format.json_schema." + key));
                if (schema.description() != null) {
                    problems.add("response_format.json_schema.description");
                }
                common.responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder()
                        .type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder()
                                .name(schema.name())
                                .rootElement(schema(schema.schema(), "response_format.json_schema.schema"))
                                .build())
                        .build());
            }
            default -> problems.add("response_format.type=" + format.type());
        }
    }

    private void need(Feature feature, String field) {
        if (!dialect.supports(feature)) {
            problems.add(field);
        }
    }
}
