package dev.hybridrouter.router.learning;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.capture.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;

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
        List<Label> labels = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path file : JsonLines.files(directory, Labeller.KIND)) {
            JsonLines.lines(file, (number, text) -> {
                Label label;
                try {
                    label = WireJson.MAPPER.readValue(text, Label.class);
                } catch (JacksonException e) {
                    unreadable.add(file + ":" + number);
                    return;
                }
                if (label.text() == null || label.label() == null) {
                    unreadable.add(file + ":" + number);
                } else if (policy.equals(label.policy())) {
                    labels.add(label);
                }
            });
        }
        return new Read(labels, unreadable);
    }
}
