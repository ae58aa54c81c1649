package dev.hybridrouter.router.chat;

import dev.hybridrouter.gateway.wire.WireJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Chat requests as a hostile or careless client sends them: any JSON where the schema has a field, any
 * Unicode in any string (invisible characters, lone surrogates, controls), wrong types, unknown roles and
 * fields, nulls in lists. Drawn from jqwik's generators with one seeded random source, so a run repeats.
 * Public for the memory benchmark ({@code dev.hybridrouter.router.bench.MemoryBenchmark}), which sends
 * the same requests to the router's jar; call it inside a {@code JqwikSession}.
 */
public final class WireArbitraries {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Strings that have broken parsers, tokenizers or classifiers somewhere. */
    private static final List<String> NASTY = List.of(
            "",
            " ",
            "\u200B\u200B",
            "\uFEFF",
            "\u0000",
            "\u00A0",
            "\u200E\u202E",
            "\u0301\u0302",
            "\uD800",
            "\uDC00x",
            "🙂👍🏽",
            "\r\n\r\n",
            "<EMAIL_1>",
            "{\"role\":\"system\"}",
            "a".repeat(3000),
            "null",
            "NaN");

    private static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool", "robot", "");
    private static final List<String> PART_TYPES =
            List.of("text", "image_url", "input_audio", "file", "refusal", "video");
    private static final List<String> MODELS = List.of("auto", "cloud", "claude", "it-helpdesk", "hr", "gpt-9", "");
    private static final List<String> FIELDS = List.of(
            "temperature",
            "top_p",
            "n",
            "stream",
            "stream_options",
            "stop",
            "max_tokens",
            "max_completion_tokens",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "logprobs",
            "top_logprobs",
            "seed",
            "user",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "metadata",
            "store",
            "service_tier",
            "reasoning_effort",
            "prediction",
            "audio",
            "modalities",
            "brand_new",
            "extra",
            "\u0000extra");

    private final Random random;
    private final RandomGenerator<String> unicode;
    private final RandomGenerator<String> words;

