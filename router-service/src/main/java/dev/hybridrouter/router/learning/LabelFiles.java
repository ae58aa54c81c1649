package dev.hybridrouter.router.learning;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.capture.JsonLinesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the label files of a learning directory, oldest first. */
public final class LabelFiles {

    private LabelFiles() {}

    /**
     * What was read: one policy's labels, and the lines that could not be read as labels.
     *
     * @param labels the policy's labels, in file and line order
     * @param unreadable lines that are not labels, as {@code file:line}
     */
    public record Read(List<Label> labels, List<String> unreadable) {}

    /**
     * The labels of one policy in the directory's label files; nothing when the directory does not exist.
     *
     * @throws IOException when the directory or a file cannot be read
     */
    public static Read read(Path directory, String policy) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream =
                Files.newDirectoryStream(directory, JsonLinesWriter.Output.glob(Labeller.KIND))) {
            stream.forEach(files::add);
        } catch (NoSuchFileException e) {
            return new Read(List.of(), List.of());
        }
        files.sort(null); // names start with the time each file was opened
        List<Label> labels = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                int number = 0;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    Label label;
                    try {
                        label = WireJson.MAPPER.readValue(line, Label.class);
                    } catch (RuntimeException e) {
                        unreadable.add(file + ":" + number);
                        continue;
                    }
                    if (label.text() == null || label.label() == null) {
                        unreadable.add(file + ":" + number);
                    } else if (policy.equals(label.policy())) {
                        labels.add(label);
                    }
                }
            }
        }
        return new Read(labels, unreadable);
    }
}
