package dev.hybridrouter.router;

import dev.hybridrouter.router.routing.ClassifierDiskCache;
import dev.hybridrouter.specialists.inprocess.ModelDownloader;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The service's own settings, under {@value #PREFIX}.
 *
 * @param policies where routing policies come from
 * @param autoModels model names that mean "let the router decide"; add the names your apps already
 *     send (e.g. {@code gpt-4o-mini}) so they need no change
 * @param limits what one request may ask of the router
 * @param server what one client connection may take of the server
 * @param classifier the in-process classifier's settings
 * @param models where in-process models are kept
 * @param redis where tenants' limits and budgets are shared by replicas
 * @param tenantsFile who may call and which policy serves each (env {@code ROUTER_TENANTS_FILE}); none for
 *     single-user mode, where every caller is served without a key
 */
@Validated
@ConfigurationProperties(RouterProperties.PREFIX)
public record RouterProperties(
        @DefaultValue Policies policies,
        @DefaultValue("auto") List<String> autoModels,
        @DefaultValue Limits limits,
        @DefaultValue Server server,
        @DefaultValue Classifier classifier,
        @DefaultValue Models models,
        @DefaultValue Redis redis,
        String tenantsFile) {

    public static final String PREFIX = "router";

    /**
     * @param location one policy YAML file or a directory of them; empty for the bundled example
     * @param reloadInterval how often the location is checked for changes
     */
    public record Policies(String location, @DefaultValue("5s") Duration reloadInterval) {}

    /**
     * Input limits that bound the work one request causes; a request over one gets a 400 (413 for the
     * body size) naming the setting.
     *
     * @param maxRequestSize the largest request body accepted
     * @param maxMessages the most messages in one request
     * @param maxCharacters the most characters of text in one request, all its strings together: what the
     *     personal-data detectors read
     * @param maxJudgedTexts the most distinct texts (of up to 1,000 characters each) the residency check
     *     classifies in one request, when the policy has local-only domains
     */
    public record Limits(
            @DefaultValue("1MB") DataSize maxRequestSize,
            @DefaultValue("1000") @Min(1) int maxMessages,
            @DefaultValue("500000") @Min(1) int maxCharacters,
            @DefaultValue("256") @Min(1) int maxJudgedTexts) {}

    /**
     * Limits on client connections, so that slow or idle clients cannot hold the server's connections and
     * file descriptors. Idle keep-alive connections close after {@code server.netty.idle-timeout}.
     *
     * @param headerTimeout the longest a request's headers may take, from their first byte
     * @param readTimeout the longest gap between two reads of a request
     * @param requestTimeout the longest a whole request (headers and body) may take to arrive
     * @param maxConnections client connections open at once; more are closed as soon as they are accepted
     */
    public record Server(
            @DefaultValue("10s") Duration headerTimeout,
            @DefaultValue("30s") Duration readTimeout,
            @DefaultValue("60s") Duration requestTimeout,
            @DefaultValue("10000") @Min(1) int maxConnections) {}

    /**
     * @param cacheSize the most message embeddings kept (about 1.6 KB each); 0 turns the cache off
     * @param cacheDir where trained classifiers are kept, one file each, so that a start or reload with a policy
     *     trained before skips training; empty turns this off. Default {@code ~/.cache/hybrid-router/classifiers}
     * @param cacheFiles the most trained classifiers kept in {@code cacheDir}; those used longest ago are deleted
     */
    public record Classifier(
            @DefaultValue("10000") long cacheSize, String cacheDir, @DefaultValue("32") @Min(1) int cacheFiles) {
        public Classifier {
            cacheDir = cacheDir != null ? cacheDir : ClassifierDiskCache.DEFAULT_DIR.toString();
        }

        /** {@code cacheDir}, or none when it is empty. */
        public Optional<Path> cacheDirectory() {
            return cacheDir.isBlank() ? Optional.empty() : Optional.of(Path.of(cacheDir));
        }
    }

    /**
     * Redis, for counts every replica must share: tenants' request rates, requests in flight and daily tokens.
     *
     * @param url e.g. {@code redis://redis:6379/0} or {@code rediss://user:password@host:6380}; empty to count in
     *     each process
     * @param timeout the longest a request waits for Redis before {@code onFailure} applies
     * @param onFailure when Redis fails: serve requests without their limits and budgets, or refuse them (503)
     * @param slotLease how long a request in flight holds its slot at most, so that the slots of a replica that
     *     died come free
     */
    public record Redis(
            String url,
            @DefaultValue("250ms") Duration timeout,
            @DefaultValue("open") OnFailure onFailure,
            @DefaultValue("10m") Duration slotLease) {}

    /** What happens to requests while Redis fails. */
    public enum OnFailure {
        /** Served without their limits and budgets. */
        OPEN,
        /** Refused with 503 {@code limits_unavailable}. */
        CLOSED
    }

    /**
     * @param cacheDir where model files that policies name by {@code model-url} are downloaded to, once;
     *     empty for {@code ~/.cache/hybrid-router/models}
     * @param offline never download: a model file not in the cache is reported missing, with how to place it
     *     by hand
     */
    public record Models(Path cacheDir, boolean offline) {
        public Models {
            cacheDir = cacheDir != null ? cacheDir : ModelDownloader.DEFAULT_CACHE_DIR;
        }
    }
}
