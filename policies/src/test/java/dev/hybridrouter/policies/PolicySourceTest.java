package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybridrouter.policies.PolicySource.Reload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySourceTest {

    @TempDir
    Path directory;

    private final Map<String, String> environment = Map.of();

    @Test
    void should_load_every_visible_yaml_file_when_location_is_a_directory() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        write("helpdesk.yml", policy("it"));
        write(".hidden.yaml", "not: a policy");
        write("README.md", "# notes");
        Files.createDirectories(directory.resolve("archive.yaml"));

        // when
        PolicySet policies = source().load();

        // then
        assertThat(policies.location()).isEqualTo(directory.toString());
        assertThat(policies.policies()).containsOnlyKeys("bank", "helpdesk");
        assertThat(policies.policy("bank").orElseThrow().domains().get(0).name())
                .isEqualTo("banking");
    }

    @Test
    void should_load_one_policy_when_location_is_a_file() throws IOException {
        // given
        Path file = write("bank.yaml", policy("banking"));

        // when
        PolicySet policies = new PolicySource(file, environment::get).load();

        // then
        assertThat(policies.policies()).containsOnlyKeys("bank");
    }

    @Test
    void should_return_nothing_when_no_file_changed_since_the_last_check() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        PolicySource source = source();
        source.load();

        // when
        Optional<Reload> reload = source.checkForChanges();

        // then
        assertThat(reload).isEmpty();
    }

    @Test
    void should_return_new_policies_when_a_file_changed() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        write("helpdesk.yaml", policy("it"));
        PolicySource source = source();
        source.load();
        write("bank.yaml", policy("cards"));

        // when
        Optional<Reload> reload = source.checkForChanges();

        // then
        assertThat(reload).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> {
            assertThat(loaded.policies().policies()).containsOnlyKeys("bank", "helpdesk");
            assertThat(loaded.policies().policy("bank").orElseThrow().domain("cards"))
                    .isPresent();
        });
        assertThat(source.checkForChanges()).isEmpty();
    }

    @Test
    void should_return_new_policies_when_a_file_is_added_or_removed() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        PolicySource source = source();
        source.load();

        // when
        write("helpdesk.yaml", policy("it"));
        Optional<Reload> added = source.checkForChanges();
        Files.delete(directory.resolve("bank.yaml"));
        Optional<Reload> removed = source.checkForChanges();

        // then
        assertThat(added).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> assertThat(
                        loaded.policies().policies())
                .containsOnlyKeys("bank", "helpdesk"));
        assertThat(removed).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> assertThat(
                        loaded.policies().policies())
                .containsOnlyKeys("helpdesk"));
    }

    @Test
    void should_report_every_error_once_when_a_change_is_invalid() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        write("helpdesk.yaml", policy("it"));
        PolicySource source = source();
        PolicySet serving = source.load();
        write("bank.yaml", policy("banking").replace("version: 1", "version: 2"));
        write("helpdesk.yaml", policy("it").replace("examples:", "exampels:"));

        // when
        Optional<Reload> reload = source.checkForChanges();

        // then
        assertThat(reload)
                .get()
                .isInstanceOfSatisfying(
                        Reload.Failed.class,
                        failed -> assertThat(failed.failure().errors())
                                .extracting(PolicyError::toString)
                                .containsExactly(
                                        directory.resolve("bank.yaml") + ":1:10: version must be 1, not 2",
                                        directory.resolve("helpdesk.yaml")
                                                + ":3:5: missing required key 'examples' in domains[0]",
                                        directory.resolve("helpdesk.yaml")
                                                + ":5:5: unknown key 'exampels' in domains[0]; did you mean 'examples'? (allowed: name, description, specialist, threshold, examples, residency, residency-threshold, capture, cascade)"));
        assertThat(source.checkForChanges())
                .as("the same invalid content again")
                .isEmpty();
        assertThat(serving.policies()).as("what the caller still serves").containsOnlyKeys("bank", "helpdesk");
    }

    @Test
    void should_return_new_policies_when_an_invalid_change_is_fixed() throws IOException {
        // given
        write("bank.yaml", policy("banking"));
        PolicySource source = source();
        source.load();
        write("bank.yaml", "version: 1\ndomains: [");
        assertThat(source.checkForChanges()).get().isInstanceOf(Reload.Failed.class);
        write("bank.yaml", policy("cards"));

        // when
        Optional<Reload> reload = source.checkForChanges();

        // then
        assertThat(reload).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> assertThat(
                        loaded.policies().policy("bank").orElseThrow().domain("cards"))
                .isPresent());
    }

    @Test
    void should_read_through_symlinks_when_directory_is_a_mounted_configmap() throws IOException {
        // given: the layout the kubelet writes for a mounted ConfigMap
        Path firstVersion = Files.createDirectory(directory.resolve("..2025_01_01_00_00_00.000000001"));
        Files.writeString(firstVersion.resolve("bank.yaml"), policy("banking"));
        Files.createSymbolicLink(directory.resolve("..data"), firstVersion.getFileName());
        Files.createSymbolicLink(directory.resolve("bank.yaml"), Path.of("..data", "bank.yaml"));
        PolicySource source = source();
        PolicySet first = source.load();
        // and an update: a new version directory, then ..data swapped to it
        Path secondVersion = Files.createDirectory(directory.resolve("..2025_01_02_00_00_00.000000002"));
        Files.writeString(secondVersion.resolve("bank.yaml"), policy("cards"));
        Files.delete(directory.resolve("..data"));
        Files.createSymbolicLink(directory.resolve("..data"), secondVersion.getFileName());

        // when
        Optional<Reload> reload = source.checkForChanges();

        // then
        assertThat(first.policies()).containsOnlyKeys("bank");
        assertThat(reload).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> {
            assertThat(loaded.policies().policies()).containsOnlyKeys("bank");
            assertThat(loaded.policies().policy("bank").orElseThrow().domain("cards"))
                    .isPresent();
        });
    }

    @Test
    void should_report_duplicate_policy_name_when_two_files_use_it() throws IOException {
        // given
        write("a.yaml", "name: bank\n" + policy("banking"));
        write("bank.yaml", policy("cards"));

        // when
        PolicyException error = catchThrowableOfType(PolicyException.class, () -> source().load());

        // then
        assertThat(error.errors())
                .extracting(PolicyError::toString)
                .containsExactly(directory.resolve("bank.yaml") + ": policy name 'bank' is already used by "
                        + directory.resolve("a.yaml")
                        + "; policy names must be unique (a policy without a name takes its file name)");
    }

    @Test
    void should_report_location_when_directory_holds_no_policy() {
        // when
        PolicyException error = catchThrowableOfType(PolicyException.class, () -> source().load());

        // then
        assertThat(error).hasMessage(directory + ": holds no *.yaml or *.yml policy file");
    }

    @Test
    void should_report_location_when_it_does_not_exist() {
        // given
        Path missing = directory.resolve("missing");

        // when
        PolicyException error =
                catchThrowableOfType(PolicyException.class, () -> new PolicySource(missing, environment::get).load());

        // then
        assertThat(error.errors()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo(missing.toString());
            assertThat(e.message()).startsWith("cannot be read: java.nio.file.NoSuchFileException");
        });
    }

    @Test
    void should_read_a_learning_policy_with_what_it_learned_and_skip_learned_files_as_policies() throws IOException {
        // given
        write("bank.yaml", learningPolicy("banking"));
        write("bank.learned.yaml", "domains:\n  banking: [what is my balance]\nout-of-scope-examples: [tell a joke]\n");

        // when
        PolicySet policies = source().load();

        // then
        Policy bank = policies.policy("bank").orElseThrow();
        assertThat(policies.policies()).containsOnlyKeys("bank");
        assertThat(bank.domains().get(0).examples()).containsExactly("an example message", "what is my balance");
        assertThat(bank.classifier().outOfScopeExamples()).containsExactly("tell a joke");
    }

    @Test
    void should_load_again_when_the_learned_file_changes_and_keep_the_last_good_when_it_breaks() throws IOException {
        // given
        write("bank.yaml", learningPolicy("banking"));
        PolicySource source = source();
        source.load();

        // when
        write("bank.learned.yaml", "domains:\n  banking: [what is my balance]\n");
        Optional<Reload> learned = source.checkForChanges();
        Optional<Reload> unchanged = source.checkForChanges();
        write("bank.learned.yaml", "domains:\n  bankin: [what is my balance]\n");
        Optional<Reload> broken = source.checkForChanges();

        // then
        assertThat(learned).get().isInstanceOfSatisfying(Reload.Loaded.class, loaded -> assertThat(loaded.policies()
                        .policy("bank")
                        .orElseThrow()
                        .domains()
                        .get(0)
                        .examples())
                .contains("what is my balance"));
        assertThat(unchanged).isEmpty();
        assertThat(broken).get().isInstanceOfSatisfying(Reload.Failed.class, failed -> assertThat(
                        failed.failure().errors())
                .extracting(PolicyError::toString)
                .singleElement()
                .asString()
                .startsWith(
                        directory.resolve("bank.learned.yaml") + ":2:3: examples were learned for domain 'bankin'"));
    }

    /** A valid policy that learns into this directory. */
    private String learningPolicy(String domain) {
        return policy(domain)
                + """
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                escalation: {large-model: cloud}
                learning: {directory: %s}
                """
                        .formatted(directory);
    }

    private PolicySource source() {
        return new PolicySource(directory, environment::get);
    }

    private Path write(String fileName, String content) throws IOException {
        return Files.writeString(directory.resolve(fileName), content);
    }

    /** A valid policy whose one domain has this name. */
    private static String policy(String domain) {
        return """
                version: 1
                domains:
                  - name: %s
                    specialist: assistant
                    examples:
                      - an example message
                specialists:
                  assistant:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """
                .formatted(domain);
    }
}
