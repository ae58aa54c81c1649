package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/tenants.md shows a tenants file that loads, whose hashes are those of the keys it names. */
class TenantsDocTest {

    private static final Path DOC = Path.of("../docs/tenants.md");

    @Test
    void should_load_the_documented_tenants_file_with_the_hashes_of_its_keys() throws IOException {
        // given
        String doc = Files.readString(DOC);
        Matcher block = Pattern.compile("```yaml\\n(# keys of this example: (.*)\\n(?s:.*?))```")
                .matcher(doc);
        assertThat(block.find()).as("the example tenants file in " + DOC).isTrue();
        List<String> keys = List.of(block.group(2).split(", "));

        // when
        Tenants tenants = TenantsLoader.parse(
                "tenants.yaml",
                block.group(1).getBytes(StandardCharsets.UTF_8),
                List.of("support", "finance"),
                n -> null);

        // then
        assertThat(tenants.tenants().get("acme").apiKeySha256()).containsExactly(sha256(keys.get(0)));
        assertThat(tenants.tenants().get("globex").apiKeySha256())
                .containsExactly(sha256(keys.get(1)), sha256(keys.get(2)));
        assertThat(tenants.admin().apiKeySha256()).containsExactly(sha256(keys.get(3)));
    }

    @Test
    void should_show_the_error_the_loader_gives_for_a_misspelt_policy() throws IOException {
        // given
        String doc = Files.readString(DOC);
        Matcher block = Pattern.compile("```yaml\\n((?s:.*?))```").matcher(doc);
        assertThat(block.find()).isTrue();
        String misspelt = block.group(1).replace("policy: finance", "policy: fianance");

        // when
        String error = catchThrowableOfType(
                        PolicyException.class,
                        () -> TenantsLoader.parse(
                                "/etc/hybrid-router/tenants/tenants.yaml",
                                misspelt.getBytes(StandardCharsets.UTF_8),
                                List.of("finance", "support"),
                                n -> null))
                .getMessage();

        // then
        assertThat(doc).contains(error);
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
