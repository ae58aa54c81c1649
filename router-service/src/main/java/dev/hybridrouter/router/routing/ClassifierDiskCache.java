package dev.hybridrouter.router.routing;

import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Calibration;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trained classifiers kept on disk, so that a start or a reload whose policy was trained before skips training
 * (tens of seconds for 100 examples in each of 15 domains on two cores); the embedding model is still loaded, for
 * classifying.
 *
 * <p>One JSON file per classifier, named by the SHA-256 of its {@link Key}: what training reads of the policy
 * ({@link Inputs}), the built-in generic requests, the training constants and the file {@link #FORMAT}. It holds what
 * classifying needs: the embedding model's id, the domains, the regression's weights and the calibration. Files are
 * written whole (a temporary file, then an atomic move), so processes may share the directory. A file that cannot be
 * used (truncated, corrupt, of another format or key) is a miss: logged, trained again and overwritten. At most
 * {@code maxFiles} are kept; those used longest ago (by modification time, which a hit sets) are deleted. A directory
 * that cannot be written is logged and the classifier served as trained. Thread-safe.
 */
public final class ClassifierDiskCache {

    /** Where classifiers are kept unless configured: {@code ~/.cache/hybrid-router/classifiers}. */
    public static final Path DEFAULT_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "hybrid-router", "classifiers");

    /**
     * The version of the file's layout and of training: raise it when either changes in a way the key's inputs and
     * constants do not show, so that files an older release wrote are no longer read.
     */
    static final int FORMAT = 1;

    private static final Logger log = LoggerFactory.getLogger(ClassifierDiskCache.class);
    private static final Pattern FILE_NAME = Pattern.compile("[0-9a-f]{64}\\.json");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final int maxFiles;
    private final EmbeddingCache embeddings;
    private final Clock clock;

    /**
     * @param dir where the files are kept; created when the first is written
     * @param maxFiles the most files kept
     * @param embeddings the process's embedding models, to train and classify with
     * @param clock when a file was last used
     * @throws IllegalArgumentException if {@code maxFiles} is under 1
     */
    public ClassifierDiskCache(Path dir, int maxFiles, EmbeddingCache embeddings, Clock clock) {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1: " + maxFiles);
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.maxFiles = maxFiles;
        this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The classifier of these inputs: read from its file when one was trained on the same inputs, otherwise trained
     * and written.
     *
     * @throws IllegalArgumentException as {@link EmbeddingDomainClassifier#of} does
     */
    public EmbeddingDomainClassifier get(Inputs inputs) {
        String key =
                Key.of(inputs, embeddings.fingerprint(inputs.embeddingModel())).sha256();
        Path file = dir.resolve(key + ".json");
        EmbeddingDomainClassifier stored = read(file, key, inputs);
        if (stored != null) {
            touch(file);
            log.info(
                    "Classifier of {} domains on {} read from {}",
                    inputs.domains().size(),
                    stored.modelId(),
                    file);
            return stored;
        }
        EmbeddingDomainClassifier trained = EmbeddingDomainClassifier.of(inputs, embeddings);
        write(file, key, trained);
        return trained;
    }

    /**
     * What one file stands for. Serialised to JSON (records keep their order, doubles their shortest exact text)
     * and hashed for the file's name.
     *
     * @param format {@link #FORMAT}
     * @param inputs what training reads of the policy
     * @param embeddingFingerprint {@link EmbeddingCache#fingerprint} of the inputs' embedding model
     * @param genericRequests {@link GenericRequests#TEXTS}
     * @param training the constants of training
     */
    record Key(
            int format, Inputs inputs, String embeddingFingerprint, List<String> genericRequests, Training training) {

        static Key of(Inputs inputs, String embeddingFingerprint) {
            return new Key(FORMAT, inputs, embeddingFingerprint, GenericRequests.TEXTS, Training.CURRENT);
        }

        String json() {
            return JSON.writeValueAsString(this);
        }

        String sha256() {
            return Sha256.hex(json().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The constants of {@link EmbeddingDomainClassifier} and {@link SoftmaxRegression} that training uses. */
    record Training(
            double lambda,
            double genericTrainingWeight,
            double outOfScopeTrainingWeight,
            double priorTemperature,
            double priorLogSigma,
            int folds,
            long seed,
            double tolerance,
            int maxIterations) {

        static final Training CURRENT = new Training(
                EmbeddingDomainClassifier.LAMBDA,
                EmbeddingDomainClassifier.GENERIC_TRAINING_WEIGHT,
                EmbeddingDomainClassifier.OUT_OF_SCOPE_TRAINING_WEIGHT,
                EmbeddingDomainClassifier.PRIOR_TEMPERATURE,
                EmbeddingDomainClassifier.PRIOR_LOG_SIGMA,
                EmbeddingDomainClassifier.FOLDS,
                EmbeddingDomainClassifier.SEED,
                SoftmaxRegression.TOLERANCE,
                SoftmaxRegression.MAX_ITERATIONS);
    }

    /** A file's content. */
    record Entry(
            int format,
            String key,
            String embeddingModel,
            List<String> domains,
            Calibration calibration,
            double[][] weights,
            double[] bias) {}

    /** The classifier in the file, or null when there is none or it cannot be used (logged). */
    private EmbeddingDomainClassifier read(Path file, String key, Inputs inputs) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Entry entry = JSON.readValue(Files.readAllBytes(file), Entry.class);
            if (entry.format() != FORMAT || !key.equals(entry.key())) {
                throw new IllegalArgumentException(
                        "written for another key or format (" + entry.format() + ", " + entry.key() + ")");
            }
            if (!inputs.embeddingModel().equals(entry.embeddingModel())
                    || !inputs.domains().equals(entry.domains())) {
                throw new IllegalArgumentException("its embedding model or domains are not the policy's");
            }
            return EmbeddingDomainClassifier.restored(
                    entry.embeddingModel(),
                    embeddings,
                    entry.domains(),
                    SoftmaxRegression.of(entry.weights(), entry.bias()),
                    Objects.requireNonNull(entry.calibration(), "no calibration"));
        } catch (IOException
                | UncheckedIOException
                | JacksonException
                | IllegalArgumentException
                | NullPointerException e) {
            log.warn(
                    "Stored classifier {} cannot be used ({}); training it again and overwriting it",
                    file,
                    e.getMessage());
            return null;
        }
    }

    private void write(Path file, String key, EmbeddingDomainClassifier classifier) {
        SoftmaxRegression regression = classifier.regression();
        Entry entry = new Entry(
                FORMAT,
                key,
                classifier.modelId(),
                classifier.domains(),
                classifier.calibration(),
                regression.weights(),
                regression.bias());
        try {
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, key + ".", ".tmp");
            try {
                Files.write(temporary, JSON.writeValueAsBytes(entry));
                Files.setLastModifiedTime(temporary, FileTime.from(clock.instant()));
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            log.info("Trained classifier kept in {}", file);
            deleteLeastRecentlyUsed();
        } catch (IOException | UncheckedIOException e) {
            log.warn(
                    "Cannot keep the trained classifier in {} ({}): a start with this policy trains it again;"
                            + " set router.classifier.cache-dir to a writable directory, or to empty to turn this off",
                    dir,
                    e.toString());
        }
    }

    /** Marks the file as just used, where the directory allows it. */
    private void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
        } catch (IOException e) {
            log.debug("Cannot mark {} as used", file, e);
        }
    }

    private void deleteLeastRecentlyUsed() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(path ->
                            FILE_NAME.matcher(path.getFileName().toString()).matches())
                    .filter(Files::isRegularFile)
                    .toList();
        }
        if (files.size() <= maxFiles) {
            return;
        }
        List<Path> oldestFirst = files.stream()
                .sorted(Comparator.comparing(ClassifierDiskCache::lastModified).thenComparing(Path::toString))
                .toList();
        for (Path old : oldestFirst.subList(0, files.size() - maxFiles)) {
            try {
                Files.delete(old);
            } catch (NoSuchFileException e) {
                // another process deleted it first
            }
        }
    }

    private static FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
