package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The shipped schema, and the example policies written against it. */
class PolicySchemaTest {

    private static final Path SCHEMA = Path.of("src/main/resources", PolicySchema.RESOURCE);
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void should_be_a_valid_draft_07_schema_when_read_as_json() throws IOException {
        // given
        String schema = Files.readString(SCHEMA);
        var metaSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_7.getDialectId()));

        // when
        var errors = metaSchema.validate(schema, InputFormat.JSON);

        // then
        assertThat(errors).isEmpty();
    }

    @Test
    void should_describe_every_property_and_allow_no_other_when_editors_complete_it() throws IOException {
        // given
        JsonNode schema = JsonMapper.builder().build().readTree(Files.readString(SCHEMA));

        // when
        List<String> gaps = new ArrayList<>();
        collectGaps(schema, "#", gaps);

        // then
        assertThat(gaps).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void should_load_example_when_it_is_shipped(Path example) throws IOException {
        // when
        Policy policy = PolicyLoader.load(example, Map.<String, String>of()::get);

        // then
        assertThat(Files.readAllLines(example).get(0))
                .isEqualTo("# yaml-language-server: $schema=../"
                        + SCHEMA.toString().replace('\\', '/'));
        assertThat(policy.domains()).hasSizeBetween(2, 5);
        assertThat(policy.domains())
                .allSatisfy(domain ->
                        assertThat(domain.examples()).as(domain.name()).hasSizeBetween(15, 25));
        List<String> examples = policy.domains().stream()
                .flatMap(domain -> domain.examples().stream())
                .toList();
        assertThat(examples).as("no example message twice").doesNotHaveDuplicates();
        assertThat(policy.specialists().values())
                .allSatisfy(specialist -> assertThat(specialist.systemPrompt()).isNotBlank());
    }

    static Stream<Path> examples() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            examples = files.sorted().toList();
        }
        assertThat(examples).hasSize(5);
        return examples.stream();
    }

    private static void collectGaps(JsonNode schema, String at, List<String> gaps) {
        if (schema.has("properties")) {
            if (!schema.path("additionalProperties").isBoolean()
                    && !schema.path("additionalProperties").isObject()) {
                gaps.add(at + " has properties but does not restrict other keys");
            }
            schema.path("properties").properties().forEach(property -> {
                if (!property.getValue().has("description")) {
                    gaps.add(at + "/properties/" + property.getKey() + " has no description");
                }
            });
        }
        if (schema.isObject()) {
            schema.properties().stream()
                    .filter(child -> !child.getKey().equals("if")) // a condition, not a declaration
                    .forEach(child -> collectGaps(child.getValue(), at + "/" + child.getKey(), gaps));
        } else if (schema.isArray()) {
            for (int i = 0; i < schema.size(); i++) {
                collectGaps(schema.get(i), at + "/" + i, gaps);
            }
        }
    }
}