    public WireArbitraries(long seed) {
        this.random = new Random(seed);
        this.unicode = Arbitraries.strings().all().ofMaxLength(24).generator(100);
        this.words =
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).generator(100);
    }

    /** A string: mostly words, often any Unicode, sometimes a nasty one. */
    String text() {
        return switch (random.nextInt(6)) {
            case 0 -> NASTY.get(random.nextInt(NASTY.size()));
            case 1, 2 -> unicode.next(random).value();
            default -> words.next(random).value() + " " + words.next(random).value();
        };
    }

    /** Any JSON value, nested up to {@code depth}. */
    JsonNode json(int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt(41) - 20);
            case 3 -> NODES.numberNode(random.nextDouble() * 4 - 2);
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> StringNode.valueOf(text());
            case 6 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(json(depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(random.nextBoolean() ? text() : pick(FIELDS), json(depth - 1));
                }
                yield object;
            }
        };
    }

    /** A request body: a plausible chat request, bent in random places. */
    public ObjectNode request() {
        ObjectNode request = NODES.objectNode();
        if (random.nextInt(10) > 0) {
            request.set("model", random.nextInt(8) > 0 ? StringNode.valueOf(pick(MODELS)) : json(1));
        }
        if (random.nextInt(10) > 0) {
            ArrayNode messages = NODES.arrayNode();
            for (int i = random.nextInt(5); i >= 0; i--) {
                messages.add(random.nextInt(15) > 0 ? message() : json(2));
            }
            request.set("messages", messages);
        } else {
            request.set("messages", json(2));
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            request.set(pick(FIELDS), random.nextBoolean() ? json(3) : plausible(pick(FIELDS)));
        }
        if (random.nextInt(4) == 0) {
            request.put("stream", true);
        }
        return request;
    }

    /** A request valid enough to be routed and answered, for the residency and masking properties. */
    ObjectNode validRequest(String model) {
        ObjectNode request = NODES.objectNode();
        request.put("model", model);
        ArrayNode messages = request.putArray("messages");
        messages.addObject()
                .put("role", "system")
                .put("content", words.next(random).value());
        messages.addObject()
                .put("role", "user")
                .put("content", words.next(random).value());
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        ObjectNode call =
                assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function");
        call.putObject("function")
                .put("name", "lookup")
                .put("arguments", "{\"q\":\"" + words.next(random).value() + "\"}");
        messages.addObject()
                .put("role", "tool")
                .put("tool_call_id", "call_1")
                .put("content", words.next(random).value());
        ArrayNode parts = messages.addObject().put("role", "user").putArray("content");
        parts.addObject().put("type", "text").put("text", words.next(random).value());
        parts.addObject().put("type", "text").put("text", words.next(random).value());
        ObjectNode function =
                request.putArray("tools").addObject().put("type", "function").putObject("function");
        function.put("name", "lookup").put("description", words.next(random).value());
        function.putObject("parameters")
                .put("type", "object")
                .putObject("properties")
                .putObject("q")
                .put("type", "string");
        request.putObject("metadata").put("team", words.next(random).value());
        request.put("user", words.next(random).value());
        request.putObject("brand_new").putArray("deep").add(words.next(random).value());
        if (random.nextBoolean()) {
            request.put("stream", true);
        }
        return request;
    }

    /**
     * The request with {@code secret} put into one of its strings chosen at random (prepended, appended or
     * replacing it), or added as a field of its own; never into {@code model}.
     */
    ObjectNode withSecret(ObjectNode request, String secret) {
        List<Runnable> places = new ArrayList<>();
        collect(request, secret, places, true);
        places.add(() -> request.put("a_field_" + random.nextInt(1000), secret));
        places.get(random.nextInt(places.size())).run();
        return request;
    }

    public String serialized(JsonNode node) {
        return WireJson.MAPPER.writeValueAsString(node);
    }

    private void collect(JsonNode node, String secret, List<Runnable> places, boolean top) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> property : object.properties()) {
                String key = property.getKey();
                JsonNode value = property.getValue();
                if (top && key.equals("model")) {
                    continue;
                }
                if (value.isString()) {
                    String original = value.asString();
                    places.add(() -> object.put(key, placed(original, secret)));
                } else {
                    collect(value, secret, places, false);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                JsonNode element = array.get(i);
                if (element.isString()) {
                    places.add(() -> array.set(index, StringNode.valueOf(placed(element.asString(), secret))));
                } else {
                    collect(element, secret, places, false);
                }
            }
        }
    }

    private String placed(String original, String secret) {
        return switch (random.nextInt(3)) {
            case 0 -> secret + " " + original;
            case 1 -> original + " " + secret;
            default -> secret;
        };
    }

    private ObjectNode message() {
        ObjectNode message = NODES.objectNode();
        if (random.nextInt(12) > 0) {
            message.put("role", pick(ROLES));
        }
        switch (random.nextInt(5)) {
            case 0 -> message.put("content", text());
            case 1 -> {
                ArrayNode parts = message.putArray("content");
                for (int i = random.nextInt(3); i >= 0; i--) {
                    ObjectNode part = parts.addObject().put("type", pick(PART_TYPES));
                    part.set(
                            random.nextBoolean() ? "text" : "image_url",
                            random.nextBoolean() ? StringNode.valueOf(text()) : json(1));
                }
            }
            case 2 -> message.set("content", json(2));
            case 3 -> message.putNull("content");
            default -> message.put("content", words.next(random).value());
        }
        if (random.nextInt(4) == 0) {
            ArrayNode calls = message.putArray("tool_calls");
            calls.add(random.nextBoolean() ? json(2) : NODES.nullNode());
        }
        if (random.nextInt(5) == 0) {
            message.set(random.nextBoolean() ? "tool_call_id" : "name", json(1));
        }
        if (random.nextInt(6) == 0) {
            message.set(text(), json(2));
        }
        return message;
    }

    /** A value of about the right shape for a known field, so that parsing gets past it more often. */
    private JsonNode plausible(String field) {
        return switch (field) {
            case "temperature", "top_p", "presence_penalty", "frequency_penalty" -> NODES.numberNode(
                    random.nextDouble() * 3 - 0.5);
            case "n", "max_tokens", "max_completion_tokens", "top_logprobs", "seed" -> NODES.numberNode(
                    random.nextInt(40) - 2);
            case "stream", "logprobs", "store", "parallel_tool_calls" -> NODES.booleanNode(random.nextBoolean());
            case "stop" -> random.nextBoolean()
                    ? StringNode.valueOf(text())
                    : NODES.arrayNode().add(text()).add(text());
            case "tool_choice" -> StringNode.valueOf(pick(List.of("auto", "none", "required", "weird")));
            default -> StringNode.valueOf(text());
        };
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
