package dev.hybridrouter.specialists.inprocess;

import java.net.URI;
import java.nio.file.Path;

/**
 * A model file could not be fetched: not in the cache and the download failed, or the download does not match
 * its SHA-256. The message names the file, the URL, and how to place the file by hand.
 */
public class ModelDownloadException extends RuntimeException {

    private final transient Path file;
    private final transient URI url;

    public ModelDownloadException(Path file, URI url, String reason, Throwable cause) {
        super("Model file " + file + (url == null ? "" : " from " + url) + ": " + reason, cause);
        this.file = file;
        this.url = url;
    }

    /** Where the file is expected. */
    public Path file() {
        return file;
    }

    /** Where it was to be downloaded from, or {@code null}. */
    public URI url() {
        return url;
    }
}
