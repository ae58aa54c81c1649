package dev.hybridrouter.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's values table is written in helm-docs' format but kept by hand: it must list every value that
 * values.yaml documents with a {@code # --} comment, in the file's order.
 */
class ReadmeValuesTest {

    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.]+):(.*)$");
    private static final Pattern BLOCK_SCALAR = Pattern.compile("\\s*[|>][-+0-9]*\\s*(#.*)?");
    private static final Pattern TABLE_ROW =
            Pattern.compile("^\\| (\\S+) \\| (?:string|int|float|bool|object|list) \\|");

    /** The dotted paths of the keys that a {@code # --} comment documents, in file order. */
    private static List<String> documentedKeys(List<String> valuesYaml) {
        List<String> keys = new ArrayList<>();
        Deque<Integer> indents = new ArrayDeque<>();
        Deque<String> path = new ArrayDeque<>();
        boolean documented = false;
        int blockIndent = -1;
        for (String line : valuesYaml) {
            int indent = line.length() - line.stripLeading().length();
            if (blockIndent >= 0 && (line.isBlank() || indent > blockIndent)) {
                continue; // inside a block scalar such as a policy file
            }
            blockIndent = -1;
            String text = line.strip();
            if (text.startsWith("# --")) {
                documented = true;
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (text.startsWith("#") || text.startsWith("-") || !key.matches()) {
                continue;
            }
            while (!indents.isEmpty() && indents.peekLast() >= indent) {
                indents.removeLast();
                path.removeLast();
            }
            indents.addLast(indent);
            path.addLast(key.group(2));
            if (documented) {
                keys.add(String.join(".", path));
                documented = false;
            }
            if (BLOCK_SCALAR.matcher(key.group(3)).matches()) {
                blockIndent = indent;
            }
        }
        return keys;
    }

    @Test
    void should_list_every_documented_value_in_the_readme_table_in_the_order_of_values_yaml() throws IOException {
        // given
        List<String> documented =
                documentedKeys(Files.readAllLines(ChartRender.chartDir().resolve("values.yaml")));

        // when
        List<String> listed = Files.readAllLines(ChartRender.chartDir().resolve("README.md")).stream()
                .map(TABLE_ROW::matcher)
                .filter(Matcher::find)
                .map(row -> row.group(1))
                .toList();

        // then
        assertThat(documented)
                .contains("models.cacheDir", "models.persistence.existingClaim", "slmEngines.vllm.shmSize");
        assertThat(listed).containsExactlyElementsOf(documented);
    }
}
