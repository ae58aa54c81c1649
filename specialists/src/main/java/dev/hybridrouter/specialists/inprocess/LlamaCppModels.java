package dev.hybridrouter.specialists.inprocess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The registry of in-process models: one {@link LlamaCppModel} per model file and load options, however many
 * specialists name it. Thread-safe. Close it when the service stops.
 *
 * <pre>{@code
 * LlamaCppModels models = LlamaCppModels.create();
 * LlamaCppModel model = models.model(LlamaCppModelSettings.of(path).withMaxConcurrent(2).withEager(true));
 * LlamaCppChatModel chat = LlamaCppChatModel.builder().model(model).modelName("support").build();
 * }</pre>
 */
public final class LlamaCppModels implements AutoCloseable {

    private final Map<Key, LlamaCppModel> models = new ConcurrentHashMap<>();
    private final ExecutorService loader;
    private final boolean nativeLogs;
    private final Clock clock;

    /** The load options that make a loaded model: the same key means the same native model. */
    private record Key(Path file, int contextSize, Integer threads, int maxConcurrent, Path lora, String template) {}

    private LlamaCppModels(boolean nativeLogs, Clock clock) {
        this.nativeLogs = nativeLogs;
        this.clock = clock;
        this.loader = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "llama-cpp-loader");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A registry whose models keep llama.cpp's own logging off (it would write to stdout). */
    public static LlamaCppModels create() {
        return new LlamaCppModels(false, Clock.systemUTC());
    }

    /**
     * A registry.
     *
     * @param nativeLogs let llama.cpp log to stdout (its log cannot be routed to SLF4J: llama.cpp's own
     *     initialisation replaces the bindings' log callback); useful to see why llama.cpp refused a file
     * @param clock for the state timestamps
     */
    public static LlamaCppModels create(boolean nativeLogs, Clock clock) {
        return new LlamaCppModels(nativeLogs, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The shared model for {@code settings}: the same instance for every call with the same file (by real path)
     * and load options. Starts loading in the background when {@code settings.eager()}.
     *
     * @throws IllegalArgumentException when the model is already registered with other queue settings
     */
    public LlamaCppModel model(LlamaCppModelSettings settings) {
        Objects.requireNonNull(settings, "settings");
        Path file = canonical(settings.modelPath());
        Key key = new Key(
                file,
                settings.contextSize(),
                settings.threads(),
                settings.maxConcurrent(),
                settings.loraAdapter() == null ? null : canonical(settings.loraAdapter()),
                settings.chatTemplate());
        LlamaCppModel model =
                models.computeIfAbsent(key, k -> new LlamaCppModel(settings, file, loader, nativeLogs, clock));
        LlamaCppModelSettings first = model.settings();
        if (first.queueLimit() != settings.queueLimit() || !first.queueTimeout().equals(settings.queueTimeout())) {
            throw new IllegalArgumentException("in-process model " + file + " is already registered with queue limit "
                    + first.queueLimit() + " and timeout " + first.queueTimeout() + "; got " + settings.queueLimit()
                    + " and " + settings.queueTimeout());
        }
        if (settings.eager()) {
            model.loadAsync();
        }
        return model;
    }

    /** Every registered model. */
    public List<LlamaCppModel> models() {
        return List.copyOf(models.values());
    }

    /** A status snapshot of every registered model. */
    public List<ModelStatus> status() {
        List<ModelStatus> statuses = new ArrayList<>();
        for (LlamaCppModel model : models.values()) {
            statuses.add(model.status());
        }
        return statuses;
    }

    /** Closes every model (see {@link LlamaCppModel#close()} for what that frees: not the native memory). */
    @Override
    public void close() {
        for (LlamaCppModel model : models.values()) {
            model.close();
        }
        loader.shutdownNow();
    }

    private static Path canonical(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
