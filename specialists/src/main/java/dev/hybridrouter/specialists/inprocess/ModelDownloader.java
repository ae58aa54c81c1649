package dev.hybridrouter.specialists.inprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches a model file by URL into a cache directory and checks it against its SHA-256.
 *
 * <ul>
 *   <li>A file already in the cache whose SHA-256 matches is used without touching the network.
 *   <li>Downloads go to {@code <name>.part} and resume from where they stopped, within a call (a broken transfer
 *       is retried) and across calls (a {@code .part} left by an earlier run), with an HTTP {@code Range} request;
 *       a server that ignores {@code Range} is read again from the start.
 *   <li>The finished {@code .part} is checked against the SHA-256 and only then moved into place, atomically; on a
 *       mismatch it is deleted.
 *   <li>Progress goes to a {@link PrintStream}: a redrawn bar (size, rate, time left) on a terminal, otherwise a
 *       line per 10%.
 *   <li>When the file is missing and cannot be downloaded, the {@link ModelDownloadException} says where to put
 *       the file by hand and how to check it.
 * </ul>
 *
 * Two calls for the same file wait for each other, in this JVM and across processes sharing the cache directory
 * (e.g. replicas on one volume: a lock on {@code <name>.lock}); the one that waited then finds the file verified in
 * the cache. The JDK client has no read timeout: a server that stalls mid-body stalls the download.
 */
public final class ModelDownloader {

