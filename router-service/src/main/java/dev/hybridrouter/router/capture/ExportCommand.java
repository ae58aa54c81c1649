package dev.hybridrouter.router.capture;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Tool;
import dev.hybridrouter.gateway.wire.WireJson;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** {@code export --capture DIR --out DIR}: capture files to OpenAI fine-tuning data, one file per domain. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Turns capture files into fine-tuning data in OpenAI's chat format: one <domain>.jsonl per domain,"
                    + " each line",
            "  {\"messages\": [...conversation, answer], \"tools\": [...]}",
            "where the answer is the large model's assistant message (text and tool calls) and tools appear when the"
                    + " request offered some.",
            "System and developer messages are dropped unless --include-system (then developer ones become system).",
            "Conversations and answers keep their placeholders (<EMAIL_1>, ...): capture holds masked text only,"
                    + " never raw personal data.",
            "Malformed lines are reported as file:line: reason and skipped. Prints the examples per domain.",
            "Exit 0, or 1 when the capture directory does not exist or the output cannot be written."
        })
public final class ExportCommand implements Callable<Integer> {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--capture",
            required = true,
            paramLabel = "DIR",
            description = "The capture directory: the policy's capture.directory.")
    Path capture;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where <domain>.jsonl files are written; created if missing, files replaced.")
    Path out;

    @Option(
            names = "--domain",
            paramLabel = "NAME",
            description = "Export only this domain; may be repeated. Default: every domain.")
    List<String> domains = new ArrayList<>();

    @Option(
            names = "--include-system",
            description = "Keep system messages (by default dropped: the specialist has its own prompt).")
    boolean includeSystem;

    /**
     * What export reads of a captured line; other fields are ignored. The answer is an assistant message, or
     * in captures written before tool calls were kept, its text.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Line(String domain, List<ChatMessage> messages, List<Tool> tools, JsonNode answer) {

        ChatMessage answerMessage() {
            return answer.isString()
                    ? ChatMessage.assistant(answer.asString())
                    : WireJson.MAPPER.treeToValue(answer, ChatMessage.class);
        }
    }

    /** One fine-tuning example. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    private record Example(List<ChatMessage> messages, List<Tool> tools) {}

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(capture)) {
            err.println("capture directory not found: " + capture);
            return 1;
        }
        Map<String, Integer> counts = new TreeMap<>();
        domains.forEach(domain -> counts.put(domain, 0));
        try (Outputs outputs = new Outputs(out)) {
            for (Path file : captureFiles()) {
                export(file, outputs, counts);
            }
        } catch (IOException e) {
            err.println("export failed: " + e);
            return 1;
        }
        printTable(counts);
        return 0;
    }

    private List<Path> captureFiles() throws IOException {
        return JsonLines.files(capture, JsonLinesWriter.Output.CAPTURE);
    }

    private void export(Path file, Outputs outputs, Map<String, Integer> counts) throws IOException {
        JsonLines.lines(file, (number, text) -> {
            Line line;
            try {
                line = WireJson.MAPPER.readValue(text, Line.class);
            } catch (JacksonException e) {
                skip(file, number, e.getOriginalMessage());
                return;
            }
            String problem = problem(line);
            if (problem != null) {
                skip(file, number, problem);
            } else if (domains.isEmpty() || domains.contains(line.domain())) {
                outputs.write(line.domain(), WireJson.MAPPER.writeValueAsString(example(line)));
                counts.merge(line.domain(), 1, Integer::sum);
            }
        });
    }

    private static String problem(Line line) {
        if (line.domain() == null || !FILE_NAME.matcher(line.domain()).matches()) {
            return "domain " + (line.domain() == null ? "missing" : "'" + line.domain() + "' cannot name a file");
        }
        if (line.answer() == null || !(line.answer().isString() || line.answer().isObject())) {
            return "answer missing";
        }
        if (line.messages() == null || line.messages().isEmpty()) {
            return "messages missing";
        }
        for (int i = 0; i < line.messages().size(); i++) {
            ChatMessage message = line.messages().get(i);
            if (message == null || !ROLES.contains(message.role())) {
                return "messages[" + i + "]: role must be one of system, developer, user, assistant, tool";
            }
            if (message.content() == null && message.toolCalls() == null) {
                return "messages[" + i + "]: content missing";
            }
        }
        return null;
    }

    private Example example(Line line) {
        List<ChatMessage> messages = new ArrayList<>(line.messages().size() + 1);
        for (ChatMessage message : line.messages()) {
            boolean system = message.role().equals("system") || message.role().equals("developer");
            if (!system) {
                messages.add(message);
            } else if (includeSystem) {
                messages.add(ChatMessage.system(message.text()));
            }
        }
        messages.add(line.answerMessage());
        return new Example(messages, line.tools());
    }

    private void skip(Path file, int number, String reason) {
        spec.commandLine().getErr().printf("%s:%d: %s%n", file, number, reason);
    }

    private void printTable(Map<String, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int width = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
        String row = "%-" + Math.max(width, "domain".length()) + "s  %8s%n";
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(row, "domain", "examples");
        counts.forEach((domain, count) -> printer.printf(row, domain, count));
        printer.printf(row, "total", total);
    }

    /** The output files, {@code <domain>.jsonl}, each opened on its first line. */
    private static final class Outputs implements Closeable {

        private final Path directory;
        private final Map<String, Writer> writers = new HashMap<>();

        Outputs(Path directory) throws IOException {
            this.directory = Files.createDirectories(directory);
        }

        void write(String domain, String line) throws IOException {
            Writer writer = writers.get(domain);
            if (writer == null) {
                writer = Files.newBufferedWriter(directory.resolve(domain + ".jsonl"), StandardCharsets.UTF_8);
                writers.put(domain, writer);
            }
            writer.write(line);
            writer.write('\n');
        }

        @Override
        public void close() throws IOException {
            IOException failure = null;
            for (Writer writer : writers.values()) {
                try {
                    writer.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
