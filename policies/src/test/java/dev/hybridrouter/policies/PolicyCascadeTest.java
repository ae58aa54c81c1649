package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybridrouter.policies.Policy.Cascade;
import dev.hybridrouter.policies.Policy.CascadeStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A domain's {@code cascade} block: read with its defaults, and refused where it could not work. */
class PolicyCascadeTest {

    /** Two domains on a model server, a large model; {@code %s} takes the first domain's extra lines. */
    private static final String POLICY =
            """
            version: 1
            classifier:
              threshold: 0.6
            domains:
              - name: billing
                specialist: billing-slm
                examples: [why was I charged twice]
            %s
              - name: notes
                specialist: notes-slm
                examples: [summarise my notes]
            specialists:
              billing-slm:
                provider: openai-compatible
                base-url: http://localhost:8000/v1
                model: qwen2.5-1.5b-instruct
              notes-slm:
                provider: in-process
                model-path: /models/notes.gguf
            escalation:
              large-model: cloud
            large-models:
              cloud:
                provider: openai
                model: gpt-4o-mini
            """;

    @Test
    void should_read_a_cascade_with_its_defaults_when_only_the_band_is_given() {
        // given
        String yaml = POLICY.formatted("    cascade: {band: [0.25, 0.6]}");

        // when
        Policy policy = PolicyLoader.parse("policy.yaml", yaml, name -> null);

        // then
        Cascade cascade = policy.domain("billing").orElseThrow().cascade();
        assertThat(cascade).isEqualTo(new Cascade(List.of(0.25, 0.6), 0.3, CascadeStream.PREFIX, 32));
        assertThat(cascade.covers(0.25)).isTrue();
        assertThat(cascade.covers(0.5999)).isTrue();
        assertThat(cascade.covers(0.6)).isFalse();
        assertThat(cascade.covers(0.2499)).isFalse();
        assertThat(policy.domain("notes").orElseThrow().cascade()).isNull();
    }

    @Test
    void should_read_every_cascade_field_when_the_policy_sets_them_all() {
        // given
        String yaml = POLICY.formatted(
                """
                    cascade:
                      band: [0.3, 0.5]
                      min-score: 0.42
                      stream: skip
                      prefix-tokens: 8\
                """);

        // when
        Cascade cascade = PolicyLoader.parse("policy.yaml", yaml, name -> null)
                .domain("billing")
                .orElseThrow()
                .cascade();

        // then
        assertThat(cascade).isEqualTo(new Cascade(List.of(0.3, 0.5), 0.42, CascadeStream.SKIP, 8));
    }

    @Test
    void should_report_with_file_and_line_a_band_that_is_reversed_or_ends_above_the_routing_threshold() {
        // given
        String reversed = POLICY.formatted("    cascade: {band: [0.5, 0.3]}");
        String tooHigh = POLICY.formatted("    threshold: 0.5\n    cascade: {band: [0.2, 0.55]}");

        // when, then
        assertThat(errors(reversed))
                .containsExactly("policy.yaml:8:21: domains[0].cascade.band is [0.5, 0.3]; its low end must be below"
                        + " its high end");
        assertThat(errors(tooHigh))
                .containsExactly("policy.yaml:9:27: domains[0].cascade.band ends at 0.55, above the routing threshold"
                        + " 0.5 (line 8); requests at or above the routing threshold stay local without a cascade, so"
                        + " the band must end at most there");
    }

    @Test
    void should_report_a_cascade_whose_specialist_runs_in_process_or_that_has_no_large_model() {
        // given
        String inProcess = POLICY.replace(
                        "    examples: [summarise my notes]",
                        "    examples: [summarise my notes]\n    cascade: {band: [0.3, 0.6]}")
                .formatted("");
        String noLargeModel =
                POLICY.formatted("    cascade: {band: [0.3, 0.6]}").replace("escalation:\n  large-model: cloud\n", "");

        // when, then
        assertThat(errors(inProcess))
                .containsExactly("policy.yaml:12:5: domain 'notes' has a cascade, but its specialist 'notes-slm' runs"
                        + " in process, which cannot return the token log-probabilities a cascade scores answers by"
                        + " (see docs/in-process.md); serve it from a model server (openai-compatible or ollama), or"
                        + " remove cascade");
        assertThat(errors(noLargeModel))
                .containsExactly("policy.yaml:8:5: domain 'billing' has a cascade, but the policy has no"
                        + " escalation.large-model to take the answers it rejects; add one, or remove cascade");
    }

    @Test
    void should_report_a_cascade_without_a_band_or_with_an_unknown_stream_mode() {
        // given
        String yaml = POLICY.formatted("    cascade: {stream: always}");

        // when
        List<String> errors = errors(yaml);

        // then
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0) + errors.get(1)).contains("band", "stream", "prefix, skip");
        assertThat(errors).allMatch(error -> error.startsWith("policy.yaml:8:"));
    }

    private static List<String> errors(String yaml) {
        PolicyException error = catchThrowableOfType(
                PolicyException.class, () -> PolicyLoader.parse("policy.yaml", yaml, name -> null));
        assertThat(error).as("expected the policy to be rejected").isNotNull();
        return error.errors().stream().map(PolicyError::toString).toList();
    }
}
