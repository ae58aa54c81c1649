package dev.hybridrouter.router.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label files as review, promote and automatic learning read them. */
class LabelFilesTest {

    @TempDir
    Path directory;

    @Test
    void should_read_every_file_oldest_first_and_lose_only_the_line_a_broken_byte_spoils() throws IOException {
        // given: a newer file, and an older one whose second line is cut inside a UTF-8 character
        Files.writeString(directory.resolve("labels-20261202T000000Z-1.jsonl"), label("third") + "\n");
        ByteArrayOutputStream older = new ByteArrayOutputStream();
        older.writeBytes((label("first") + "\n").getBytes(StandardCharsets.UTF_8));
        older.writeBytes("{\"text\":\"caf".getBytes(StandardCharsets.UTF_8));
        older.write(0xC3); // the first byte of "é", its second missing
        older.writeBytes(("\n\n" + label("second") + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(directory.resolve("labels-20261201T000000Z-1.jsonl"), older.toByteArray());
        Files.writeString(directory.resolve("capture-20261201T000000Z-1.jsonl"), label("not a label file") + "\n");

        // when
        LabelFiles.Read read = LabelFiles.read(directory, "shop");

        // then
        assertThat(read.labels()).extracting(Label::text).containsExactly("first", "second", "third");
        assertThat(read.unreadable()).containsExactly(directory.resolve("labels-20261201T000000Z-1.jsonl") + ":2");
    }

    @Test
    void should_read_nothing_when_the_directory_does_not_exist_yet() throws IOException {
        assertThat(LabelFiles.read(directory.resolve("missing"), "shop").labels())
                .isEmpty();
    }

    private static String label(String text) {
        return """
                {"time":"2026-12-01T00:00:00Z","policy":"shop","text":"%s","guess":"orders","confidence":0.4,\
                "runnerUp":null,"reason":"low-confidence","label":"none","teacher":"cloud"}"""
                .formatted(text);
    }
}
