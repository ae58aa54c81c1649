package dev.hybridrouter.router.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.router.cli.RouterCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ExportCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private Path capture;
    private Path out;
    private Path first;
    private Path second;

    @BeforeEach
    void captureFiles() throws IOException {
        capture = Files.createDirectories(dir.resolve("capture"));
        out = dir.resolve("out");
        second = Files.writeString(
                capture.resolve("capture-20250601T130000Z-1.jsonl"),
                line("orders", "Cancel order 42", "Cancelled; a receipt goes to <EMAIL_1>.")
                        + "{\"domain\":\"orders\",\"messages\":[{\"role\":\"user\",\"con\n"
                        + "\n"
                        + "{\"domain\":\"orders\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}\n");
        first = Files.writeString(
                capture.resolve("capture-20250601T120000Z-1.jsonl"),
                line("orders", "Where is order 41?", "It ships today.")
                        + line("billing", "Why two charges?", "One is a pending hold."));
        Files.writeString(capture.resolve("notes.txt"), "not a capture file\n");
    }

    @Test
    void should_write_one_fine_tuning_file_per_domain_without_system_messages_when_exporting() throws IOException {
        Run run = export("--capture", capture.toString(), "--out", out.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(out.resolve("orders.jsonl")))
                .isEqualTo(
                        """
                        {"messages":[{"role":"user","content":"Where is order 41?"},{"role":"assistant","content":"It ships today."}]}
                        {"messages":[{"role":"user","content":"Cancel order 42"},{"role":"assistant","content":"Cancelled; a receipt goes to <EMAIL_1>."}]}
                        """);
        assertThat(Files.readString(out.resolve("billing.jsonl")))
                .isEqualTo(
                        """
                        {"messages":[{"role":"user","content":"Why two charges?"},{"role":"assistant","content":"One is a pending hold."}]}
                        """);
        assertThat(run.out())
                .isEqualTo(
                        """
                        domain   examples
                        billing         1
                        orders          2
                        total           3
                        """);
    }

    @Test
    void should_report_file_and_line_and_go_on_when_a_line_is_malformed() {
        Run run = export("--capture", capture.toString(), "--out", out.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err().lines())
                .hasSize(2)
                .satisfiesExactly(
                        truncated -> assertThat(truncated).startsWith(second + ":2: "),
                        noAnswer -> assertThat(noAnswer).isEqualTo(second + ":4: answer missing"));
        assertThat(run.out()).contains("total           3");
    }

    @Test
    void should_export_only_the_named_domains_when_filtered() {
        Run run = export("--capture", capture.toString(), "--out", out.toString(), "--domain", "billing");

        assertThat(run.exitCode()).isZero();
        assertThat(out.resolve("billing.jsonl")).exists();
        assertThat(out.resolve("orders.jsonl")).doesNotExist();
        assertThat(run.out()).contains("billing         1").contains("total           1");
    }

    @Test
    void should_keep_system_messages_when_asked() throws IOException {
        Run run = export("--capture", capture.toString(), "--out", out.toString(), "--include-system");

        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(out.resolve("billing.jsonl")))
                .isEqualTo(
                        """
                        {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why two charges?"},{"role":"assistant","content":"One is a pending hold."}]}
                        """);
    }

    @Test
    void should_exit_1_when_the_capture_directory_does_not_exist() {
        Run run = export("--capture", dir.resolve("missing").toString(), "--out", out.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("capture directory not found: " + dir.resolve("missing"));
        assertThat(out).doesNotExist();
    }

    @Test
    void should_explain_the_format_and_the_placeholders_when_asked_for_help() {
        Run run = export("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("OpenAI's chat format").contains("keep their placeholders");
    }

    private static String line(String domain, String question, String answer) {
        return JSON.writeValueAsString(new CapturedExchange(
                        Instant.parse("2025-06-01T12:00:00Z"),
                        "shop",
                        domain,
                        0.3,
                        "low-confidence",
                        "gpt",
                        List.of(ChatMessage.system("Be brief."), ChatMessage.user(question)),
                        List.of(),
                        ChatMessage.assistant(answer)))
                + "\n";
    }

    private static Run export(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] command = Stream.concat(Stream.of("export"), Stream.of(args)).toArray(String[]::new);
        int exitCode = RouterCommand.run(command, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
