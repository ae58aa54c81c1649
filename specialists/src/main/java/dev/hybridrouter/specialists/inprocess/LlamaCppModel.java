package dev.hybridrouter.specialists.inprocess;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GGUF file loaded by llama.cpp, shared by every {@link LlamaCppChatModel} built on it. Obtain it from
 * {@link LlamaCppModels#model(LlamaCppModelSettings)}.
 *
 * <p>It admits at most {@code maxConcurrent} requests at a time (each in its own llama.cpp slot; slots are
 * decoded together in one batch) and lets at most {@code queueLimit} more wait, each for at most
 * {@code queueTimeout}; anyone beyond that gets {@link ModelBusyException} at once. Before the native load the file
 * is checked in Java ({@link GgufModelInfo#inspect}), because llama.cpp aborts the process on some bad files.
 */
public final class LlamaCppModel {

    private static final Logger log = LoggerFactory.getLogger(LlamaCppModel.class);

    /** llama.cpp b4916's built-in chat template names ({@code llama-chat.cpp}). */
    static final Set<String> BUILT_IN_TEMPLATES = Set.of(
            "chatml",
            "llama2",
            "llama2-sys",
            "llama2-sys-bos",
            "llama2-sys-strip",
            "mistral-v1",
            "mistral-v3",
            "mistral-v3-tekken",
            "mistral-v7",
            "phi3",
            "phi4",
            "falcon3",
            "zephyr",
            "monarch",
            "gemma",
            "orion",
            "openchat",
            "vicuna",
            "vicuna-orca",
            "deepseek",
            "deepseek2",
            "deepseek3",
            "command-r",
            "llama3",
            "chatglm3",
            "chatglm4",
            "glmedge",
            "minicpm",
            "exaone3",
            "rwkv-world",
            "granite",
            "gigachat",
            "megrez");

    private static final Duration CLOSE_DRAIN = Duration.ofSeconds(10);

    private final LlamaCppModelSettings settings;
    private final Path file;
    private final Executor loader;
    private final boolean nativeLogs;
    private final Clock clock;
    private final Semaphore slots;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger nativeLoads = new AtomicInteger();
    private final Object lock = new Object();

    private ModelState state = ModelState.NOT_LOADED;
    private String reason;
    private Instant since;
    private CompletableFuture<Void> loading;
    private volatile LlamaModel llama;
    private volatile GgufModelInfo info;
    private volatile int contextSize;
    private volatile Long residentGrowth;
    private volatile boolean closing;

    LlamaCppModel(LlamaCppModelSettings settings, Path file, Executor loader, boolean nativeLogs, Clock clock) {
        this.settings = settings;
        this.file = file;
        this.loader = loader;
        this.nativeLogs = nativeLogs;
        this.clock = clock;
        this.slots = new Semaphore(settings.maxConcurrent(), true);
        this.since = clock.instant();
        if (settings.chatTemplate() != null && !BUILT_IN_TEMPLATES.contains(settings.chatTemplate())) {
            throw new IllegalArgumentException("chatTemplate '" + settings.chatTemplate()
                    + "' is not one of llama.cpp's built-in templates " + BUILT_IN_TEMPLATES);
        }
    }

    /** The settings it was registered with (the first registration's queue settings). */
    public LlamaCppModelSettings settings() {
        return settings;
    }

    /** The model file, as a real path when it existed at registration. */
    public Path file() {
        return file;
    }

    /** The checked header, once loaded; {@code null} before. */
    public GgufModelInfo info() {
        return info;
    }

    /** Tokens of context per request, once loaded; 0 before. */
    public int contextSize() {
        return contextSize;
    }

    /** How often llama.cpp loaded this model in this process (1 once loaded: sharing works). */
    public int nativeLoads() {
        return nativeLoads.get();
    }

    /**
     * Counts the tokens llama.cpp makes of {@code text} (special tokens such as {@code <|im_end|>} parsed as such,
     * no BOS added). Loads the model if needed.
     */
    public int countTokens(String text) {
        awaitReady();
        LlamaModel loaded = llama;
        if (loaded == null) {
            throw new IllegalStateException("model " + file + " is closed");
        }
        return loaded.encode(text).length;
    }

    public ModelStatus status() {
        synchronized (lock) {
            GgufModelInfo i = info;
            long size = 0;
            try {
                size = i != null ? i.fileSizeBytes() : Files.isRegularFile(file) ? Files.size(file) : 0;
            } catch (IOException e) {
                // size stays 0
            }
            int run = running.get();
            return new ModelStatus(
                    file,
                    state,
                    reason,
                    since,
                    size,
                    i != null ? i.architecture() : null,
                    contextSize,
                    settings.maxConcurrent(),
                    run,
                    Math.max(0, admitted.get() - run),
                    i != null && contextSize > 0 ? i.kvCacheBytes((long) contextSize * settings.maxConcurrent()) : null,
                    residentGrowth);
        }
    }

    /**
     * Starts loading in the background unless loaded or loading; a {@link ModelState#MISSING} file is looked for
     * again. The future fails with {@link ModelLoadException} when the file is refused.
     */
    public CompletableFuture<Void> loadAsync() {
        synchronized (lock) {
            switch (state) {
                case READY, LOADING -> {
                    return loading;
                }
                case FAILED -> {
                    return loading;
                }
                case CLOSED -> {
                    return CompletableFuture.failedFuture(new IllegalStateException(file + " is closed"));
                }
                default -> {
                    transition(ModelState.LOADING, null);
                    loading = CompletableFuture.runAsync(this::load, loader);
                    return loading;
                }
            }
        }
    }

    /**
     * Loads the model if needed and waits for it.
     *
     * @throws ModelLoadException when it cannot be loaded
     * @throws java.util.concurrent.CancellationException when the calling thread is interrupted (its interrupt
     *     flag stays set)
     */
    public void awaitReady() {
        CompletableFuture<Void> future = loadAsync();
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for " + file);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private RuntimeException unwrap(Throwable cause) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new ModelLoadException(file, String.valueOf(cause), cause);
    }

    private void load() {
        try {
            if (!Files.exists(file)) {
                throw new ModelLoadException(file, "file not found");
            }
            GgufModelInfo checked = GgufModelInfo.inspect(file);
            int perRequest = checked.contextSizeFor(settings.contextSize());
            if (settings.loraAdapter() != null) {
                checkAdapter(settings.loraAdapter(), checked);
            }
            ModelParameters parameters = new ModelParameters()
                    .setModel(file.toString())
                    .setCtxSize(perRequest * settings.maxConcurrent())
                    .setParallel(settings.maxConcurrent())
                    .disableContextShift();
            if (settings.threads() != null) {
                parameters.setThreads(settings.threads()).setThreadsBatch(settings.threads());
            }
            if (settings.loraAdapter() != null) {
                // addLoraScaledAdapter is broken in 4.2.0 (it passes "file,scale" as one argument; llama.cpp wants
                // two, rejects the options and the JVM crashes on first use): load at scale 1, scale per request.
                parameters.addLoraAdapter(settings.loraAdapter().toString());
            }
            if (settings.chatTemplate() != null) {
                parameters.setChatTemplate(settings.chatTemplate());
            }
            if (!nativeLogs) {
                parameters.disableLog();
            }
            Long before = ResidentMemory.bytes();
            LlamaModel loaded;
            try {
                nativeLoads.incrementAndGet();
                loaded = new LlamaModel(parameters);
            } catch (LinkageError e) {
                throw new ModelLoadException(file, "the llama.cpp native library could not be loaded: " + e, e);
            } catch (RuntimeException e) {
                throw new ModelLoadException(
                        file,
                        "llama.cpp refused it (" + e.getMessage() + ")"
                                + (nativeLogs ? "; see its log above" : "; enable native logs to see why"),
                        e);
            }
            if (!NativeAccess.isLoaded(loaded)) {
                throw new ModelLoadException(file, "llama.cpp rejected the load options " + parameters);
            }
            Long after = ResidentMemory.bytes();
            synchronized (lock) {
                llama = loaded;
                info = checked;
                contextSize = perRequest;
                residentGrowth = before != null && after != null ? after - before : null;
                transition(ModelState.READY, null);
            }
            log.info(
                    "Loaded {} ({} MiB, {}, {} tokens of context x {} slots)",
                    file,
                    checked.fileSizeBytes() >> 20,
                    checked.architecture(),
                    perRequest,
                    settings.maxConcurrent());
        } catch (ModelLoadException e) {
            synchronized (lock) {
                transition(e.reason().equals("file not found") ? ModelState.MISSING : ModelState.FAILED, e.reason());
            }
            log.warn("{}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            synchronized (lock) {
                transition(ModelState.FAILED, e.toString());
            }
            throw new ModelLoadException(file, e.toString(), e);
        }
    }

    private static void checkAdapter(Path adapter, GgufModelInfo model) {
        if (!Files.isRegularFile(adapter)) {
            throw new ModelLoadException(adapter, "LoRA adapter file not found");
        }
        GgufHeader header = GgufHeader.read(adapter);
        if (header.fileLength() < header.requiredLength()) {
            throw new ModelLoadException(adapter, "truncated LoRA adapter");
        }
        if (!"adapter".equals(header.string("general.type")) || !"lora".equals(header.string("adapter.type"))) {
            throw new ModelLoadException(adapter, "not a LoRA adapter (general.type 'adapter', adapter.type 'lora')");
        }
        if (!model.architecture().equals(header.string("general.architecture"))) {
            throw new ModelLoadException(
                    adapter,
                    "LoRA adapter for architecture '" + header.string("general.architecture") + "', the model is '"
                            + model.architecture() + "'");
        }
    }

    private void transition(ModelState next, String why) {
        state = next;
        reason = why;
        since = clock.instant();
    }

    /**
     * Takes a place among the running or waiting callers, or fails fast.
     *
     * @throws ModelBusyException when {@code maxConcurrent + queueLimit} callers are already in
     * @throws ModelLoadException when the model failed to load
     */
    Admission admit() {
        ModelState now;
        CompletableFuture<Void> failed;
        synchronized (lock) {
            now = state;
            failed = loading;
        }
        if (now == ModelState.CLOSED || closing) {
            throw new IllegalStateException("model " + file + " is closed");
        }
        if (now == ModelState.FAILED) {
            throw unwrap(failed.handle((v, e) -> e).join());
        }
        int capacity = settings.maxConcurrent() + settings.queueLimit();
        while (true) {
            int current = admitted.get();
            if (current >= capacity) {
                throw new ModelBusyException("in-process model " + file.getFileName() + " is busy: "
                        + running.get() + " of " + settings.maxConcurrent() + " slots generating and "
                        + (current - running.get()) + " callers waiting (queue limit " + settings.queueLimit() + ")");
            }
            if (admitted.compareAndSet(current, current + 1)) {
                return new Admission();
            }
        }
    }

    /** A caller let in: waits for the load and a free slot with {@link #acquire()}, or gives its place back. */
    final class Admission implements AutoCloseable {
        private boolean done;

        /**
         * Waits for the model to be loaded and for a free slot, at most {@code queueTimeout} for the slot.
         *
         * @throws ModelBusyException when no slot frees in time
         */
        Lease acquire() {
            try {
                awaitReady();
                if (closing) {
                    throw new IllegalStateException("model " + file + " is closed");
                }
                boolean got = slots.tryAcquire();
                try {
                    got = got || slots.tryAcquire(settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException("interrupted while queued for " + file);
                }
                if (!got) {
                    throw new ModelBusyException(
                            "in-process model " + file.getFileName() + " is busy: no slot freed in "
                                    + settings.queueTimeout().toMillis() + " ms");
                }
                LlamaModel loaded = llama;
                if (closing || loaded == null) {
                    slots.release();
                    throw new IllegalStateException("model " + file + " is closed");
                }
                running.incrementAndGet();
                done = true;
                return new Lease(loaded);
            } finally {
                if (!done) {
                    close();
                }
            }
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                admitted.decrementAndGet();
            }
        }
    }

    /** A slot held for one generation. */
    final class Lease implements AutoCloseable {
        private final LlamaModel model;
        private boolean released;

        private Lease(LlamaModel model) {
            this.model = model;
        }

        LlamaModel llama() {
            return model;
        }

        GgufModelInfo info() {
            return info;
        }

        int contextSize() {
            return contextSize;
        }

        /** Set while {@link LlamaCppModel#close()} waits for generations to end: they stop at the next token. */
        boolean closing() {
            return closing;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                running.decrementAndGet();
                admitted.decrementAndGet();
                slots.release();
            }
        }
    }

    /**
     * Stops admitting callers, lets running generations stop at their next token (up to 10 s), then stops the
     * native model.
     *
     * <p>Native memory is <em>not</em> given back: in de.kherud:llama 4.2.0 {@code LlamaModel.close()} only ends
     * llama.cpp's task loop and never deletes its context (the {@code delete} is commented out in
     * {@code jllama.cpp}); weights, KV cache and buffers stay until the process exits, and its loop thread stays
     * attached to the JVM as a non-daemon thread, so a plain {@code main} does not exit by itself. Load a model once
     * per process and keep it.
     */
    public void close() {
        LlamaModel toClose;
        synchronized (lock) {
            if (state == ModelState.CLOSED) {
                return;
            }
            closing = true;
            toClose = llama;
            llama = null;
            transition(ModelState.CLOSED, null);
        }
        if (toClose == null) {
            return;
        }
        boolean drained = false;
        try {
            drained = slots.tryAcquire(settings.maxConcurrent(), CLOSE_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (drained) {
            toClose.close();
        } else {
            log.warn("{}: generations still running after {}; native model left open", file, CLOSE_DRAIN);
        }
    }
}
