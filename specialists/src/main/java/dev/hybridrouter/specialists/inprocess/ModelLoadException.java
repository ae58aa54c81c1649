package dev.hybridrouter.specialists.inprocess;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model file could not be loaded: it is missing, is not GGUF, is truncated, has an architecture llama.cpp
 * b4916 does not know, asks for more context than the model has, or llama.cpp itself refused it. The message
 * names the file and the reason.
 */
public class ModelLoadException extends RuntimeException {

    private final transient Path file;
    private final String reason;

    public ModelLoadException(Path file, String reason) {
        this(file, reason, null);
    }

    public ModelLoadException(Path file, String reason, Throwable cause) {
        super("Cannot load model " + file + ": " + reason, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The model file (or LoRA adapter file) at fault. */
    public Path file() {
        return file;
    }

    /** Why, without the file name, e.g. {@code "not a GGUF file (magic 0x464c457f)"}. */
    public String reason() {
        return reason;
    }
}
