package dev.hybridrouter.router.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.policies.PolicyException;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.execution.UpstreamResilience;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class PolicyRegistryTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @TempDir
    Path secrets;

    @Test
    void should_swap_in_a_valid_change_when_the_policy_file_changes() throws IOException {
        // given
        Files.writeString(dir.resolve("default.yaml"), policy("billing"));
        PolicyRegistry registry = registry();
        ActivePolicy before = registry.active();

        // when
        Files.writeString(dir.resolve("default.yaml"), policy("billing", "shipping"));
        registry.reloadIfChanged();

        // then
        assertThat(registry.active()).isNotSameAs(before);
        assertThat(registry.active().policy().domains())
                .extracting(d -> d.name())
                .containsExactly("billing", "shipping");
        assertThat(before.policy().domains()).extracting(d -> d.name()).containsExactly("billing");
        assertThat(registry.status().lastError()).isNull();
    }

    @Test
    void should_keep_the_last_good_policy_and_report_the_errors_when_a_change_is_invalid() throws IOException {
        // given
        Files.writeString(dir.resolve("default.yaml"), policy("billing"));
        PolicyRegistry registry = registry();
        ActivePolicy good = registry.active();

        // when
        Files.writeString(dir.resolve("default.yaml"), policy("billing").replace("threshold: 0.5", "threshold: 7"));
        registry.reloadIfChanged();

        // then
        assertThat(registry.active()).isSameAs(good);
        assertThat(registry.status().policies()).containsExactly("default");
        assertThat(registry.status().lastError())
                .contains(dir.resolve("default.yaml") + ":4:14")
                .contains("threshold");
    }

    @Test
    void should_do_nothing_when_the_files_did_not_change() throws IOException {
        // given
        Files.writeString(dir.resolve("default.yaml"), policy("billing"));
        PolicyRegistry registry = registry();
        ActivePolicy before = registry.active();

        // when
        registry.reloadIfChanged();

        // then
        assertThat(registry.active()).isSameAs(before);
    }

    @Test
    void should_refuse_to_start_with_every_error_when_the_policy_is_invalid() throws IOException {
        // given
        Files.writeString(
                dir.resolve("default.yaml"),
                policy("billing")
                        .replace("threshold: 0.5", "threshold: 7")
                        .replace("specialist: slm", "specialist: missing"));

        // when / then
        assertThatThrownBy(this::registry).isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.errors())
                .hasSize(2));
    }

    @Test
    void should_serve_several_policies_without_a_default_when_tenants_name_them() throws IOException {
        // given
        Files.writeString(dir.resolve("support.yaml"), policy("billing").replace("name: default", "name: support"));
        Files.writeString(dir.resolve("finance.yaml"), policy("ledger").replace("name: default", "name: finance"));
        Path tenants = Files.writeString(secrets.resolve("tenants.yaml"), tenants("finance"));

        // when
        PolicyRegistry registry = registry(tenants);

        // then
        assertThat(registry.served().policies()).containsOnlyKeys("support", "finance");
        assertThat(registry.active()).isNull();
        assertThat(registry.served()
                        .policyOf(registry.served().tenants().tenants().get("acme"))
                        .policy()
                        .name())
                .isEqualTo("finance");
        assertThat(registry.status().tenants()).isEqualTo(1);
    }

    @Test
    void should_reject_a_policy_change_that_removes_a_tenants_policy_and_take_it_once_the_tenants_file_follows()
            throws IOException {
        // given
        Files.writeString(dir.resolve("support.yaml"), policy("billing").replace("name: default", "name: support"));
        Files.writeString(dir.resolve("finance.yaml"), policy("ledger").replace("name: default", "name: finance"));
        Path tenants = Files.writeString(secrets.resolve("tenants.yaml"), tenants("finance"));
        PolicyRegistry registry = registry(tenants);
        ActivePolicy finance = registry.served().policies().get("finance");

        // when
        Files.delete(dir.resolve("finance.yaml"));
        registry.reloadIfChanged();
        PolicyRegistry.Served rejected = registry.served();
        String error = registry.status().lastError();
        Files.writeString(tenants, tenants("support"));
        registry.reloadIfChanged();

        // then
        assertThat(rejected.policies().get("finance")).isSameAs(finance);
        assertThat(error).contains(tenants + ":3:13: tenants.acme.policy is 'finance', which is not a policy in force");
        assertThat(registry.served().policies()).containsOnlyKeys("support");
        assertThat(registry.status().lastError()).isNull();
    }

    @Test
    void should_refuse_to_start_when_the_tenants_file_cannot_be_read() throws IOException {
        // given
        Files.writeString(dir.resolve("default.yaml"), policy("billing"));
        Path missing = secrets.resolve("missing-tenants.yaml");

        // when / then
        assertThatThrownBy(() -> registry(missing))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining(missing + ": cannot be read");
    }

    @Test
    void should_keep_an_unchanged_policy_compiled_when_another_changes() throws IOException {
        // given
        Files.writeString(dir.resolve("default.yaml"), policy("billing"));
        Files.writeString(dir.resolve("support.yaml"), policy("help").replace("name: default", "name: support"));
        PolicyRegistry registry = registry();
        ActivePolicy support = registry.served().policies().get("support");

        // when
        Files.writeString(dir.resolve("default.yaml"), policy("billing", "shipping"));
        registry.reloadIfChanged();

        // then
        assertThat(registry.served().policies().get("support")).isSameAs(support);
        assertThat(registry.active().policy().domains()).hasSize(2);
    }

    private static String tenants(String policy) {
        return """
                tenants:
                  acme:
                    policy: %s
                    api-key-sha256: %s
                """
                .formatted(policy, "a".repeat(64));
    }

    private PolicyRegistry registry() {
        return registry(null);
    }

    private PolicyRegistry registry(Path tenantsFile) {
        var properties = new RouterProperties(
                new RouterProperties.Policies(dir.toString(), Duration.ofSeconds(5)),
                List.of("auto"),
                new RouterProperties.Limits(DataSize.ofMegabytes(1), 1000, 500_000, 256),
                new RouterProperties.Server(
                        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), 100),
                new RouterProperties.Classifier(0, "", 32),
                new RouterProperties.Models(dir.resolve("models"), true),
                new RouterProperties.Redis(
                        null, Duration.ofMillis(250), RouterProperties.OnFailure.OPEN, Duration.ofMinutes(10)),
                tenantsFile == null ? null : tenantsFile.toString());
        return new PolicyRegistry(
                properties,
                policy -> conversation -> new DomainClassifier.Classification(Map.of(), false),
                CLOCK,
                new UpstreamFactory(
                        UpstreamHttpClient.ofDefaults(),
                        null,
                        new UpstreamResilience(new SimpleMeterRegistry(), CLOCK),
                        name -> null,
                        CLOCK),
                new SimpleMeterRegistry(),
                Optional.empty(),
                EmbeddingCache.ofDefaults());
    }

    private static String policy(String... domains) {
        StringBuilder yaml = new StringBuilder(
                """
                version: 1
                name: default
                classifier:
                  threshold: 0.5
                domains:
                """);
        for (String domain : domains) {
            yaml.append(
                    """
                      - name: %s
                        specialist: slm
                        examples: [a question about %s]
                    """
                            .formatted(domain, domain));
        }
        yaml.append(
                """
                specialists:
                  slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:1b
                """);
        return yaml.toString();
    }
}
