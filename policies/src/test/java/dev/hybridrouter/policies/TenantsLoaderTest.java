package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.hybridrouter.policies.Tenants.Budget;
import dev.hybridrouter.policies.Tenants.OverBudget;
import dev.hybridrouter.policies.Tenants.RateLimit;
import dev.hybridrouter.policies.Tenants.Tenant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TenantsLoaderTest {

    private static final String ACME = "a".repeat(64);
    private static final String GLOBEX = "b".repeat(64);
    private static final String ROTATED = "c".repeat(64);
    private static final String ADMIN = "d".repeat(64);
    private static final List<String> POLICIES = List.of("support", "finance");

    @Test
    void should_bind_tenants_with_their_keys_policy_and_limits_and_the_admin_keys() {
        // when
        Tenants tenants = parse(
                """
                tenants:
                  acme:
                    api-key-sha256: %s
                    policy: support
                    rate-limit: {requests-per-second: 2.5, max-concurrent: 2}
                    budget: {tokens-per-day: 2000000, large-model-tokens-per-day: 200000, over-large-model-budget: refuse}
                  globex:
                    api-key-sha256: [%s, %s]
                    policy: finance
                admin:
                  api-key-sha256: %s
                """
                        .formatted(ACME, GLOBEX, ROTATED, ADMIN));

        // then
        assertThat(tenants.tenants())
                .containsExactly(
                        Map.entry(
                                "acme",
                                new Tenant(
                                        "acme",
                                        List.of(ACME),
                                        "support",
                                        new RateLimit(2.5, 2),
                                        new Budget(2_000_000L, 200_000L, OverBudget.REFUSE))),
                        Map.entry("globex", new Tenant("globex", List.of(GLOBEX, ROTATED), "finance", null, null)));
        assertThat(tenants.admin().apiKeySha256()).containsExactly(ADMIN);
        assertThat(tenants.source()).isEqualTo("tenants.yaml");
    }

    @Test
    void should_have_no_admin_when_the_file_names_none() {
        // when
        Tenants tenants = parse(
                """
                tenants:
                  acme: {api-key-sha256: %s, policy: support}
                """
                        .formatted(ACME));

        // then
        assertThat(tenants.admin()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            textBlock =
                    """
            unknown policy, with the closest name  | policy: suport                       | 3 | 13 | tenants.acme.policy is 'suport', which is not a policy in force; did you mean 'support'? (policies: support, finance)
            a key in clear instead of its hash     | api-key: sk-live-123                 | 3 | 5  | 'api-key' is not allowed in tenants.acme: never write an API key in clear; write its SHA-256 as api-key-sha256
            a hash in upper case                   | api-key-sha256: AAAAAAAAAAAAAAAAAA   | 3 | 21 | tenants.acme.api-key-sha256 must be the SHA-256 of a key (64 lowercase hex digits) or a list of them
            a rate limit of zero requests a second | rate-limit: {requests-per-second: 0} | 3 | 39 | tenants.acme.rate-limit.requests-per-second must be above 0, not 0
            a limit that is not in the format      | quota: {tokens-per-day: 5}           | 3 | 5  | unknown key 'quota' in tenants.acme
            a budget of no tokens                  | budget: {tokens-per-day: 0}          | 3 | 30 | tenants.acme.budget.tokens-per-day must be at least 1, not 0
            """)
    void should_report_a_broken_tenant_at_its_line_and_column(
            String description, String line, int expectedLine, int column, String message) {
        // given
        String key = line.substring(0, line.indexOf(':'));
        String yaml = "tenants:\n  acme:\n    " + line + "\n"
                + (key.equals("policy") ? "" : "    policy: support\n")
                + (key.equals("api-key-sha256") ? "" : "    api-key-sha256: " + ACME + "\n");

        // when
        PolicyException failure = catchThrowableOfType(PolicyException.class, () -> parse(yaml));

        // then
        assertThat(failure.errors())
                .extracting(PolicyError::line, PolicyError::column)
                .containsOnly(tuple(expectedLine, column));
        assertThat(failure.getMessage()).contains("tenants.yaml:" + expectedLine + ":" + column + ": " + message);
    }

    @Test
    void should_refuse_a_key_hash_that_two_callers_share() {
        // when
        PolicyException failure = catchThrowableOfType(
                PolicyException.class,
                () -> parse(
                        """
                tenants:
                  acme: {api-key-sha256: %1$s, policy: support}
                  globex: {api-key-sha256: [%2$s, %1$s], policy: finance}
                admin:
                  api-key-sha256: %2$s
                """
                                .formatted(ACME, GLOBEX)));

        // then
        assertThat(failure.getMessage())
                .contains("tenants.yaml:3:", "is a key hash of tenant 'acme' already")
                .contains("tenants.yaml:5:", "admin.api-key-sha256 is a key hash of tenant 'globex' already");
    }

    @Test
    void should_refuse_a_file_without_tenants_or_not_in_utf8() {
        // when
        PolicyException empty = catchThrowableOfType(PolicyException.class, () -> parse("tenants: {}\n"));
        PolicyException binary = catchThrowableOfType(
                PolicyException.class,
                () -> TenantsLoader.parse("tenants.yaml", new byte[] {(byte) 0xff, (byte) 0xfe}, POLICIES, n -> null));

        // then
        assertThat(empty.getMessage()).contains("tenants.yaml:1:10: tenants must not be empty");
        assertThat(binary.getMessage()).isEqualTo("tenants.yaml: is not UTF-8 text");
    }

    @Test
    void should_take_a_key_hash_from_the_environment() {
        // when
        Tenants tenants = TenantsLoader.parse(
                "tenants.yaml",
                "tenants:\n  acme: {api-key-sha256: '${ACME_KEY_SHA256}', policy: support}\n"
                        .getBytes(StandardCharsets.UTF_8),
                POLICIES,
                Map.of("ACME_KEY_SHA256", ACME)::get);

        // then
        assertThat(tenants.tenants().get("acme").apiKeySha256()).containsExactly(ACME);
    }

    private static Tenants parse(String yaml) {
        return TenantsLoader.parse("tenants.yaml", yaml.getBytes(StandardCharsets.UTF_8), POLICIES, name -> null);
    }
}
