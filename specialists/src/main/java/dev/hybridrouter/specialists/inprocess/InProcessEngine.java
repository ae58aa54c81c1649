package dev.hybridrouter.specialists.inprocess;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.UpstreamException.Kind;
import dev.hybridrouter.gateway.langchain4j.LangChain4jChatClient;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.specialists.SpecialistSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The in-process models of one service: the shared {@link LlamaCppModels} registry, and the model cache that
 * files named by URL are downloaded into, once, in the background. A model whose file is still downloading, or
 * could not be downloaded, is unavailable with a reason that says where the file belongs and how to place it by
 * hand. Thread-safe; close it when the service stops.
 */
public final class InProcessEngine implements AutoCloseable {

    /**
     * The system property naming the folder the bindings extract their native library to. Left unset they use
     * {@code java.io.tmpdir} and delete every file there whose name starts with {@code llama}, so the engine
     * gives them a folder of their own.
     */
    static final String NATIVE_DIR_PROPERTY = "de.kherud.llama.tmpdir";

    private static final Logger log = LoggerFactory.getLogger(InProcessEngine.class);

    private final LlamaCppModels models;
    private final ModelDownloader downloader;
    private final ExecutorService downloads;
    private final Map<Path, Download> downloadsByFile = new ConcurrentHashMap<>();
    private final Map<LlamaCppModel, Boolean> eager = new ConcurrentHashMap<>();

    /** How a model file's download stands. */
    public enum DownloadState {
        /** Being checked against its SHA-256, or downloaded. */
        RUNNING,
        /** In the cache and verified. */
        DONE,
        /** Could not be downloaded; see the reason. */
        FAILED
    }

    /**
     * One model file's download.
     *
     * @param reason for {@link DownloadState#FAILED}: where the file belongs and how to place it by hand
     */
    public record Download(URI url, DownloadState state, String reason) {}

    /**
     * One registered model, for health checks.
     *
     * @param eager whether it loads at start-up rather than on its first request
     * @param download its file's download, or {@code null} when the policy names a file on disk
     */
    public record Report(ModelStatus status, boolean eager, Download download) {

        /** Whether it is on its way to serving: its file downloading, or its eager load running. */
        public boolean starting() {
            if (download != null && download.state() != DownloadState.DONE) {
                return download.state() == DownloadState.RUNNING;
            }
            return eager && (status.state() == ModelState.LOADING || status.state() == ModelState.NOT_LOADED);
        }

        /** Whether it cannot serve until an operator acts: its file missing, refused, or not downloadable. */
        public boolean broken() {
            return (download != null && download.state() == DownloadState.FAILED)
                    || status.state() == ModelState.FAILED
                    || status.state() == ModelState.MISSING;
        }
    }

    private InProcessEngine(LlamaCppModels models, ModelDownloader downloader) {
        this.models = models;
        this.downloader = downloader;
        this.downloads = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "model-download");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param cacheDir where model files named by URL are kept
     * @param offline never download: a file not in the cache is reported missing, with how to place it by hand
     * @param progress where download progress is shown, e.g. {@code System.out}
     */
    public static InProcessEngine create(Path cacheDir, boolean offline, PrintStream progress) {
        ownNativeDir();
        ModelDownloader downloader = ModelDownloader.builder()
                .cacheDir(cacheDir)
                .offline(offline)
                .progress(progress)
                .build();
        return new InProcessEngine(LlamaCppModels.create(), downloader);
    }

