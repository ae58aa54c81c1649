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
 * Writes captured exchanges to {@code <directory>/capture-<yyyyMMdd'T'HHmmss'Z'>-<n>.jsonl}, one JSON
 * object per line, off the request path.
 *
 * <p>{@link #offer} puts an exchange on a bounded queue and returns at once; one daemon thread writes what
 * is queued and flushes after each batch. A file is rotated when the next line would push it past {@code
 * maxFileBytes}; at start and on each new file, capture files last modified longer than {@code retention}
 * ago are deleted. Nothing here fails the service: when the queue is full or the directory cannot be
 * written, exchanges are dropped, counted in {@code router.capture.dropped}, and the failure logged once.
 * Written exchanges are counted in {@code router.capture.written}.
 */
public final class CaptureWriter implements AutoCloseable {

    static final String FILE_GLOB = "capture-*.jsonl";

    private static final Logger log = LoggerFactory.getLogger(CaptureWriter.class);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final long maxFileBytes;
    private final Duration retention;
    private final Clock clock;
    private final BlockingQueue<CapturedExchange> queue;
    private final Counter written;
    private final Counter dropped;
    private final Thread thread = new Thread(this::run, "capture-writer");
    private volatile boolean closed;

    // Guarded by this: touched by the writer thread, or by drain() and close() when it does not run.
    private OutputStream file;
    private long fileBytes;
    private boolean failing;

    /** A writer whose queue nothing empties but {@link #drain()} and {@link #close()}: see {@link #start}. */
    CaptureWriter(Policy.Capture settings, Clock clock, MeterRegistry meters) {
        this.directory = Path.of(settings.directory());
        this.maxFileBytes = settings.maxFileBytes();
        this.retention = settings.retention();
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        this.written = Counter.builder("router.capture.written")
                .description("Escalated exchanges written to capture files")
                .register(meters);
        this.dropped = Counter.builder("router.capture.dropped")
                .description("Escalated exchanges not captured: queue full, or capture directory not writable")
                .register(meters);
        thread.setDaemon(true);
        try {
            prepareDirectory();
        } catch (IOException e) {
            failed(e);
        }
    }

    /**
     * Creates the directory if missing, deletes expired capture files and starts the writer thread.
     *
     * @param settings the policy's {@code capture} block
     * @param clock the time in file names and the one retention is judged by
     * @param meters where the {@code router.capture.*} counters go
     */
    public static CaptureWriter start(Policy.Capture settings, Clock clock, MeterRegistry meters) {
        CaptureWriter writer = new CaptureWriter(settings, clock, meters);
        writer.thread.start();
        return writer;
    }

    /**
     * Queues an exchange to be written. Never blocks, never throws.
     *
     * @return whether it was queued; {@code false} when the queue is full or the writer closed (counted)
     */
    public boolean offer(CapturedExchange exchange) {
        if (!closed && queue.offer(exchange)) {
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
            log.warn("Capture writer for {} still busy after {}; closing without it", directory, CLOSE_TIMEOUT);
        }
    }

    /** Writes everything queued and flushes, on the calling thread: what the writer thread does per batch. */
    synchronized void drain() {
        List<CapturedExchange> batch = new ArrayList<>(queue.size());
        queue.drainTo(batch);
        write(batch);
    }

    private void run() {
        List<CapturedExchange> batch = new ArrayList<>();
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

    private synchronized void write(List<CapturedExchange> batch) {
        int done = 0;
        try {
            for (CapturedExchange exchange : batch) {
                byte[] line = line(exchange);
                if (file == null || (fileBytes > 0 && fileBytes + line.length > maxFileBytes)) {
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
                log.info("Capture: writing to {} again", directory);
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

    private static byte[] line(CapturedExchange exchange) {
        byte[] json = WireJson.MAPPER.writeValueAsBytes(exchange);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private void openNextFile() throws IOException {
        closeFile();
        prepareDirectory();
        String time = FILE_TIME.format(clock.instant());
        for (int n = 1; ; n++) {
            Path path = directory.resolve("capture-" + time + "-" + n + ".jsonl");
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

    /** Creates the directory if missing and deletes capture files last modified before the retention. */
    private void prepareDirectory() throws IOException {
        Files.createDirectories(directory);
        Instant cutoff = clock.instant().minus(retention);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, FILE_GLOB)) {
            for (Path path : files) {
                if (Files.getLastModifiedTime(path).toInstant().isBefore(cutoff)) {
                    Files.delete(path);
                    log.info("Capture: deleted {}, older than the retention of {}", path, retention);
                }
            }
        } catch (IOException e) {
            log.warn("Capture: cannot delete expired files in {}", directory, e);
        }
    }

    private void failed(Exception e) {
        if (!failing) {
            log.warn("Capture: cannot write to {}; escalated exchanges are dropped until it can", directory, e);
            failing = true;
        }
    }
}
