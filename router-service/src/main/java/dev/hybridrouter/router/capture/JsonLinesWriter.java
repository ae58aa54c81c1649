package dev.hybridrouter.router.capture;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records (captured exchanges, teacher labels) to {@code <directory>/<kind>-<yyyyMMdd'T'HHmmss'Z'>-<n>.jsonl},
 * one JSON object per line, off the request path.
 *
 * <p>{@link #offer} puts a record on a bounded queue and returns at once; one daemon thread writes what
 * is queued and flushes after each batch. A file is rotated when the next line would push it past {@code
 * maxFileBytes}; at start and on each new file, this kind's files last modified longer than {@code retention}
 * ago are deleted. Nothing here fails the service: when the queue is full or the directory cannot be
 * written, records are dropped, counted in {@code router.<kind>.dropped}, and the failure logged once.
 * Written records are counted in {@code router.<kind>.written}.
 *
 * @param <T> what is written, as Jackson writes it
 */
public final class JsonLinesWriter<T> implements AutoCloseable {

    /**
     * Where and how one kind of record is written.
     *
     * @param kind the files' name prefix, the writer thread's and the meters' ({@code router.<kind>.written})
     * @param what the records in words, for logs and meter descriptions, e.g. {@code escalated exchanges}
     * @param directory the folder of the files
     * @param maxFileBytes a file is rotated when it would grow past this size
     * @param retention files older than this are deleted
     * @param queueSize records waiting to be written; when full, new ones are dropped and counted
     */
    public record Output(
            String kind, String what, Path directory, long maxFileBytes, Duration retention, int queueSize) {

        /** The kind of the capture files. */
        public static final String CAPTURE = "capture";

        /** The capture files of a policy's {@code capture} block. */
        public static Output capture(Policy.Capture settings) {
            return new Output(
                    CAPTURE,
                    "escalated exchanges",
                    Path.of(settings.directory()),
                    settings.maxFileBytes(),
                    settings.retention(),
                    settings.queueSize());
        }

        String glob() {
            return glob(kind);
        }

        /** The names of a kind's files, as a glob. */
        public static String glob(String kind) {
            return kind + "-*.jsonl";
        }
    }

    private static final Logger log = LoggerFactory.getLogger(JsonLinesWriter.class);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Output output;
    private final Path directory;
    private final Clock clock;
    private final BlockingQueue<T> queue;
    private final Counter written;
    private final Counter dropped;
    private final Thread thread;
    private volatile boolean closed;

    // Guarded by this: touched by the writer thread, or by drain() and close() when it does not run.
    private OutputStream file;
    private long fileBytes;
    private boolean failing;

    /** A writer whose queue nothing empties but {@link #drain()} and {@link #close()}: see {@link #start}. */
    JsonLinesWriter(Output output, Clock clock, MeterRegistry meters) {
        this.output = output;
        this.directory = output.directory();
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(output.queueSize());
        this.written = Counter.builder("router." + output.kind() + ".written")
                .description(capitalized(output.what()) + " written to " + output.kind() + " files")
                .register(meters);
        this.dropped = Counter.builder("router." + output.kind() + ".dropped")
                .description(capitalized(output.what()) + " not written: queue full, or directory not writable")
                .register(meters);
        this.thread = new Thread(this::run, output.kind() + "-writer");
        thread.setDaemon(true);
        try {
            prepareDirectory();
        } catch (IOException e) {
            failed(e);
        }
    }

    /**
     * Creates the directory if missing, deletes expired files of this kind and starts the writer thread.
     *
     * @param output what is written where
     * @param clock the time in file names and the one retention is judged by
     * @param meters where the {@code router.<kind>.*} counters go
     */
    public static <T> JsonLinesWriter<T> start(Output output, Clock clock, MeterRegistry meters) {
        JsonLinesWriter<T> writer = new JsonLinesWriter<>(output, clock, meters);
        writer.thread.start();
        return writer;
    }

    /**
     * Queues a record to be written. Never blocks, never throws.
     *
     * @return whether it was queued; {@code false} when the queue is full or the writer closed (counted)
     */
    public boolean offer(T record) {
        if (!closed && queue.offer(record)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Writes what is queued, then closes the file; waits for the writer thread at most 10 seconds. */
    @Override
    public void close() {
        closed = true;
        if (!thread.isAlive()) {
            finish();
            return;
        }
        thread.interrupt();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn(
                    "{} writer for {} still busy after {}; closing without it",
                    output.kind(),
                    directory,
                    CLOSE_TIMEOUT);
        }
    }

    /** Writes everything queued and flushes, on the calling thread: what the writer thread does per batch. */
    synchronized void drain() {
        List<T> batch = new ArrayList<>(queue.size());
        queue.drainTo(batch);
        write(batch);
    }

    private void run() {
        List<T> batch = new ArrayList<>();
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close() wakes us: finish() writes what is left
        }
        finish();
    }

    private synchronized void finish() {
        drain();
        try {
            closeFile();
        } catch (IOException e) {
            failed(e);
        }
    }

    private synchronized void write(List<T> batch) {
        int done = 0;
        try {
            for (T record : batch) {
                byte[] line = line(record);
                if (file == null || (fileBytes > 0 && fileBytes + line.length > output.maxFileBytes())) {
                    openNextFile();
                }
                file.write(line);
                fileBytes += line.length;
                done++;
                written.increment();
            }
            if (file != null) {
                file.flush();
            }
            if (failing && done > 0) {
                log.info("{}: writing to {} again", output.kind(), directory);
                failing = false;
            }
        } catch (IOException | RuntimeException e) { // the thread must outlive any one batch
            dropped.increment(batch.size() - done);
            try {
                closeFile(); // the next batch starts a new file
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            failed(e);
        }
    }

    private static byte[] line(Object record) {
        byte[] json = WireJson.MAPPER.writeValueAsBytes(record);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private void openNextFile() throws IOException {
        closeFile();
        prepareDirectory();
        String time = FILE_TIME.format(clock.instant());
        for (int n = 1; ; n++) {
            Path path = directory.resolve(output.kind() + "-" + time + "-" + n + ".jsonl");
            try {
                Files.createFile(path);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            // A FileOutputStream, not an interruptible channel: close() interrupting the thread cuts no write short.
            file = new BufferedOutputStream(new FileOutputStream(path.toFile()));
            fileBytes = 0;
            return;
        }
    }

    private void closeFile() throws IOException {
        if (file != null) {
            OutputStream closing = file;
            file = null;
            closing.close();
        }
    }

    /** Creates the directory if missing and deletes this kind's files last modified before the retention. */
    private void prepareDirectory() throws IOException {
        Files.createDirectories(directory);
        Instant cutoff = clock.instant().minus(output.retention());
        try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, output.glob())) {
            for (Path path : old) {
                if (Files.getLastModifiedTime(path).toInstant().isBefore(cutoff)) {
                    Files.delete(path);
                    log.info("{}: deleted {}, older than the retention of {}", output.kind(), path, output.retention());
                }
            }
        } catch (IOException e) {
            log.warn("{}: cannot delete expired files in {}", output.kind(), directory, e);
        }
    }

    private void failed(Exception e) {
        if (!failing) {
            log.warn("{}: cannot write to {}; {} are dropped until it can", output.kind(), directory, output.what(), e);
            failing = true;
        }
    }

    private static String capitalized(String words) {
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