    /**
     * A specialist's model as a chat client: its file registered (and fetched, when named by URL), answering in
     * the OpenAI wire format through LangChain4j. Until the file is there, calls fail as unavailable, with the
     * reason.
     *
     * @param name how errors name the specialist, e.g. {@code specialist 'support'}
     */
    public ChatClient chatClient(String name, SpecialistSettings settings, Clock clock) {
        LlamaCppModel model = model(settings.inProcess(), settings.timeout());
        LlamaCppChatModel chat = LlamaCppChatModel.builder()
                .model(model)
                .modelName(settings.model())
                .build();
        String modelName = settings.model() != null
                ? settings.model()
                : model.file().getFileName().toString();
        var client = new LangChain4jChatClient(name, modelName, chat, InProcessDialect.INSTANCE, 0, clock);
        return new ChatClient() {
            @Override
            public List<String> unsupported(ChatCompletionRequest request) {
                return client.unsupported(request);
            }

            @Override
            public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
                return Mono.defer(() -> unavailable(name, model)
                        .<Mono<ChatCompletion>>map(Mono::error)
                        .orElseGet(() -> client.complete(request, headers)));
            }

            @Override
            public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
                return Flux.defer(() -> unavailable(name, model)
                        .<Flux<ChatCompletionChunk>>map(Flux::error)
                        .orElseGet(() -> client.stream(request, headers)));
            }
        };
    }

    private Optional<UpstreamException> unavailable(String name, LlamaCppModel model) {
        return unavailable(model)
                .map(reason -> new UpstreamException(Kind.MODEL_NOT_LOADED, name + " cannot run: " + reason));
    }

    /**
     * The shared model a specialist runs on, registered at once. A file named by URL is fetched first, in the
     * background; until it is in the cache, {@link #unavailable(LlamaCppModel)} says why the model cannot
     * answer. An eager model starts loading as soon as its file is there.
     *
     * @param queueTimeout the longest a request waits for one of the model's slots
     */
    LlamaCppModel model(SpecialistSettings.InProcess settings, Duration queueTimeout) {
        Path file = settings.modelPath() != null
                ? expandHome(settings.modelPath())
                : downloader.target(settings.modelUrl());
        LlamaCppModelSettings load = LlamaCppModelSettings.of(file)
                .withContextSize(settings.contextSize())
                .withThreads(settings.threads())
                .withMaxConcurrent(settings.maxConcurrent())
                .withQueue(settings.queueLimit(), queueTimeout)
                .withLoraAdapter(settings.lora() != null ? expandHome(settings.lora()) : null);
        if (settings.modelUrl() == null) {
            LlamaCppModel model = models.model(load.withEager(settings.eager()));
            eager.merge(model, settings.eager(), Boolean::logicalOr);
            return model;
        }
        LlamaCppModel model = models.model(load);
        eager.merge(model, settings.eager(), Boolean::logicalOr);
        fetch(settings.modelUrl(), settings.modelSha256(), file, settings.eager() ? model : null);
        return model;
    }

    /** Why {@code model} cannot answer now although it may later, e.g. its file is downloading; else empty. */
    Optional<String> unavailable(LlamaCppModel model) {
        Download download = download(model);
        if (download == null || download.state() == DownloadState.DONE) {
            return Optional.empty();
        }
        if (download.state() == DownloadState.RUNNING) {
            return Optional.of("its model file " + model.file() + " is still being downloaded from " + download.url());
        }
        return Optional.of(download.reason());
    }

    /** Every registered model, with its download. */
    public List<Report> status() {
        return models.models().stream()
                .map(model -> new Report(model.status(), eager.getOrDefault(model, false), download(model)))
                .toList();
    }

    /**
     * The model file's download, or {@code null} for a file on disk. A failed download whose file has since
     * been placed by hand counts as done, and an eager model then loads.
     */
    private Download download(LlamaCppModel model) {
        Download download = downloadsByFile.get(model.file());
        if (download != null && download.state() == DownloadState.FAILED && Files.isRegularFile(model.file())) {
            log.info("Model file {} was placed by hand; using it", model.file());
            download = new Download(download.url(), DownloadState.DONE, null);
            downloadsByFile.put(model.file(), download);
            if (eager.getOrDefault(model, false)) {
                model.loadAsync();
            }
        }
        return download;
    }

    /** Stops downloads and closes every model. */
    @Override
    public void close() {
        downloads.shutdownNow();
        models.close();
    }

    /** Fetches {@code url} once per file: a failed download is tried again only by a reload naming it again. */
    private void fetch(URI url, String sha256, Path file, LlamaCppModel loadWhenDone) {
        Download current = downloadsByFile.get(file);
        if (current != null && current.state() != DownloadState.FAILED) {
            if (current.state() == DownloadState.DONE && loadWhenDone != null) {
                loadWhenDone.loadAsync();
            }
            return;
        }
        downloadsByFile.put(file, new Download(url, DownloadState.RUNNING, null));
        downloads.execute(() -> {
            try {
                downloader.fetch(url, sha256);
                downloadsByFile.put(file, new Download(url, DownloadState.DONE, null));
                if (loadWhenDone != null) {
                    loadWhenDone.loadAsync();
                }
            } catch (RuntimeException e) {
                log.error("{}", e.getMessage());
                downloadsByFile.put(file, new Download(url, DownloadState.FAILED, e.getMessage()));
            }
        });
    }

    private static Path expandHome(Path path) {
        String text = path.toString();
        if (text.equals("~") || text.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(text.substring(Math.min(2, text.length())));
        }
        return path;
    }

    /** Gives the bindings a native-library folder of their own, unless the operator named one. */
    private static synchronized void ownNativeDir() {
        if (System.getProperty(NATIVE_DIR_PROPERTY) != null) {
            return;
        }
        Path dir =
                Path.of(System.getProperty("java.io.tmpdir"), "hybrid-router-llama-" + System.getProperty("user.name"));
        try {
            Files.createDirectories(dir);
            System.setProperty(NATIVE_DIR_PROPERTY, dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for llama.cpp's native library", e);
        }
    }
}
