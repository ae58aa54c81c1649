package dev.hybridrouter.gateway.wire;

import dev.hybridrouter.gateway.wire.TextMapper.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Every string of a request or an answer message, in one walk: what leaves the router is exactly what this
 * walk can see and change. Each string is handed over with its {@link Kind}: {@link Kind#PROSE} for text
 * that people or models wrote (message content and text parts, refusals, tool-call arguments, tool results,
 * tool and schema descriptions, {@code user}, {@code stop}, {@code metadata}, {@code prediction}, and the
 * strings of every field the schema does not name, at every level), {@link Kind#NAME} for names the
 * caller chose, {@link Kind#ID} for generated ids (tool-call ids), and {@link Kind#KEYWORD} for values of
 * the schema's fixed vocabularies ({@code role}, {@code type}, {@code detail}, the {@code tool_choice}
 * mode, JSON Schema's {@code type} and {@code format}, ...).
 *
 * <p>Only two things are never visited: {@code model}, which the router owns, and opaque content (the URL
 * or data of an image, audio or a file part), which no text walk can read; see {@link #hasOpaqueContent}.
 */
public final class Texts {

    /** Keys whose string values are keywords wherever they appear. */
    private static final Set<String> KEYWORD_KEYS = Set.of("type", "role");

    /** Keys whose string values are names wherever they appear. */
    private static final Set<String> NAME_KEYS = Set.of("name");

    /** Further keys whose string values are keywords inside a JSON Schema. */
    private static final Set<String> SCHEMA_KEYWORDS =
            Set.of("format", "$schema", "contentEncoding", "contentMediaType");

    /** Further keys whose string values are names inside a JSON Schema. */
    private static final Set<String> SCHEMA_NAMES =
            Set.of("pattern", "$ref", "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "required");

    /** The values of the schema's fixed vocabularies, which say nothing about a request's content. */
    private static final Set<String> KNOWN_KEYWORDS = Set.of(
            // roles, content part, tool, response format and prediction types, tool choice modes
            "system",
            "developer",
            "user",
            "assistant",
            "tool",
            "function",
            "custom",
            "text",
            "image_url",
            "input_audio",
            "file",
            "refusal",
            "json_object",
            "json_schema",
            "none",
            "auto",
            "required",
            "content",
            // detail, reasoning effort, service tier, modalities, audio formats and voices
            "low",
            "high",
            "minimal",
            "medium",
            "default",
            "flex",
            "scale",
            "priority",
            "audio",
            "wav",
            "mp3",
            "flac",
            "opus",
            "pcm16",
            "aac",
            "alloy",
            "ash",
            "ballad",
            "coral",
            "echo",
            "fable",
            "nova",
            "onyx",
            "sage",
            "shimmer",
            "verse",
            // JSON Schema types and formats
            "object",
            "array",
            "string",
            "number",
            "integer",
            "boolean",
            "null",
            "date-time",
            "date",
            "time",
            "duration",
            "email",
            "idn-email",
            "hostname",
            "idn-hostname",
            "ipv4",
            "ipv6",
            "uri",
            "uri-reference",
            "iri",
            "iri-reference",
            "uuid",
            "uri-template",
            "json-pointer",
            "relative-json-pointer",
            "regex");

    private Texts() {}

    /**
     * Whether a {@link Kind#KEYWORD} string is one of the schema's own values ({@code user}, {@code
     * function}, {@code object}, a JSON Schema URL, ...) rather than something a caller put there.
     */
    public static boolean knownKeyword(String text) {
        return KNOWN_KEYWORDS.contains(text)
                || text.startsWith("https://json-schema.org/")
                || text.startsWith("http://json-schema.org/");
    }

    /** The request with {@code f} applied to each of its strings but {@code model}. */
    public static ChatCompletionRequest map(ChatCompletionRequest r, TextMapper f) {
        return new ChatCompletionRequest(
                r.model(),
                r.messages() == null ? null : mapList(r.messages(), m -> map(m, f)),
                r.temperature(),
                r.topP(),
                r.n(),
                r.stream(),
                r.streamOptions() == null
                        ? null
                        : new ChatCompletionRequest.StreamOptions(
                                r.streamOptions().includeUsage(),
                                extra(r.streamOptions().extra(), f)),
                json(r.stop(), f),
                r.maxTokens(),
                r.maxCompletionTokens(),
                r.presencePenalty(),
                r.frequencyPenalty(),
                json(r.logitBias(), f),
                r.logprobs(),
                r.topLogprobs(),
                r.seed(),
                prose(r.user(), f),
                r.tools() == null ? null : mapList(r.tools(), t -> map(t, f)),
                r.toolChoice() == null ? null : toolChoice(r.toolChoice(), f),
                r.parallelToolCalls(),
                map(r.responseFormat(), f),
                json(r.metadata(), f),
                r.store(),
                keyword(r.serviceTier(), f),
                keyword(r.reasoningEffort(), f),
                json(r.prediction(), f),
                r.audio() == null ? null : walk(r.audio(), f, Kind.KEYWORD, false),
                r.modalities() == null ? null : walk(r.modalities(), f, Kind.KEYWORD, false),
                extra(r.extra(), f));
    }

    /** A message (of a request, an answer, or a streamed delta) with {@code f} applied to its strings. */
    public static ChatMessage map(ChatMessage m, TextMapper f) {
        return new ChatMessage(
                keyword(m.role(), f),
                map(m.content(), f),
                name(m.name(), f),
                prose(m.refusal(), f),
                m.toolCalls() == null ? null : mapList(m.toolCalls(), c -> map(c, f)),
                id(m.toolCallId(), f),
                map(m.functionCall(), f),
                m.audio() == null ? null : walk(m.audio(), f, null, false),
                extra(m.extra(), f));
    }

    /** Whether the request carries content no text walk can read: an image, audio or a file. */
    public static boolean hasOpaqueContent(ChatCompletionRequest request) {
        return request.messages() != null
                && request.messages().stream()
                        .filter(message -> message != null && message.content() != null)
                        .map(ChatMessage::content)
                        .anyMatch(content -> content.parts() != null
                                && content.parts().stream().anyMatch(part -> part != null && part.opaque()));
    }

    private static Content map(Content content, TextMapper f) {
        if (content == null) {
            return null;
        }
        if (content.string() != null) {
            return Content.of(f.map(content.string(), Kind.PROSE));
        }
        return Content.of(mapList(
                content.parts(),
                part -> new ContentPart(
                        keyword(part.type(), f),
                        prose(part.text(), f),
                        part.imageUrl(),
                        part.inputAudio(),
                        part.file(),
                        prose(part.refusal(), f),
                        extra(part.extra(), f))));
    }

    private static ToolCall map(ToolCall call, TextMapper f) {
        return new ToolCall(
                call.index(),
                id(call.id(), f),
                keyword(call.type(), f),
                map(call.function(), f),
                extra(call.extra(), f));
    }

    private static FunctionCall map(FunctionCall call, TextMapper f) {
        if (call == null) {
            return null;
        }
        return new FunctionCall(name(call.name(), f), prose(call.arguments(), f), extra(call.extra(), f));
    }

    private static Tool map(Tool tool, TextMapper f) {
        Tool.Function function = tool.function();
        return new Tool(
                keyword(tool.type(), f),
                function == null
                        ? null
                        : new Tool.Function(
                                name(function.name(), f),
                                prose(function.description(), f),
                                function.parameters() == null ? null : walk(function.parameters(), f, null, true),
                                function.strict(),
                                extra(function.extra(), f)),
                extra(tool.extra(), f));
    }

    private static ResponseFormat map(ResponseFormat format, TextMapper f) {
        if (format == null) {
            return null;
        }
        ResponseFormat.JsonSchema schema = format.jsonSchema();
        return new ResponseFormat(
                keyword(format.type(), f),
                schema == null
                        ? null
                        : new ResponseFormat.JsonSchema(
                                name(schema.name(), f),
                                prose(schema.description(), f),
                                schema.schema() == null ? null : walk(schema.schema(), f, null, true),
                                schema.strict(),
                                extra(schema.extra(), f)),
                extra(format.extra(), f));
    }

    private static JsonNode json(JsonNode node, TextMapper f) {
        return node == null ? null : walk(node, f, null, false);
    }

    private static Map<String, JsonNode> extra(Map<String, JsonNode> extra, TextMapper f) {
        if (extra.isEmpty()) {
            return extra;
        }
        Map<String, JsonNode> mapped = new LinkedHashMap<>();
        extra.forEach(
                (key, value) -> mapped.put(key, walk(value, f, value.isObject() ? null : kindOf(key, false), false)));
        return mapped;
    }

    /**
     * A JSON value with {@code f} applied to its string values; keys are never changed. Returns the same node
     * when nothing changed.
     *
     * @param kind the kind of every string below, or {@code null} to tell by the key that holds it
     * @param schema whether the value is a JSON Schema, whose keywords' values are identifiers
     */
    private static JsonNode walk(JsonNode node, TextMapper f, Kind kind, boolean schema) {
        if (node.isString()) {
            String text = node.asString();
            String mapped = f.map(text, kind != null ? kind : Kind.PROSE);
            return mapped.equals(text) ? node : StringNode.valueOf(mapped);
        }
        if (node.isArray()) {
            ArrayNode copy = null;
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                JsonNode mapped = walk(element, f, kind, schema);
                if (mapped != element && copy == null) {
                    copy = JsonNodeFactory.instance.arrayNode(node.size());
                    for (int j = 0; j < i; j++) {
                        copy.add(node.get(j));
                    }
                }
                if (copy != null) {
                    copy.add(mapped);
                }
            }
            return copy != null ? copy : node;
        }
        if (node.isObject()) {
            ObjectNode copy = null;
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                String key = property.getKey();
                JsonNode value = property.getValue();
                Kind below = kind != null || value.isObject() ? kind : kindOf(key, schema);
                JsonNode mapped = walk(value, f, below, schema);
                if (mapped != value && copy == null) {
                    copy = JsonNodeFactory.instance.objectNode();
                    for (Map.Entry<String, JsonNode> before : node.properties()) {
                        if (before.getKey().equals(key)) {
                            break;
                        }
                        copy.set(before.getKey(), before.getValue());
                    }
                }
                if (copy != null) {
                    copy.set(key, mapped);
                }
            }
            return copy != null ? copy : node;
        }
        return node;
    }

    /**
     * The kind of the strings (or the array of strings) a key holds, or {@code null} for prose. An object
     * under such a key (a schema property named {@code name}) is judged by its own keys.
     */
    private static Kind kindOf(String key, boolean schema) {
        if (KEYWORD_KEYS.contains(key) || (schema && SCHEMA_KEYWORDS.contains(key))) {
            return Kind.KEYWORD;
        }
        if (NAME_KEYS.contains(key) || (schema && SCHEMA_NAMES.contains(key))) {
            return Kind.NAME;
        }
        if (key.equals("id")) {
            return Kind.ID;
        }
        return null;
    }

    private static String prose(String text, TextMapper f) {
        return text == null ? null : f.map(text, Kind.PROSE);
    }

    private static String name(String text, TextMapper f) {
        return text == null ? null : f.map(text, Kind.NAME);
    }

    private static String id(String text, TextMapper f) {
        return text == null ? null : f.map(text, Kind.ID);
    }

    private static String keyword(String text, TextMapper f) {
        return text == null ? null : f.map(text, Kind.KEYWORD);
    }

    /** A mode ({@code "auto"}) is a keyword; a named function's name is a name. */
    private static JsonNode toolChoice(JsonNode choice, TextMapper f) {
        return choice.isString() ? walk(choice, f, Kind.KEYWORD, false) : walk(choice, f, null, false);
    }

    private static <T> List<T> mapList(List<T> list, UnaryOperator<T> f) {
        List<T> mapped = new ArrayList<>(list.size());
        for (T element : list) {
            mapped.add(element == null ? null : f.apply(element));
        }
        return mapped;
    }
}
