package dev.hybridrouter.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.LearnedExamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code review} and {@code promote} on label files written as the router writes them. */
class LearningCommandsTest {

    @TempDir
    Path dir;

    private Path policy;
    private Path labels;

    @BeforeEach
    void files() throws IOException {
        labels = dir.resolve("labels");
        policy = Files.writeString(
                dir.resolve("shop.yaml"),
                """
                version: 1
                domains:
                  - name: billing
                    specialist: slm
                    examples: [why was I charged twice]
                  - name: shipping
                    specialist: slm
                    examples: [where is my parcel]
                specialists:
                  slm: {provider: openai-compatible, base-url: 'http://localhost:8000/v1', model: qwen}
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                escalation: {large-model: cloud}
                learning: {directory: %s}
                """
                        .formatted(labels));
        Files.createDirectories(labels);
        Files.writeString(
                labels.resolve("labels-20261201T000000Z-1.jsonl"),
                String.join(
                                "\n",
                                label("refund the double charge", "billing"),
                                label("refund the double charge", "billing"),
                                label("my box is late and wrongly billed", "shipping"),
                                label("my box is late and wrongly billed", "billing"),
                                label("what is the capital of Peru", "none"),
                                label("why was I charged twice", "billing"),
                                "{not a label",
                                label("another tenant's text", "billing").replace("\"shop\"", "\"other\""))
                        + "\n");
    }

    @Test
    void should_list_the_new_texts_whose_labels_agree_with_counts_and_the_classifiers_guess() {
        // when
        CommandRun run = CommandRun.of("review", "--policy", policy.toString());
        CommandRun lenient = CommandRun.of("review", "--policy", policy.toString(), "--min-agreement", "0.5");

        // then
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Policy 'shop': 6 labels, 2 new texts proposed")
                .containsPattern("billing +2 +100%  shipping +refund the double charge")
                .containsPattern("none +1 +100%  shipping +what is the capital of Peru")
                .doesNotContain("my box is late", "why was I charged twice", "another tenant");
        assertThat(run.err()).contains("labels-20261201T000000Z-1.jsonl:7: skipped: not a label");
        assertThat(lenient.out()).containsPattern("shipping +2 +50%  shipping +my box is late and wrongly billed");
    }

    @Test
    void should_promote_into_the_learned_file_only_what_is_new_and_write_nothing_on_a_dry_run() {
        // when
        CommandRun dry = CommandRun.of("promote", "--policy", policy.toString(), "--dry-run");
        boolean writtenByDryRun = Files.exists(labels.resolve("shop.learned.yaml"));
        CommandRun promoted = CommandRun.of("promote", "--policy", policy.toString());
        CommandRun again = CommandRun.of("promote", "--policy", policy.toString());

        // then
        assertThat(dry.out()).contains("Would add 2 texts");
        assertThat(writtenByDryRun).isFalse();
        assertThat(promoted.exitCode()).isZero();
        assertThat(promoted.out()).contains("billing", "+1 examples", "+1 out-of-scope examples", "Added 2 texts");
        LearnedExamples learned =
                LearnedExamples.read(labels.resolve("shop.learned.yaml"), List.of("billing", "shipping"));
        assertThat(learned.examples("billing")).containsExactly("refund the double charge");
        assertThat(learned.outOfScopeExamples()).containsExactly("what is the capital of Peru");
        assertThat(again.out()).contains("Nothing to promote");
    }

    @Test
    void should_refuse_a_policy_that_does_not_learn() throws IOException {
        // given
        Files.writeString(policy, Files.readString(policy).replaceAll("learning: .*\n", ""));

        // when
        CommandRun run = CommandRun.of("review", "--policy", policy.toString());

        // then
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Policy 'shop' has no learning block");
    }

    private static String label(String text, String label) {
        return """
                {"time":"2026-12-01T00:00:00Z","policy":"shop","text":"%s","guess":"shipping","confidence":0.4,\
                "runnerUp":"billing","reason":"low-confidence","label":"%s","teacher":"cloud"}"""
                .formatted(text, label);
    }
}
