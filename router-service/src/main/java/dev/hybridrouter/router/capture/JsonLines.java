package dev.hybridrouter.router.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads what a {@link JsonLinesWriter} wrote: a kind's files, and their lines. */
public final class JsonLines {

    private JsonLines() {}

    /** One line of a file and its number. */
    @FunctionalInterface
    public interface LineReader {
        /**
         * @param number the line's 1-based number in its file
         * @param text the line, never blank
         */
        void read(int number, String text) throws IOException;
    }

    /**
     * The files of one kind in a directory, oldest first (their names start with the time each was opened); none
     * when the directory does not exist.
     */
    public static List<Path> files(Path directory, String kind) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, JsonLinesWriter.Output.glob(kind))) {
            stream.forEach(files::add);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        files.sort(null);
        return files;
    }

    /** Gives each line of a file that is not blank; malformed UTF-8 is replaced, so it spoils one line, not the rest. */
    public static void lines(Path file, LineReader reader) throws IOException {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            int number = 0;
            for (String text = lines.readLine(); text != null; text = lines.readLine()) {
                number++;
                if (!text.isBlank()) {
                    reader.read(number, text);
                }
            }
        }
    }
}
