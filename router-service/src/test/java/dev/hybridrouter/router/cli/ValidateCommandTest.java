package dev.hybridrouter.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

    private static final String VALID =
            """
            version: 1
            domains:
              - name: billing
                specialist: slm
                examples: [why was I charged twice]
            specialists:
              slm:
                provider: ollama
                base-url: http://localhost:11434
                model: llama3.2:1b
            """;

    @TempDir
    Path dir;

    @Test
    void should_exit_0_and_summarise_when_the_policy_is_valid() throws IOException {
        Path file = Files.writeString(dir.resolve("shop.yaml"), VALID);

        CommandRun run = CommandRun.of("validate", "--policy", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("valid: policy 'shop' (1 domains, 1 specialists, 0 large models)");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void should_exit_1_with_every_error_as_file_line_column_when_the_policy_is_invalid() throws IOException {
        Path file = Files.writeString(
                dir.resolve("shop.yaml"),
                VALID.replace("specialist: slm", "specialist: nobody")
                        .replace("provider: ollama", "provider: ollama\n    temperature: 2"));

        CommandRun run = CommandRun.of("validate", "--policy", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(file + ":4:17:").contains("nobody");
        assertThat(run.err()).contains(file + ":9:5:").contains("temperature");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void should_validate_every_file_when_given_a_directory() throws IOException {
        Files.writeString(dir.resolve("default.yaml"), VALID);
        Files.writeString(dir.resolve("other.yaml"), VALID);

        CommandRun run = CommandRun.of("validate", "--policy", dir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("policy 'default'").contains("policy 'other'");
    }

    @Test
    void should_exit_2_with_usage_when_the_policy_option_is_missing() {
        CommandRun run = CommandRun.of("validate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("Missing required option: '--policy=PATH'")
                .contains("Usage:");
    }

    @Test
    void should_list_the_commands_when_asked_for_help() {
        CommandRun run = CommandRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("validate").contains("Without a command, starts the service");
        assertThat(RouterCommand.isCommand(new String[] {"validate"})).isTrue();
        assertThat(RouterCommand.isCommand(new String[] {"--server.port=9090"})).isFalse();
        assertThat(RouterCommand.isCommand(new String[0])).isFalse();
    }
}
