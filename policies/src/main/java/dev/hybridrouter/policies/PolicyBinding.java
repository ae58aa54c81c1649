package dev.hybridrouter.policies;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.EnumNamingStrategies;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Binds a policy tree, once its defaults are filled in, to the {@link Policy} records: field and option
 * names in {@code kebab-case}, durations such as {@code 30s}, sizes such as {@code 64MB}. A field the
 * records do not have fails the binding, so the schema and the records cannot drift apart unseen.
 */
final class PolicyBinding {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB)");

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enumNamingStrategy(EnumNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("policy-units").addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    private PolicyBinding() {}

    /** The tree as an instance of {@code type}; the tree passed the schema, so a failure is a bug. */
    static <T> T bind(JsonNode tree, Class<T> type) {
        return MAPPER.treeToValue(tree, type);
    }

    /** An option's name as a policy writes it, e.g. {@code payment-card}. */
    static String name(Enum<?> option) {
        return MAPPER.valueToTree(option).asString();
    }

    /** A duration such as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or {@code 30d}. */
    static Duration duration(String text) {
        Matcher matcher = matching(DURATION, text, "duration");
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** A size such as {@code 64MB} in bytes, with 1024-based units. */
    static long size(String text) {
        Matcher matcher = matching(SIZE, text, "size");
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "B" -> amount;
            case "KB" -> amount << 10;
            case "MB" -> amount << 20;
            default -> amount << 30;
        };
    }

    private static Matcher matching(Pattern pattern, String text, String what) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a " + what + ": " + text);
        }
        return matcher;
    }

    private static final class DurationDeserializer extends ValueDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context) {
            return duration(parser.getString());
        }
    }

    /** Binds a size field, such as {@link Policy.Capture#maxFileBytes()}, given as {@code 64MB}. */
    static final class SizeDeserializer extends ValueDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser parser, DeserializationContext context) {
            return size(parser.getString());
        }
    }
}
