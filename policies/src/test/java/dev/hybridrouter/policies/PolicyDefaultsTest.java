package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/** The one source of defaults, {@code defaults.yaml}, against the schema that states them to editors. */
class PolicyDefaultsTest {

    private static final Path SCHEMA = Path.of("src/main/resources", PolicySchema.RESOURCE);

    @Test
    void should_state_the_same_defaults_in_the_schema_as_the_loader_fills_in() throws IOException {
        // given
        JsonNode schema = JsonMapper.builder().build().readTree(Files.readString(SCHEMA));

        // when
        Map<String, String> stated = new TreeMap<>();
        schemaDefaults(schema, "", stated);
        Map<String, String> filled = new TreeMap<>();
        leaves(PolicyDefaults.tree(), "", filled);

        // then
        assertThat(stated).isNotEmpty().isEqualTo(filled);
    }

    @Test
    void should_bind_the_defaults_to_the_records_field_by_field() {
        // when
        Policy.Resilience resilience = PolicyDefaults.resilience();

        // then
        assertThat(resilience.circuitBreaker().minimumCalls()).isEqualTo(20);
        assertThat(resilience.circuitBreaker().slidingWindowSize()).isEqualTo(100);
        assertThat(resilience.retry().initialBackoff()).hasMillis(200);
        assertThat(resilience.firstTokenTimeout()).hasSeconds(20);
        assertThat(Policy.Privacy.DEFAULTS.pii())
                .hasSize(Policy.PiiType.values().length)
                .containsEntry(Policy.PiiType.PAYMENT_CARD, Policy.PiiAction.MASK);
    }

    @Test
    void should_refuse_a_field_the_records_do_not_hold_when_binding() {
        // given
        JsonNode tree = JsonMapper.builder().build().readTree("{\"model\":\"m\",\"temperature\":0.2}");

        // when, then
        assertThatThrownBy(() -> PolicyBinding.bind(tree, Policy.LargeModel.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("temperature");
    }

    /**
     * Every {@code default} of the schema, keyed by where {@code defaults.yaml} holds it: the path of
     * properties, a definition standing for the section of its name ({@code /definitions/specialist/
     * properties/timeout} is {@code specialist.timeout}).
     */
    private static void schemaDefaults(JsonNode node, String section, Map<String, String> defaults) {
        if (node.has("default")) {
            defaults.put(section, text(node.get("default")));
        }
        for (String group : new String[] {"properties", "definitions"}) {
            for (Map.Entry<String, JsonNode> child : node.path(group).properties()) {
                String name = child.getKey();
                schemaDefaults(child.getValue(), section.isEmpty() ? name : section + "." + name, defaults);
            }
        }
    }

    private static void leaves(JsonNode node, String path, Map<String, String> values) {
        if (!node.isObject()) {
            values.put(path, text(node));
            return;
        }
        for (Map.Entry<String, JsonNode> child : node.properties()) {
            leaves(child.getValue(), path.isEmpty() ? child.getKey() : path + "." + child.getKey(), values);
        }
    }

    /** A scalar as text, numbers by value so that {@code 2.0} and {@code 2.00} agree. */
    private static String text(JsonNode value) {
        return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.asString();
    }
}