    /** The cache directory when none is given: {@code ~/.cache/hybrid-router/models}. */
    public static final Path DEFAULT_CACHE_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "hybrid-router", "models");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Path cacheDir;
    private final HttpClient http;
    private final PrintStream progress;
    private final boolean interactive;
    private final int attempts;
    private final Duration retryDelay;
    private final Duration responseTimeout;
    private final boolean offline;

    private ModelDownloader(Builder builder) {
        this.cacheDir = builder.cacheDir.toAbsolutePath().normalize();
        this.http = builder.http != null
                ? builder.http
                : HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
        this.progress = builder.progress;
        this.interactive = builder.interactive;
        this.attempts = builder.attempts;
        this.retryDelay = builder.retryDelay;
        this.responseTimeout = builder.responseTimeout;
        this.offline = builder.offline;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The cache directory. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Where {@code url} is kept: the cache directory and the URL's last path segment. */
    public Path target(URI url) {
        return cacheDir.resolve(fileName(url));
    }

    /**
     * The verified file for {@code url}, from the cache or downloaded.
     *
     * @param sha256 the file's SHA-256, 64 hex digits
     * @throws ModelDownloadException when it is not in the cache and cannot be downloaded or does not match
     */
    public Path fetch(URI url, String sha256) {
        return fetch(url, sha256, fileName(url));
    }

    /** Like {@link #fetch(URI, String)}, stored as {@code fileName}. */
    public Path fetch(URI url, String sha256, String fileName) {
        Objects.requireNonNull(url, "url");
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("model-sha256 must be 64 hex digits: " + sha256);
        }
        if (!FILE_NAME.matcher(fileName).matches()) {
            throw new IllegalArgumentException("not a usable file name: '" + fileName + "'");
        }
        String expected = sha256.toLowerCase(Locale.ROOT);
        Path target = cacheDir.resolve(fileName);
        ReentrantLock lock = LOCKS.computeIfAbsent(target, t -> new ReentrantLock());
        lock.lock();
        try {
            if (Files.isRegularFile(target)) {
                String actual = sha256(target);
                if (actual.equals(expected)) {
                    print("Using " + target + " (" + size(target) + ", sha256 verified)");
                    return target;
                }
                print("The cached " + target + " has sha256 " + actual + ", not " + expected
                        + "; downloading it again");
            }
            return offline ? download(url, expected, target) : downloadExclusively(url, expected, target);
        } finally {
            lock.unlock();
        }
    }

    /** Downloads while holding the file lock that other processes sharing the cache take too. */
    private Path downloadExclusively(URI url, String expected, Path target) {
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        try {
            Files.createDirectories(cacheDir);
            try (FileChannel channel =
                    FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock held = channel.tryLock();
                if (held == null) {
                    print("Waiting for another process downloading " + target.getFileName() + " (" + lockFile + ")");
                    held = channel.lock();
                    if (Files.isRegularFile(target) && sha256(target).equals(expected)) {
                        print("Using " + target + " (" + size(target) + ", sha256 verified)");
                        return target;
                    }
                }
                try (FileLock ignored = held) {
                    return download(url, expected, target);
                }
            }
        } catch (IOException e) {
            throw new ModelDownloadException(
                    target,
                    url,
                    "cannot take the download lock " + lockFile + ": " + e + howToPlace(target, expected),
                    e);
        }
    }

    private Path download(URI url, String expected, Path target) {
        if (offline) {
            throw new ModelDownloadException(
                    target,
                    url,
                    "it is not in the cache, and downloads are off (router.models.offline)"
                            + howToPlace(target, expected),
                    null);
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        IOException last = null;
        boolean restarted = false;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                Files.createDirectories(cacheDir);
                Transfer transfer = transfer(url, part, target);
                if (transfer == Transfer.RESTART && !restarted) {
                    restarted = true;
                    attempt--;
                    continue;
                }
                return verifyAndMove(part, target, expected, url);
            } catch (IOException e) {
                last = e;
                if (attempt < attempts) {
                    print("Download of " + target.getFileName() + " failed (" + describe(e) + "); retrying ("
                            + (attempt + 1) + "/" + attempts + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelDownloadException(target, url, "interrupted" + howToPlace(target, expected), e);
            }
            if (attempt < attempts && !pause()) {
                throw new ModelDownloadException(target, url, "interrupted" + howToPlace(target, expected), last);
            }
        }
        throw new ModelDownloadException(
                target,
                url,
                "it is not in the cache and could not be downloaded (" + describe(last) + ")"
                        + howToPlace(target, expected),
                last);
    }

    private enum Transfer {
        DONE,
        RESTART
    }

    private Transfer transfer(URI url, Path part, Path target) throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(responseTimeout)
                .header("User-Agent", "hybrid-router-model-downloader")
                .GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            long total;
            boolean append;
            if (status == 206) {
                Matcher range = CONTENT_RANGE.matcher(
                        response.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches() || Long.parseLong(range.group(1)) != have) {
                    Files.deleteIfExists(part);
                    return Transfer.RESTART;
                }
                total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
                append = true;
                print("Resuming " + target.getFileName() + " at " + bytes(have) + " of " + bytes(total) + " from "
                        + url);
            } else if (status == 416 && have > 0) {
                return Transfer.DONE; // the .part already holds everything: verify it
            } else if (status == 200) {
                OptionalLong length = response.headers().firstValueAsLong("Content-Length");
                total = length.isPresent() ? length.getAsLong() : -1;
                append = false;
                have = 0;
                print("Downloading " + target.getFileName() + " (" + bytes(total) + ") from " + url);
            } else if (status >= 500 || status == 408 || status == 429) {
                throw new RetryableHttpException("HTTP " + status);
            } else {
                throw new ModelDownloadException(
                        target, url, "the server answered HTTP " + status + howToPlace(target, null), null);
            }
            if (total > 0) {
                long usable = Files.getFileStore(cacheDir).getUsableSpace();
                if (usable < total - have) {
                    throw new ModelDownloadException(
                            target,
                            url,
                            "it needs " + bytes(total - have) + " more but only " + bytes(usable) + " are free in "
                                    + cacheDir,
                            null);
                }
            }
            copy(body, part, append, have, total, target.getFileName().toString());
            return Transfer.DONE;
        }
    }

    private void copy(InputStream body, Path part, boolean append, long have, long total, String name)
            throws IOException {
        Progress bar = new Progress(name, have, total);
        try (OutputStream out = Files.newOutputStream(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = body.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                bar.advance(n);
            }
        } finally {
            bar.end();
        }
        if (total > 0 && Files.size(part) < total) {
            throw new IOException("connection closed at " + Files.size(part) + " of " + total + " bytes");
        }
    }

    private Path verifyAndMove(Path part, Path target, String expected, URI url) throws IOException {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        String actual = sha256(part);
        if (!actual.equals(expected)) {
            Files.deleteIfExists(part);
            throw new ModelDownloadException(
                    target,
                    url,
                    "checksum mismatch: expected sha256 " + expected + ", the download has " + actual
                            + "; the download was deleted (is model-sha256 right for this URL?)",
                    null);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        print("Saved " + target + " (" + size(target) + ", sha256 verified)");
        return target;
    }

    private static String howToPlace(Path target, String sha256) {
        return ". To install it by hand, download the file elsewhere, copy it to " + target
                + (sha256 == null ? "" : " and check it: `sha256sum " + target + "` must print " + sha256);
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new ModelDownloadException(file, null, "cannot read it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fileName(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String last = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        if (!FILE_NAME.matcher(last).matches()) {
            throw new IllegalArgumentException("cannot take a file name from " + url + "; give one");
        }
        return last;
    }

    /** Waits between tries; false when interrupted (the flag is set again). */
    private boolean pause() {
        if (retryDelay.isZero()) {
            return true;
        }
        try {
            Thread.sleep(retryDelay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(Exception e) {
        if (e == null) {
            return "no attempt made";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static String size(Path file) {
        try {
            return bytes(Files.size(file));
        } catch (IOException e) {
            return "size unknown";
        }
    }

    static String bytes(long n) {
        if (n < 0) {
            return "size unknown";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    private void print(String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }

    /** A bar redrawn in place on a terminal (at most 5 times a second), or a line per 10% elsewhere. */
    private final class Progress {
        private final String name;
        private final long start;
        private final long total;
        private final long startedAt = System.nanoTime();
        private long done;
        private long lastDraw;
        private int lastDecile = -1;
        private int lastLength;
        private boolean drawn;

        Progress(String name, long start, long total) {
            this.name = name;
            this.start = start;
            this.total = total;
            this.done = start;
        }

        void advance(int n) {
            done += n;
            if (progress == null) {
                return;
            }
            long now = System.nanoTime();
            if (interactive) {
                if (now - lastDraw > 200_000_000L || (total > 0 && done >= total)) {
                    lastDraw = now;
                    String line = line(now);
                    // Pad over the longer line drawn before.
                    progress.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                    lastLength = line.length();
                    progress.flush();
                    drawn = true;
                }
            } else if (total > 0) {
                int decile = (int) (done * 10 / total);
                if (decile > lastDecile) {
                    lastDecile = decile;
                    progress.println(line(now));
                    progress.flush();
                }
            }
        }

        void end() {
            if (progress != null && interactive && drawn) {
                progress.println();
                progress.flush();
            }
        }

        private String line(long now) {
            double seconds = Math.max(1e-3, (now - startedAt) / 1e9);
            double rate = (done - start) / seconds;
            StringBuilder line = new StringBuilder(name).append(' ');
            if (total > 0) {
                int percent = (int) (done * 100 / total);
                int filled = percent / 5;
                line.append('[')
                        .append("#".repeat(filled))
                        .append("-".repeat(20 - filled))
                        .append("] ")
                        .append(String.format(Locale.ROOT, "%3d%%", percent))
                        .append("  ")
                        .append(bytes(done))
                        .append(" / ")
                        .append(bytes(total));
            } else {
                line.append(bytes(done));
            }
            line.append("  ").append(bytes((long) rate)).append("/s");
            if (total > 0 && rate > 0) {
                long left = (long) ((total - done) / rate);
                line.append(String.format(Locale.ROOT, "  %d:%02d left", left / 60, left % 60));
            }
            return line.toString();
        }
    }

    private static final class RetryableHttpException extends IOException {
        RetryableHttpException(String message) {
            super(message);
        }
    }

    public static final class Builder {
        private Path cacheDir = DEFAULT_CACHE_DIR;
        private HttpClient http;
        private PrintStream progress = System.out;
        private boolean interactive = System.console() != null;
        private int attempts = 3;
        private Duration retryDelay = Duration.ofSeconds(2);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private boolean offline;

        private Builder() {}

        /** Where models are kept; the service passes {@code router.models.cache-dir}. */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /** The HTTP client; default follows redirects, connects within 10 s. */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        /** Where progress goes, or {@code null} for nowhere; default {@code System.out}. */
        public Builder progress(PrintStream progress) {
            this.progress = progress;
            return this;
        }

        /** Redraw one bar in place (a terminal) rather than print a line per 10%; default: a console is attached. */
        public Builder interactive(boolean interactive) {
            this.interactive = interactive;
            return this;
        }

        /** Tries per call, each resuming where the last stopped; default 3. */
        public Builder attempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be positive: " + attempts);
            }
            this.attempts = attempts;
            return this;
        }

        /** Pause between tries; default 2 s. */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
            return this;
        }

        /** Longest wait for the response headers; default 60 s. */
        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = Objects.requireNonNull(responseTimeout, "responseTimeout");
            return this;
        }

        /** Never download: a file not in the cache fails at once, saying how to place it by hand; default false. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public ModelDownloader build() {
            return new ModelDownloader(this);
        }
    }
}
