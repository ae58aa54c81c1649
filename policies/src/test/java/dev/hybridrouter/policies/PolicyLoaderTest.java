package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.hybridrouter.policies.Policy.Capture;
import dev.hybridrouter.policies.Policy.CircuitBreaker;
import dev.hybridrouter.policies.Policy.Classifier;
import dev.hybridrouter.policies.Policy.CustomPii;
import dev.hybridrouter.policies.Policy.Domain;
import dev.hybridrouter.policies.Policy.Escalation;
import dev.hybridrouter.policies.Policy.LargeModel;
import dev.hybridrouter.policies.Policy.LargeModelProvider;
import dev.hybridrouter.policies.Policy.OnSpecialistUnavailable;
import dev.hybridrouter.policies.Policy.OnUnavailable;
import dev.hybridrouter.policies.Policy.PiiAction;
import dev.hybridrouter.policies.Policy.PiiType;
import dev.hybridrouter.policies.Policy.Privacy;
import dev.hybridrouter.policies.Policy.Residency;
import dev.hybridrouter.policies.Policy.Resilience;
import dev.hybridrouter.policies.Policy.Retry;
import dev.hybridrouter.policies.Policy.Specialist;
import dev.hybridrouter.policies.Policy.SpecialistProvider;
import dev.hybridrouter.policies.Policy.Turn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyLoaderTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("LOCAL_URL", "http://slm:8000/v1", "EMPTY", "");

    /** The smallest valid policy: 11 lines, so additions start at line 12. */
    private static final String MINIMAL =
            """
            version: 1
            domains:
              - name: banking
                specialist: banking-slm
                examples:
                  - how do I move money to my savings account
            specialists:
              banking-slm:
                provider: openai-compatible
                base-url: http://localhost:8000/v1
                model: qwen2.5-1.5b-instruct
            """;

    /** A policy whose one specialist runs in process; {@code %s} takes its model fields. */
    private static final String IN_PROCESS =
            """
            version: 1
            domains:
              - name: helpdesk
                specialist: slm
                examples:
                  - my laptop will not start
            specialists:
              slm:
                provider: in-process
            %s""";

    @Test
    void should_read_every_field_when_policy_sets_them_all() {
        // given
        String yaml =
                """
                version: 1
                name: retail-bank
                classifier:
                  embedding-model: bge-small-en-v15-q
                  threshold: 0.5
                domains:
                  - name: banking
                    description: Accounts, transfers, cards and fees
                    specialist: banking-slm
                    threshold: 0.6
                    examples:
                      - how do I move money to my savings account
                      - what does a transfer abroad cost
                specialists:
                  banking-slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:3b
                    api-key-env: LOCAL_LLM_KEY
                    system-prompt: You are the bank's assistant.
                    few-shot:
                      - {user: "hi", assistant: "Hello, how can I help?"}
                    timeout: 500ms
                    price-per-million-tokens: {input: 0.02, output: 0.04}
                escalation:
                  large-model: cloud
                large-models:
                  cloud:
                    provider: openai-compatible
                    model: llama-3.3-70b
                    base-url: https://llm.example.com/v1
                    api-key-file: /var/run/secrets/key
                    timeout: 2m
                    price-per-million-tokens: {input: 0.6, output: 2.4}
                  backup:
                    provider: anthropic
                    model: claude-3-5-haiku-latest
                    api-key-env: ANTHROPIC_API_KEY
                    timeout: 1h
                """;

        // when
        Policy policy = PolicyLoader.parse("bank.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy)
                .isEqualTo(new Policy(
                        "retail-bank",
                        new Classifier("bge-small-en-v15-q", 0.5, List.of(), new Policy.FastStage(true, 0.95)),
                        List.of(new Domain(
                                "banking",
                                "Accounts, transfers, cards and fees",
                                "banking-slm",
                                0.6,
                                List.of(
                                        "how do I move money to my savings account",
                                        "what does a transfer abroad cost"))),
                        Map.of(
                                "banking-slm",
                                new Specialist(
                                        SpecialistProvider.OLLAMA,
                                        "http://localhost:11434",
                                        "llama3.2:3b",
                                        "LOCAL_LLM_KEY",
                                        "You are the bank's assistant.",
                                        List.of(new Turn("hi", "Hello, how can I help?")),
                                        Duration.ofMillis(500),
                                        null,
                                        Policy.Resilience.DEFAULTS,
                                        Policy.Residency.ANY,
                                        null,
                                        new Policy.Price(0.02, 0.04))),
                        new Escalation(
                                "cloud",
                                List.of(),
                                Policy.OnUnavailable.LOCAL,
                                Policy.OnSpecialistUnavailable.ESCALATE),
                        Map.of(
                                "cloud",
                                new LargeModel(
                                        LargeModelProvider.OPENAI_COMPATIBLE,
                                        "llama-3.3-70b",
                                        "https://llm.example.com/v1",
                                        null,
                                        "/var/run/secrets/key",
                                        Duration.ofMinutes(2),
                                        Policy.Resilience.DEFAULTS,
                                        new Policy.Price(0.6, 2.4)),
                                "backup",
                                new LargeModel(
                                        LargeModelProvider.ANTHROPIC,
                                        "claude-3-5-haiku-latest",
                                        null,
                                        "ANTHROPIC_API_KEY",
                                        null,
                                        Duration.ofHours(1),
                                        Policy.Resilience.DEFAULTS,
                                        null))));
    }

    @Test
    void should_apply_defaults_when_optional_fields_are_missing() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                """;

        // when
        Policy policy = PolicyLoader.parse("policies/retail-bank.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.name()).isEqualTo("retail-bank");
        assertThat(policy.classifier())
                .isEqualTo(new Classifier("all-minilm-l6-v2-q", 0.55, List.of(), new Policy.FastStage(true, 0.95)));
        Domain banking = policy.domains().get(0);
        assertThat(banking.threshold()).isNull();
        assertThat(banking.description()).isEmpty();
        assertThat(policy.threshold(banking)).isEqualTo(0.55);
        Specialist specialist = policy.specialists().get("banking-slm");
        assertThat(specialist.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(specialist.apiKeyEnv()).isNull();
        assertThat(specialist.systemPrompt()).isNull();
        assertThat(specialist.fewShot()).isEmpty();
        assertThat(policy.largeModels().get("cloud").timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.escalation()).isEqualTo(Escalation.NONE);
    }

    @Test
    void should_name_policy_after_file_when_loaded_from_path(@TempDir Path directory) throws Exception {
        // given
        Path file = directory.resolve("helpdesk.yml");
        Files.writeString(file, MINIMAL);

        // when
        Policy policy = PolicyLoader.load(file, ENVIRONMENT::get);

        // then
        assertThat(policy.name()).isEqualTo("helpdesk");
    }

    @Test
    void should_report_source_when_file_cannot_be_read(@TempDir Path directory) {
        // given
        Path missing = directory.resolve("missing.yaml");

        // when
        PolicyException error =
                catchThrowableOfType(PolicyException.class, () -> PolicyLoader.load(missing, ENVIRONMENT::get));

        // then
        assertThat(error.errors()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo(missing.toString());
            assertThat(e.line()).isZero();
            assertThat(e.message()).startsWith("cannot be read: java.nio.file.NoSuchFileException");
        });
    }

    @Test
    void should_replace_variables_when_set_or_given_a_default() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - what does ${HOME_CURRENCY:-EUR} cost
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: ${LOCAL_URL}
                    model: ${LOCAL_MODEL:-qwen2.5-1.5b-instruct}
                    system-prompt: "${EMPTY:-fallback} and ${LOCAL_URL}/models"
                """;

        // when
        Policy policy = PolicyLoader.parse("bank.yaml", yaml, ENVIRONMENT::get);

        // then
        Specialist specialist = policy.specialists().get("banking-slm");
        assertThat(specialist.baseUrl()).isEqualTo("http://slm:8000/v1");
        assertThat(specialist.model()).isEqualTo("qwen2.5-1.5b-instruct");
        assertThat(specialist.systemPrompt()).isEqualTo("fallback and http://slm:8000/v1/models");
        assertThat(policy.domains().get(0).examples()).containsExactly("what does EUR cost");
    }

    @Test
    void should_report_unset_variable_when_it_has_no_default() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: ${LLM_URL}
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:10:15: environment variable LLM_URL is not set; set it, or give a default with ${LLM_URL:-default}");
    }

    @Test
    void should_report_malformed_reference_when_variable_syntax_is_wrong() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: ${LLM_URL:http://localhost}
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:10:15: malformed reference '${LLM_URL:http://localhost}': write ${NAME} or ${NAME:-default}");
    }

    @Test
    void should_read_the_semantic_cache_with_its_defaults_and_leave_it_off_without_the_block() {
        // given
        String on = MINIMAL
                + """
                cache:
                  semantic:
                    domains: {banking: 0.97}
                """;

        // when
        Policy.Cache cache =
                PolicyLoader.parse("policy.yaml", on, ENVIRONMENT::get).cache();
        Policy.Cache off =
                PolicyLoader.parse("policy.yaml", MINIMAL, ENVIRONMENT::get).cache();

        // then
        assertThat(cache.semantic()).isEqualTo(new Policy.Semantic(0.95, Map.of("banking", 0.97), 1000));
        assertThat(cache.semantic().similarity("banking")).isEqualTo(0.97);
        assertThat(cache.semantic().similarity("cloud")).isEqualTo(0.95);
        assertThat(off.semantic()).isNull();
    }

    @Test
    void should_reject_a_semantic_cache_similarity_for_a_domain_the_policy_lacks() {
        // given
        String yaml = MINIMAL
                + """
                cache:
                  semantic:
                    domains: {bankng: 0.97}
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly("policy.yaml:14:15: cache.semantic.domains names 'bankng', which is not a domain of"
                        + " the policy; did you mean 'banking'? (domains: banking)");
    }

    @Test
    void should_suggest_closest_key_when_key_is_unknown() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  treshold: 0.5
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                    sytem-prompt: You are the bank's assistant.
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:3: unknown key 'treshold' in classifier; did you mean 'threshold'? (allowed: embedding-model, threshold, out-of-scope-examples, fast-stage)",
                        "policy.yaml:14:5: unknown key 'sytem-prompt' in specialists.banking-slm; did you mean 'system-prompt'? (allowed: provider, base-url, model, model-path, model-url, model-sha256, context-size, threads, max-concurrent, queue-limit, lora, load, api-key-env, system-prompt, few-shot, timeout, fallback, resilience, residency,"
                                + " price-per-million-tokens)");
    }

    @Test
    void should_list_allowed_keys_when_unknown_key_resembles_none() {
        // given
        String yaml = MINIMAL + "owner: payments-team\n";

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:1: unknown key 'owner' at the top level (allowed: version, name, classifier, domains, specialists, escalation, large-models, resilience, residency, privacy, cache, learning, capture)");
    }

    @Test
    void should_refuse_api_key_when_written_into_the_policy() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                    api-key: local-secret
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                    api_key: sk-proj-abc123
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:5: 'api-key' is not allowed in specialists.banking-slm: never write an API key into a policy; use api-key-env (the environment variable holding it)",
                        "policy.yaml:17:5: 'api_key' is not allowed in large-models.cloud: never write an API key into a policy; use api-key-env (the environment variable holding it) or api-key-file (the file holding it, e.g. a mounted secret)");
        assertThat(String.join("\n", errors)).doesNotContain("local-secret", "sk-proj-abc123");
    }

    @Test
    void should_report_wrong_type_when_value_has_another_shape() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  threshold: high
                domains:
                  banking: how do I move money
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: [qwen2.5-1.5b-instruct]
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:14: classifier.threshold must be a number, not a string",
                        "policy.yaml:5:3: domains must be a list, not a mapping",
                        "policy.yaml:10:12: specialists.banking-slm.model must be a string, not a list");
    }

    @Test
    void should_report_missing_field_when_required_field_is_absent() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:5: missing required key 'examples' in domains[0]",
                        "policy.yaml:6:3: missing required key 'base-url' in specialists.banking-slm");
    }

    @Test
    void should_report_missing_specialist_when_domain_refers_to_undefined_one() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: bankng-slm
                    examples:
                      - how do I move money to my savings account
                  - name: cards
                    specialist: cards-slm
                    examples:
                      - I lost my debit card
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:4:17: domain 'banking' refers to specialist 'bankng-slm', which is not under specialists; did you mean 'banking-slm'? (defined: banking-slm)",
                        "policy.yaml:8:17: domain 'cards' refers to specialist 'cards-slm', which is not under specialists (defined: banking-slm)");
    }

    @Test
    void should_report_missing_large_model_when_escalation_refers_to_undefined_one() {
        // given
        String yaml =
                MINIMAL + """
                escalation:
                  large-model: cloud
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:13:16: escalation refers to large model 'cloud', which is not under large-models (none defined)");
    }

    @Test
    void should_report_duplicate_domain_when_two_domains_share_a_name() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - I lost my debit card
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors).containsExactly("policy.yaml:7:11: duplicate domain name 'banking' (first at line 3)");
    }

    @Test
    void should_report_duplicate_key_when_a_mapping_repeats_one() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                    model: qwen2.5-3b-instruct
                  banking-slm:
                    provider: ollama
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:5: duplicate key 'model' in specialists.banking-slm (first at line 11)",
                        "policy.yaml:13:3: duplicate key 'banking-slm' in specialists (first at line 8)");
    }

    @Test
    void should_report_name_clash_when_a_name_is_used_for_two_different_things() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: cards-slm
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                  - name: cloud
                    specialist: cards-slm
                    examples:
                      - I lost my debit card
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                  cards-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                large-models:
                  banking-slm:
                    provider: openai
                    model: gpt-4o-mini
                  cloud:
                    provider: openai
                    model: gpt-4o
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        String why =
                "; domains, specialists and large models need distinct names because callers use them as a request's model";
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:11: domain 'cards-slm' has the name of the specialist at line 16, which is not its own specialist"
                                + why,
                        "policy.yaml:7:11: domain 'cloud' has the name of the large model at line 24" + why,
                        "policy.yaml:21:3: large model 'banking-slm' has the name of the specialist at line 12" + why);
    }

    @Test
    void should_accept_domain_when_it_shares_its_name_with_its_own_specialist() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.domain("banking"))
                .get()
                .extracting(Domain::specialist)
                .isEqualTo("banking");
    }

    @Test
    void should_report_empty_examples_when_domain_has_none() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples: []
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors).containsExactly("policy.yaml:5:15: domains[0].examples must not be empty");
    }

    @Test
    void should_report_threshold_when_outside_zero_to_one() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  threshold: 55
                domains:
                  - name: banking
                    specialist: banking-slm
                    threshold: -0.1
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:14: classifier.threshold must be between 0 and 1, not 55",
                        "policy.yaml:7:16: domains[0].threshold must be between 0 and 1, not -0.1");
    }

    @Test
    void should_report_allowed_values_when_provider_or_embedding_model_is_unknown() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  embedding-model: text-embedding-3-small
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: vllm
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                large-models:
                  cloud:
                    provider: gemini
                    model: gemini-2.0-flash
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:20: classifier.embedding-model is \"text-embedding-3-small\"; allowed: all-minilm-l6-v2-q, bge-small-en-v15-q",
                        "policy.yaml:11:15: specialists.banking-slm.provider is \"vllm\"; allowed: in-process, openai-compatible, ollama",
                        "policy.yaml:16:15: large-models.cloud.provider is \"gemini\"; allowed: openai, anthropic, openai-compatible");
    }

    @Test
    void should_report_bad_duration_when_timeout_is_not_number_and_unit() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: banking-slm
                    examples:
                      - how do I move money to my savings account
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen2.5-1.5b-instruct
                    timeout: 30 seconds
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                    timeout: 0s
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        String allowed =
                " must be a duration above zero: a whole number and a unit, ms, s, m, h or d (500ms, 30s, 2m, 30d)";
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:14: specialists.banking-slm.timeout" + allowed,
                        "policy.yaml:17:14: large-models.cloud.timeout" + allowed);
    }

    @Test
    void should_report_version_when_it_is_not_1() {
        // given
        String yaml = MINIMAL.replace("version: 1", "version: 2");

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors).containsExactly("policy.yaml:1:10: version must be 1, not 2");
    }

    @Test
    void should_report_base_url_when_large_model_is_openai_compatible_without_one() {
        // given
        String yaml = MINIMAL
                + """
                large-models:
                  self-hosted:
                    provider: openai-compatible
                    model: llama-3.3-70b
                    api-key-env: LARGE_KEY
                    api-key-file: /var/run/secrets/key
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:13:3: large-models.self-hosted needs base-url when provider is openai-compatible",
                        "policy.yaml:13:3: large-models.self-hosted sets both api-key-env and api-key-file; keep one");
    }

    @Test
    void should_resolve_defaults_when_no_resilience_block_is_set() {
        // given
        String yaml = MINIMAL
                + """
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        Specialist specialist = policy.specialists().get("banking-slm");
        assertThat(specialist.resilience()).isEqualTo(Resilience.DEFAULTS);
        assertThat(specialist.fallback()).isNull();
        assertThat(policy.largeModels().get("cloud").resilience()).isEqualTo(Resilience.DEFAULTS);
    }

    @Test
    void should_apply_top_level_resilience_to_every_upstream_when_they_set_none() {
        // given
        String yaml = MINIMAL
                + """
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                resilience:
                  circuit-breaker:
                    failure-rate-threshold: 25.5
                    slow-call-rate-threshold: 80
                    slow-call-duration: 10s
                    minimum-calls: 5
                    sliding-window-size: 50
                    wait-in-open: 1m
                    half-open-calls: 1
                  connect-timeout: 2s
                  first-token-timeout: 500ms
                  max-concurrent-calls: 8
                  max-concurrent-failover-calls: 4
                  retry:
                    max-attempts: 3
                    initial-backoff: 100ms
                    multiplier: 1.5
                    jitter: 0
                    max-retry-after: 30s
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        Resilience expected = new Resilience(
                new CircuitBreaker(25.5f, 80, Duration.ofSeconds(10), 5, 50, Duration.ofMinutes(1), 1),
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                8,
                4,
                new Retry(3, Duration.ofMillis(100), 1.5, 0, Duration.ofSeconds(30)));
        assertThat(policy.specialists().get("banking-slm").resilience()).isEqualTo(expected);
        assertThat(policy.largeModels().get("cloud").resilience()).isEqualTo(expected);
    }

    @Test
    void should_merge_field_by_field_when_an_upstream_overrides_some_resilience_fields() {
        // given
        String yaml = MINIMAL
                + """
                    resilience:
                      connect-timeout: 1s
                      circuit-breaker:
                        wait-in-open: 5s
                      retry:
                        max-attempts: 1
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                resilience:
                  max-concurrent-calls: 16
                  circuit-breaker:
                    failure-rate-threshold: 30
                  retry:
                    max-attempts: 4
                    initial-backoff: 1s
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        Resilience defaults = Resilience.DEFAULTS;
        CircuitBreaker policyBreaker = new CircuitBreaker(
                30,
                defaults.circuitBreaker().slowCallRateThreshold(),
                defaults.circuitBreaker().slowCallDuration(),
                defaults.circuitBreaker().minimumCalls(),
                defaults.circuitBreaker().slidingWindowSize(),
                defaults.circuitBreaker().waitInOpen(),
                defaults.circuitBreaker().halfOpenCalls());
        assertThat(policy.largeModels().get("cloud").resilience())
                .isEqualTo(new Resilience(
                        policyBreaker,
                        defaults.connectTimeout(),
                        defaults.firstTokenTimeout(),
                        16,
                        defaults.maxConcurrentFailoverCalls(),
                        new Retry(4, Duration.ofSeconds(1), 2.0, 0.5, Duration.ofSeconds(10))));
        assertThat(policy.specialists().get("banking-slm").resilience())
                .isEqualTo(new Resilience(
                        new CircuitBreaker(30, 100, Duration.ofSeconds(30), 20, 100, Duration.ofSeconds(5), 3),
                        Duration.ofSeconds(1),
                        defaults.firstTokenTimeout(),
                        16,
                        defaults.maxConcurrentFailoverCalls(),
                        new Retry(1, Duration.ofSeconds(1), 2.0, 0.5, Duration.ofSeconds(10))));
    }

    @Test
    void should_read_fallback_chain_when_specialist_and_escalation_name_fallbacks() {
        // given
        String yaml = MINIMAL
                + """
                    fallback: general-slm
                  general-slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:3b
                escalation:
                  large-model: cloud
                  fallbacks: [claude, self-hosted]
                  on-unavailable: fail
                  on-specialist-unavailable: fail
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                  claude:
                    provider: anthropic
                    model: claude-3-5-haiku-latest
                  self-hosted:
                    provider: openai-compatible
                    model: llama-3.3-70b
                    base-url: https://llm.example.com/v1
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.specialists().get("banking-slm").fallback()).isEqualTo("general-slm");
        assertThat(policy.specialists().get("general-slm").fallback()).isNull();
        assertThat(policy.escalation())
                .isEqualTo(new Escalation(
                        "cloud", List.of("claude", "self-hosted"), OnUnavailable.FAIL, OnSpecialistUnavailable.FAIL));
        assertThat(policy.escalation().chain()).containsExactly("cloud", "claude", "self-hosted");
    }

    @Test
    void should_default_the_unavailable_rules_when_escalation_names_no_large_model() {
        // given
        String yaml =
                MINIMAL + """
                escalation:
                  on-unavailable: fail
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.escalation())
                .isEqualTo(new Escalation(null, List.of(), OnUnavailable.FAIL, OnSpecialistUnavailable.ESCALATE));
        assertThat(policy.escalation().chain()).isEmpty();
    }

    @Test
    void should_report_fallback_when_specialist_falls_back_to_itself_or_to_an_unknown_one() {
        // given
        String yaml = MINIMAL
                + """
                    fallback: genral-slm
                  general-slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:3b
                    fallback: general-slm
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:15: specialist 'banking-slm' falls back to specialist 'genral-slm', which is not under specialists; did you mean 'general-slm'? (defined: banking-slm, general-slm)",
                        "policy.yaml:17:15: specialist 'general-slm' falls back to itself; name another specialist or remove fallback");
    }

    @Test
    void should_report_cycle_once_when_specialist_fallbacks_loop() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: a
                    examples:
                      - how do I move money to my savings account
                specialists:
                  a: {provider: ollama, base-url: http://localhost:11434, model: m, fallback: b}
                  b: {provider: ollama, base-url: http://localhost:11434, model: m, fallback: c}
                  c: {provider: ollama, base-url: http://localhost:11434, model: m, fallback: a}
                  d: {provider: ollama, base-url: http://localhost:11434, model: m, fallback: a}
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:8:79: specialists fall back in a cycle: a -> b -> c -> a; the last in a chain must have no fallback");
    }

    @Test
    void should_report_escalation_fallbacks_when_they_repeat_or_name_no_large_model() {
        // given
        String yaml = MINIMAL
                + """
                escalation:
                  large-model: cloud
                  fallbacks:
                    - cloud
                    - claude
                    - clade
                    - claude
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                  claude:
                    provider: anthropic
                    model: claude-3-5-haiku-latest
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:15:7: escalation.fallbacks[0] repeats escalation.large-model 'cloud'; list only the models tried after it",
                        "policy.yaml:17:7: escalation.fallbacks[2] refers to large model 'clade', which is not under large-models; did you mean 'claude'? (defined: cloud, claude)",
                        "policy.yaml:18:7: duplicate large model 'claude' in escalation.fallbacks (first at line 16)");
    }

    @Test
    void should_report_fallbacks_when_escalation_has_no_large_model() {
        // given
        String yaml = MINIMAL
                + """
                escalation:
                  fallbacks: [cloud]
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:13:3: escalation.fallbacks needs escalation.large-model: fallbacks are tried after it");
    }

    @Test
    void should_report_window_where_it_is_set_when_merged_window_is_smaller_than_minimum_calls() {
        // given
        String yaml = MINIMAL
                + """
                    resilience:
                      circuit-breaker:
                        sliding-window-size: 25
                resilience:
                  circuit-breaker:
                    minimum-calls: 130
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                    resilience:
                      circuit-breaker:
                        minimum-calls: 5
                        sliding-window-size: 5
                  backup:
                    provider: openai
                    model: gpt-4o
                    resilience:
                      circuit-breaker:
                        minimum-calls: 50
                        sliding-window-size: 40
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        String why = "; the window must hold at least minimum-calls calls";
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:14:30: specialists.banking-slm.resilience.circuit-breaker.sliding-window-size is 25, less than minimum-calls 130 (line 17)"
                                + why,
                        "policy.yaml:17:20: resilience.circuit-breaker.minimum-calls is 130, more than sliding-window-size 100 (the default)"
                                + why,
                        "policy.yaml:32:30: large-models.backup.resilience.circuit-breaker.sliding-window-size is 40, less than minimum-calls 50 (line 31)"
                                + why);
    }

    @Test
    void should_report_bounds_when_resilience_values_are_out_of_range() {
        // given
        String yaml = MINIMAL
                + """
                resilience:
                  circuit-breaker:
                    failure-rate-threshold: 0
                    slow-call-rate-threshold: 101
                    half-open-calls: 0
                  max-concurrent-calls: 0
                  connect-timeout: 0s
                  retry:
                    max-attempts: 11
                    multiplier: 0.5
                    jitter: 1
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:14:29: resilience.circuit-breaker.failure-rate-threshold must be above 0 and at most 100, not 0",
                        "policy.yaml:15:31: resilience.circuit-breaker.slow-call-rate-threshold must be above 0 and at most 100, not 101",
                        "policy.yaml:16:22: resilience.circuit-breaker.half-open-calls must be between 1 and 10000, not 0",
                        "policy.yaml:17:25: resilience.max-concurrent-calls must be between 1 and 10000, not 0",
                        "policy.yaml:18:20: resilience.connect-timeout must be a duration above zero: a whole number and a unit, ms, s, m, h or d (500ms, 30s, 2m, 30d)",
                        "policy.yaml:20:19: resilience.retry.max-attempts must be between 1 and 10, not 11",
                        "policy.yaml:21:17: resilience.retry.multiplier must be at least 1, not 0.5",
                        "policy.yaml:22:13: resilience.retry.jitter must be at least 0 and below 1, not 1");
    }

    @Test
    void should_suggest_closest_key_when_resilience_key_is_misspelt() {
        // given
        String yaml = MINIMAL
                + """
                resilience:
                  circuit-breaker: {failure-rate: 3}
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                    resilience:
                      rety:
                        max-attempts: 1
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:13:21: unknown key 'failure-rate' in resilience.circuit-breaker; did you mean 'failure-rate-threshold'? (allowed: failure-rate-threshold, slow-call-rate-threshold, slow-call-duration, minimum-calls, sliding-window-size, wait-in-open, half-open-calls)",
                        "policy.yaml:19:7: unknown key 'rety' in large-models.cloud.resilience; did you mean 'retry'? (allowed: circuit-breaker, connect-timeout, first-token-timeout, max-concurrent-calls, max-concurrent-failover-calls, retry)");
    }

    @Test
    void should_keep_data_free_to_leave_and_capture_nothing_when_residency_privacy_and_capture_are_absent() {
        // when
        Policy policy = PolicyLoader.parse("policy.yaml", MINIMAL, ENVIRONMENT::get);

        // then
        assertThat(policy.residency()).isEqualTo(Residency.ANY);
        assertThat(policy.privacy()).isEqualTo(Privacy.DEFAULTS);
        assertThat(policy.privacy().pii()).hasSize(PiiType.values().length);
        assertThat(policy.privacy().pii().values()).containsOnly(PiiAction.MASK);
        assertThat(policy.privacy().custom()).isEmpty();
        assertThat(policy.capture()).isNull();
        Domain banking = policy.domains().get(0);
        assertThat(banking.residency()).isEqualTo(Residency.ANY);
        assertThat(banking.residencyThreshold()).isNull();
        assertThat(banking.capture()).isFalse();
        assertThat(policy.specialists().get("banking-slm").residency()).isEqualTo(Residency.ANY);
    }

    @Test
    void should_read_residency_privacy_and_capture_when_policy_sets_them_all() {
        // given
        String yaml =
                """
                version: 1
                residency: local-only
                privacy:
                  pii:
                    email: allow
                    phone: keep-local
                    payment-card: mask
                    iban: allow
                    us-ssn: keep-local
                    ip-address: allow
                    custom:
                      - {name: patient-id, pattern: 'PID-[0-9]{6}', action: keep-local}
                      - {name: ward, pattern: 'WARD-[A-Z]'}
                capture:
                  directory: /var/lib/hybrid-router/capture
                  max-file-size: 512KB
                  retention: 12h
                  queue-size: 50
                domains:
                  - name: patient-notes
                    specialist: notes-slm
                    residency: local-only
                    residency-threshold: 0.3
                    capture: true
                    examples:
                      - summarise the notes of my last visit
                specialists:
                  notes-slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:3b
                    residency: local-only
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.residency()).isEqualTo(Residency.LOCAL_ONLY);
        assertThat(policy.privacy())
                .isEqualTo(new Privacy(
                        Map.of(
                                PiiType.EMAIL, PiiAction.ALLOW,
                                PiiType.PHONE, PiiAction.KEEP_LOCAL,
                                PiiType.PAYMENT_CARD, PiiAction.MASK,
                                PiiType.IBAN, PiiAction.ALLOW,
                                PiiType.US_SSN, PiiAction.KEEP_LOCAL,
                                PiiType.IP_ADDRESS, PiiAction.ALLOW),
                        List.of(
                                new CustomPii("patient-id", "PID-[0-9]{6}", PiiAction.KEEP_LOCAL),
                                new CustomPii("ward", "WARD-[A-Z]", PiiAction.MASK))));
        assertThat(policy.capture())
                .isEqualTo(new Capture("/var/lib/hybrid-router/capture", 512 * 1024, Duration.ofHours(12), 50));
        assertThat(policy.domains())
                .containsExactly(new Domain(
                        "patient-notes",
                        "",
                        "notes-slm",
                        null,
                        List.of("summarise the notes of my last visit"),
                        Residency.LOCAL_ONLY,
                        0.3,
                        true));
        assertThat(policy.specialists().get("notes-slm").residency()).isEqualTo(Residency.LOCAL_ONLY);
    }

    @Test
    void should_override_only_the_named_detectors_when_pii_names_some() {
        // given
        String yaml = MINIMAL
                + """
                privacy:
                  pii:
                    ip-address: allow
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.privacy().pii())
                .containsEntry(PiiType.IP_ADDRESS, PiiAction.ALLOW)
                .containsEntry(PiiType.EMAIL, PiiAction.MASK)
                .containsEntry(PiiType.PAYMENT_CARD, PiiAction.MASK)
                .hasSize(PiiType.values().length);
        assertThat(policy.privacy().custom()).isEmpty();
    }

    @Test
    void should_default_residency_threshold_to_routing_threshold_less_margin_when_local_only_domain_sets_none() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  threshold: 0.6
                domains:
                  - {name: notes, specialist: s, residency: local-only, examples: [a]}
                  - {name: labs, specialist: s, residency: local-only, threshold: 0.75, examples: [b]}
                  - {name: scans, specialist: s, residency: local-only, threshold: 0.1, examples: [c]}
                  - {name: billing, specialist: s, residency: any, threshold: 0.7, examples: [d]}
                specialists:
                  s: {provider: ollama, base-url: http://localhost:11434, model: m}
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.domains())
                .extracting(Domain::name, Domain::residencyThreshold)
                .containsExactly(tuple("notes", 0.4), tuple("labs", 0.55), tuple("scans", 0.0), tuple("billing", null));
    }

    @Test
    void should_default_capture_settings_when_capture_gives_only_a_directory() {
        // given
        String yaml =
                MINIMAL + """
                capture:
                  directory: /tmp/capture
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.capture())
                .isEqualTo(new Capture("/tmp/capture", 64L * 1024 * 1024, Duration.ofDays(30), 1000));
    }

    @ParameterizedTest
    @CsvSource({"1B, 1", "512KB, 524288", "64MB, 67108864", "2GB, 2147483648"})
    void should_count_1024_based_bytes_when_max_file_size_has_a_unit(String size, long bytes) {
        // given
        String yaml = MINIMAL
                + """
                capture:
                  directory: /tmp/capture
                  max-file-size: %s
                """
                        .formatted(size);

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.capture().maxFileBytes()).isEqualTo(bytes);
    }

    @Test
    void should_accept_capture_when_whole_policy_is_local_only() {
        // given
        String yaml = MINIMAL
                + """
                residency: local-only
                capture:
                  directory: /tmp/capture
                  retention: 7d
                """;

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.residency()).isEqualTo(Residency.LOCAL_ONLY);
        assertThat(policy.capture().retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void should_report_residency_threshold_when_domain_is_not_local_only_or_threshold_is_above_routing_threshold() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  threshold: 0.5
                domains:
                  - name: notes
                    specialist: notes-slm
                    residency: any
                    residency-threshold: 0.3
                    examples:
                      - summarise my notes
                  - name: labs
                    specialist: notes-slm
                    residency: local-only
                    residency-threshold: 0.6
                    examples:
                      - explain my blood test
                  - name: scans
                    specialist: notes-slm
                    residency: local-only
                    threshold: 0.7
                    residency-threshold: 0.8
                    examples:
                      - explain my scan
                  - name: letters
                    specialist: notes-slm
                    residency: local-only
                    residency-threshold: 0.5
                    examples:
                      - read my referral letter
                specialists:
                  notes-slm:
                    provider: ollama
                    base-url: http://localhost:11434
                    model: llama3.2:3b
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        String why = "; it must be at most the routing threshold, so that privacy errs toward keeping requests local";
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:8:5: domain 'notes' sets residency-threshold without residency: local-only; only a local-only domain keeps requests local by their score",
                        "policy.yaml:14:26: domains[1].residency-threshold is 0.6, above the routing threshold 0.5 (line 3)"
                                + why,
                        "policy.yaml:21:26: domains[2].residency-threshold is 0.8, above the routing threshold 0.7 (line 20)"
                                + why);
    }

    @Test
    void should_report_residency_threshold_when_above_the_default_routing_threshold() {
        // given
        String yaml = MINIMAL.replace(
                "    specialist: banking-slm\n",
                "    specialist: banking-slm\n    residency: local-only\n    residency-threshold: 0.6\n");

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:6:26: domains[0].residency-threshold is 0.6, above the routing threshold 0.55 (the default); it must be at most the routing threshold, so that privacy errs toward keeping requests local");
    }

    @Test
    void should_report_custom_detector_name_when_it_is_malformed_repeated_or_built_in() {
        // given
        String yaml = MINIMAL
                + """
                privacy:
                  pii:
                    custom:
                      - {name: email, pattern: 'mail:\\S+'}
                      - {name: patient-id, pattern: 'PID-[0-9]{6}'}
                      - {name: patient-id, pattern: 'PAT-[0-9]{6}'}
                      - {name: Ward_No, pattern: 'W[0-9]+'}
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:15:16: custom detector 'email' has the name of a built-in detector; set its action with privacy.pii.email, or give this one another name",
                        "policy.yaml:17:16: duplicate custom detector name 'patient-id' (first at line 16)",
                        "policy.yaml:18:16: privacy.pii.custom[3].name must be a lower-case letter followed by lower-case letters, digits and - (e.g. patient-id)");
    }

    @Test
    void should_report_custom_detector_pattern_when_it_does_not_compile_or_matches_the_empty_string() {
        // given
        String yaml = MINIMAL
                + """
                privacy:
                  pii:
                    custom:
                      - name: ward
                        pattern: 'WARD-([0-9]'
                      - name: bed
                        pattern: '[0-9]*'
                      - name: room
                        pattern: ''
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:16:18: privacy.pii.custom[0].pattern is not a valid Java regular expression: Unclosed group at index 11",
                        "policy.yaml:18:18: privacy.pii.custom[1].pattern matches the empty string; a detector must match at least one character",
                        "policy.yaml:20:18: privacy.pii.custom[2].pattern matches the empty string; a detector must match at least one character");
    }

    @Test
    void should_report_domain_capture_when_policy_has_no_capture_block() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - {name: payments, specialist: s, capture: true, examples: [a]}
                  - {name: cards, specialist: s, capture: false, examples: [b]}
                specialists:
                  s: {provider: ollama, base-url: http://localhost:11434, model: m}
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:3:46: domain 'payments' sets capture: true, but the policy has no top-level capture block saying where to write; add one with a directory");
    }

    @Test
    void should_report_capture_settings_when_directory_is_missing_or_values_are_out_of_range() {
        // given
        String yaml = MINIMAL
                + """
                capture:
                  max-file-size: 64 MB
                  retention: 1w
                  queue-size: 0
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:1: missing required key 'directory' in capture",
                        "policy.yaml:13:18: capture.max-file-size must be a size above zero: a whole number and a unit, B, KB, MB or GB (512KB, 64MB, 1GB)",
                        "policy.yaml:14:14: capture.retention must be a duration above zero: a whole number and a unit, ms, s, m, h or d (500ms, 30s, 2m, 30d)",
                        "policy.yaml:15:15: capture.queue-size must be between 1 and 1000000, not 0");
    }

    @Test
    void should_report_allowed_values_when_residency_detector_or_action_is_unknown() {
        // given
        String yaml = MINIMAL
                + """
                    residency: cloud
                residency: local
                privacy:
                  pii:
                    emial: mask
                    phone: redact
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml:12:16: specialists.banking-slm.residency is \"cloud\"; allowed: any, local-only",
                        "policy.yaml:13:12: residency is \"local\"; allowed: any, local-only",
                        "policy.yaml:16:5: unknown key 'emial' in privacy.pii; did you mean 'email'? (allowed: email, phone, payment-card, iban, us-ssn, ip-address, custom)",
                        "policy.yaml:17:12: privacy.pii.phone is \"redact\"; allowed: allow, mask, keep-local");
    }

    @Test
    void should_report_position_when_yaml_is_malformed() {
        // given
        String yaml =
                """
                version: 1
                domains:
                  - name: banking
                    specialist: "banking-slm
                specialists: {}
                """;

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .singleElement()
                .asString()
                .startsWith("policy.yaml:6:1: malformed YAML: found unexpected end of stream");
    }

    @Test
    void should_report_source_when_it_holds_no_document() {
        // given
        String yaml = "# nothing here yet\n";

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors)
                .containsExactly(
                        "policy.yaml: holds no YAML document; a policy needs at least version, domains and specialists");
    }

    @Test
    void should_report_every_error_at_once_when_policy_has_several() {
        // given
        String yaml =
                """
                version: 1
                classifier:
                  embedding-model: minilm
                domains:
                  - name: banking
                    specialist: banking-llm
                    threshold: 1.5
                    examples: []
                specialists:
                  banking-slm:
                    provider: openai-compatible
                    base-url: ${LLM_URL}
                    model: qwen2.5-1.5b-instruct
                    api-key: sk-123
                    timeout: soon
                escalation:
                  large-model: cloud
                """;

        // when
        PolicyException error = catchThrowableOfType(
                PolicyException.class, () -> PolicyLoader.parse("bank.yaml", yaml, ENVIRONMENT::get));

        // then
        assertThat(error.errors())
                .extracting(PolicyError::line, PolicyError::column)
                .containsExactly(
                        tuple(3, 20),
                        tuple(6, 17),
                        tuple(7, 16),
                        tuple(8, 15),
                        tuple(12, 15),
                        tuple(14, 5),
                        tuple(15, 14),
                        tuple(17, 16));
        assertThat(error.getMessage())
                .isEqualTo(
                        """
                        bank.yaml:3:20: classifier.embedding-model is "minilm"; allowed: all-minilm-l6-v2-q, bge-small-en-v15-q
                        bank.yaml:6:17: domain 'banking' refers to specialist 'banking-llm', which is not under specialists; did you mean 'banking-slm'? (defined: banking-slm)
                        bank.yaml:7:16: domains[0].threshold must be between 0 and 1, not 1.5
                        bank.yaml:8:15: domains[0].examples must not be empty
                        bank.yaml:12:15: environment variable LLM_URL is not set; set it, or give a default with ${LLM_URL:-default}
                        bank.yaml:14:5: 'api-key' is not allowed in specialists.banking-slm: never write an API key into a policy; use api-key-env (the environment variable holding it)
                        bank.yaml:15:14: specialists.banking-slm.timeout must be a duration above zero: a whole number and a unit, ms, s, m, h or d (500ms, 30s, 2m, 30d)
                        bank.yaml:17:16: escalation refers to large model 'cloud', which is not under large-models (none defined)""");
    }

    @Test
    void should_read_the_out_of_scope_examples_when_the_classifier_lists_some() {
        // given
        String yaml = MINIMAL.replace(
                "version: 1\n",
                "version: 1\nclassifier:\n  out-of-scope-examples: [what is the weather in Paris, tell me a joke]\n");

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get);

        // then
        assertThat(policy.classifier().outOfScopeExamples())
                .containsExactly("what is the weather in Paris", "tell me a joke");
        assertThat(PolicyLoader.parse("policy.yaml", MINIMAL, ENVIRONMENT::get)
                        .classifier()
                        .outOfScopeExamples())
                .isEmpty();
        assertThat(errors(yaml.replace("tell me a joke", "\"\"")))
                .singleElement()
                .asString()
                .contains("classifier.out-of-scope-examples[1]");
    }

    @Test
    void should_read_an_in_process_specialist_with_its_defaults_filled_in() {
        // given
        String yaml = IN_PROCESS.formatted(
                """
                    model-url: https://models.example.com/qwen/qwen2.5-0.5b-instruct-q4_k_m.gguf
                    model-sha256: 74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db
                    context-size: 2048
                    threads: 2
                    lora: /models/helpdesk-lora.gguf
                """);

        // when
        Policy.Specialist specialist = PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get)
                .specialists()
                .get("slm");

        // then
        assertThat(specialist.provider()).isEqualTo(Policy.SpecialistProvider.IN_PROCESS);
        assertThat(specialist.baseUrl()).isNull();
        assertThat(specialist.inProcess())
                .isEqualTo(new Policy.InProcess(
                        null,
                        "https://models.example.com/qwen/qwen2.5-0.5b-instruct-q4_k_m.gguf",
                        "74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db",
                        2048,
                        2,
                        1,
                        16,
                        "/models/helpdesk-lora.gguf",
                        Policy.Load.EAGER));
    }

    @Test
    void should_give_a_model_servers_specialist_no_in_process_settings() {
        // when
        Policy policy = PolicyLoader.parse("policy.yaml", MINIMAL, ENVIRONMENT::get);

        // then
        assertThat(policy.specialists().get("banking-slm").inProcess()).isNull();
    }

    @Test
    void should_refuse_in_process_settings_that_do_not_fit_together() {
        // given
        String both = IN_PROCESS.formatted(
                """
                    model-path: /models/a.gguf
                    model-url: https://models.example.com/a.gguf
                    model-sha256: 74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db
                """);
        String noChecksum = IN_PROCESS.formatted(
                """
                    model-url: https://models.example.com/a.gguf
                """);
        String server = IN_PROCESS.formatted(
                """
                    model-path: /models/a.gguf
                    base-url: http://localhost:8000/v1
                """);
        String remoteWithFile = MINIMAL.replace(
                "    model: qwen2.5-1.5b-instruct\n",
                "    model: qwen2.5-1.5b-instruct\n    model-path: /models/a.gguf\n");

        // when, then
        assertThat(errors(both))
                .containsExactly(
                        "policy.yaml:8:3: specialists.slm needs model-path or model-url (with model-sha256), not both");
        assertThat(errors(noChecksum))
                .containsExactly("policy.yaml:8:3: specialists.slm needs model-sha256 with model-url");
        assertThat(errors(server))
                .containsExactly(
                        "policy.yaml:8:3: specialists.slm sets base-url or api-key-env, which are for a model server; an in-process specialist runs model-path or model-url");
        assertThat(errors(remoteWithFile))
                .singleElement()
                .asString()
                .contains("sets a field of provider in-process (model-path,");
    }

    @Test
    void should_fill_in_learnings_defaults_and_take_the_escalation_model_as_teacher() {
        // given
        String yaml = learning("learning: {directory: /var/lib/labels}");

        // when
        Policy.Learning learning =
                PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get).learning();

        // then
        assertThat(learning)
                .isEqualTo(new Policy.Learning(
                        "/var/lib/labels",
                        Policy.LearningMode.REVIEW,
                        "cloud",
                        1.0,
                        1000,
                        Duration.ofSeconds(30),
                        100,
                        64L << 20,
                        Duration.ofDays(90),
                        new Policy.Automatic(1, true, 1000, 0.2, 20, 50)));
        assertThat(learning.learnedFile("shop")).isEqualTo(Path.of("/var/lib/labels/shop.learned.yaml"));
    }

    @Test
    void should_reject_learning_without_a_teacher_or_with_one_that_is_not_a_large_model_or_in_a_local_only_policy() {
        // given
        String noTeacher = learning("learning: {directory: /l}").replace("escalation: {large-model: cloud}\n", "");
        String unknown = learning("learning: {directory: /l, teacher: clod}");
        String localOnly = learning("learning: {directory: /l}\nresidency: local-only");

        // when, then
        assertThat(errors(noTeacher))
                .containsExactly("policy.yaml:15:1: learning needs a teacher: set learning.teacher, or"
                        + " escalation.large-model, to a large model");
        assertThat(errors(unknown))
                .singleElement()
                .asString()
                .startsWith("policy.yaml:16:36: learning.teacher refers to large model 'clod', which is not under"
                        + " large-models; did you mean 'cloud'?");
        assertThat(errors(localOnly))
                .containsExactly("policy.yaml:16:1: learning labels escalated requests, and a local-only policy never"
                        + " escalates; remove the block");
    }

    /** A valid policy with a large model and these lines at the end. */
    private static String learning(String lines) {
        return """
                version: 1
                domains:
                  - name: orders
                    specialist: slm
                    examples: [where is my parcel]
                specialists:
                  slm:
                    provider: openai-compatible
                    base-url: http://localhost:8000/v1
                    model: qwen
                large-models:
                  cloud:
                    provider: openai
                    model: gpt-4o-mini
                escalation: {large-model: cloud}
                """
                + lines
                + "\n";
    }

    private static List<String> errors(String yaml) {
        PolicyException error = catchThrowableOfType(
                PolicyException.class, () -> PolicyLoader.parse("policy.yaml", yaml, ENVIRONMENT::get));
        assertThat(error).as("expected the policy to be rejected").isNotNull();
        return error.errors().stream().map(PolicyError::toString).toList();
    }
}
