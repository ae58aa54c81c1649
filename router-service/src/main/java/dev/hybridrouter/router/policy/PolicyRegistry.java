package dev.hybridrouter.router.policy;

import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyError;
import dev.hybridrouter.policies.PolicyException;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.policies.TenantsLoader;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.capture.CapturedExchange;
import dev.hybridrouter.router.capture.JsonLinesWriter;
import dev.hybridrouter.router.execution.RedisAnswers;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.learning.Labeller;
import dev.hybridrouter.router.learning.Learning;
import dev.hybridrouter.router.redis.Redis;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.Router;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Holds what serves requests: every policy of the policy location, made ready, and, with a tenants file
 * ({@code router.tenants-file}), who may call and which policy serves each caller. Both files are reloaded
 * when they change.
 *
 * <p>At startup an invalid policy or tenants file stops the service with every error, as {@code
 * file:line:column: message}; the service is not ready until the policies and their classifiers are loaded.
 * Afterwards a valid change is compiled in the background and swapped in atomically, while an invalid one
 * (including a tenants file naming a policy that is gone) is logged and reported by {@link #status()}, and
 * what served before keeps serving. Without a tenants file the router is in single-user mode: every caller is
 * served by the default policy without a key.
 */
@Component
public class PolicyRegistry {

    static final String BUNDLED_POLICY = "policies/default.yaml";

    private static final Logger log = LoggerFactory.getLogger(PolicyRegistry.class);

    private final RouterProperties properties;
    private final Function<Policy, DomainClassifier> classifiers;
    private final Clock clock;
    private final UpstreamFactory upstreams;
    private final PolicySource source;
    private final Path tenantsFile;
    private final MeterRegistry meters;
    /** Where response caches keep answers for every replica, or null without Redis. */
    private final RedisAnswers sharedAnswers;
    /** The process's embeddings, for semantic caches. */
    private final EmbeddingCache embeddings;

    private final Map<Policy.Capture, JsonLinesWriter<CapturedExchange>> captureWriters = new HashMap<>();
    /** The labellers of the policies that learn, by policy name. */
    private final Map<String, Learning> learnings = new HashMap<>();

    private volatile Served served;
    private volatile Status status;
    /** The newest valid policies read, served or not: a tenants file fixed later is checked against them. */
    private PolicySet latestPolicies;
    /** The tenants file's bytes at the last check. */
    private byte[] latestTenants;

    PolicyRegistry(
            RouterProperties properties,
            Function<Policy, DomainClassifier> classifiers,
            Clock clock,
            UpstreamFactory upstreams,
            MeterRegistry meters,
            Optional<Redis> redis,
            EmbeddingCache embeddings) {
        this.properties = properties;
        this.meters = meters;
        this.sharedAnswers = redis.map(RedisAnswers::new).orElse(null);
        this.embeddings = embeddings;
        this.classifiers = classifiers;
        this.clock = clock;
        this.upstreams = upstreams;
        String location = properties.policies().location();
        this.source = location == null || location.isBlank() ? null : new PolicySource(Path.of(location));
        String tenants = properties.tenantsFile();
        this.tenantsFile = tenants == null || tenants.isBlank() ? null : Path.of(tenants);
        latestPolicies = source == null ? bundledPolicies() : source.load();
        latestTenants = tenantsFile == null ? null : read(tenantsFile);
        activate(latestPolicies, tenants(latestPolicies, latestTenants));
        if (tenantsFile == null) {
            log.warn("Single-user mode: no tenants file (router.tenants-file, env ROUTER_TENANTS_FILE), so every"
                    + " caller is served without an API key. Set one before exposing the router to more than one"
                    + " app; docs/tenants.md shows how.");
        }
    }

    /**
     * What serves requests now, taken once per request.
     *
     * @param policies every policy, made ready, by name
     * @param defaultPolicy the policy of single-user mode: the one named {@code default}, or the only one; with
     *     tenants it may be {@code null}, since each tenant names its own
     * @param tenants who may call, or {@code null} in single-user mode
     */
    public record Served(Map<String, ActivePolicy> policies, ActivePolicy defaultPolicy, Tenants tenants) {

        public Served {
            policies = Map.copyOf(policies);
        }

        /** The policy that serves a tenant; the files were checked together, so it exists. */
        public ActivePolicy policyOf(Tenants.Tenant tenant) {
            return Objects.requireNonNull(policies.get(tenant.policy()), tenant.policy());
        }
    }

    public Served served() {
        return served;
    }

    /** The policy of single-user mode. Take it once per request. */
    public ActivePolicy active() {
        return served.defaultPolicy();
    }

    /** Model names that mean "let the router decide". */
    public List<String> autoModels() {
        return properties.autoModels();
    }

    /** Where policies and tenants come from, what is in force, and how the last reload went. */
    public Status status() {
        return status;
    }

    /** Loads the policies and the tenants file again if they changed. Runs on the scheduler, never on a request. */
    @Scheduled(
            fixedDelayString = "${router.policies.reload-interval}",
            initialDelayString = "${router.policies.reload-interval}")
    public synchronized void reloadIfChanged() {
        boolean changed = false;
        PolicyException failure = null;
        if (source != null) {
            var reload = source.checkForChanges();
            if (reload.isPresent()) {
                changed = true;
                if (reload.get() instanceof PolicySource.Reload.Loaded loaded) {
                    latestPolicies = loaded.policies();
                } else {
                    failure = ((PolicySource.Reload.Failed) reload.get()).failure();
                }
            }
        }
        if (tenantsFile != null) {
            byte[] bytes;
            try {
                bytes = read(tenantsFile);
            } catch (PolicyException e) {
                bytes = e.getMessage().getBytes(StandardCharsets.UTF_8);
                failure = failure == null ? e : failure;
            }
            if (!Arrays.equals(bytes, latestTenants)) {
                changed = true;
                latestTenants = bytes;
            }
        }
        if (!changed) {
            return;
        }
        try {
            if (failure != null) {
                throw failure;
            }
            activate(latestPolicies, tenants(latestPolicies, latestTenants));
        } catch (PolicyException e) {
            Status current = status;
            status = new Status(
                    current.location(),
                    current.policies(),
                    current.tenantsFile(),
                    current.tenants(),
                    current.loadedAt(),
                    clock.instant(),
                    e.getMessage());
            log.error("Change rejected; what was in force keeps serving:\n{}", e.getMessage());
        }
    }

    private Tenants tenants(PolicySet policies, byte[] tenants) {
        if (tenantsFile == null) {
            return null;
        }
        return TenantsLoader.parse(
                tenantsFile.toString(), tenants, policies.policies().keySet(), System::getenv);
    }

    private void activate(PolicySet policies, Tenants tenants) {
        Policy defaultPolicy = tenants == null
                ? policies.defaultPolicy()
                : policies.policy(PolicySet.DEFAULT_NAME)
                        .orElse(
                                policies.policies().size() == 1
                                        ? policies.policies()
                                                .values()
                                                .iterator()
                                                .next()
                                        : null);
        boolean one = policies.policies().size() == 1;
        Map<String, ActivePolicy> previous = served == null ? Map.of() : served.policies();
        Map<String, ActivePolicy> ready = new LinkedHashMap<>();
        for (Policy policy : policies.policies().values()) {
            ActivePolicy running = previous.get(policy.name());
            // breakers are named by policy only while several are served, so a change of that recompiles
            boolean unchanged = running != null && running.policy().equals(policy) && (previous.size() == 1) == one;
            ready.put(policy.name(), unchanged ? running : compile(policy, one ? "" : policy.name() + "/"));
        }
        closeUnusedCaptureWriters(ready);
        closeUnusedLabellers(ready);
        served = new Served(ready, defaultPolicy == null ? null : ready.get(defaultPolicy.name()), tenants);
        Instant now = clock.instant();
        status = new Status(
                source == null
                        ? "classpath:" + BUNDLED_POLICY
                        : properties.policies().location(),
                List.copyOf(ready.keySet()),
                tenantsFile == null ? null : tenantsFile.toString(),
                tenants == null ? null : tenants.tenants().size(),
                now,
                now,
                null);
        ready.values()
                .forEach(active -> log.info(
                        "Policy '{}' in force: {} domains, {} specialists, {} large models",
                        active.policy().name(),
                        active.policy().domains().size(),
                        active.policy().specialists().size(),
                        active.policy().largeModels().size()));
        if (tenants != null) {
            log.info(
                    "Tenants in force from {}: {}",
                    tenantsFile,
                    String.join(", ", tenants.tenants().keySet()));
        }
    }

    private ActivePolicy compile(Policy policy, String guardPrefix) {
        UpstreamFactory.Built built = upstreams.build(policy, guardPrefix);
        ActivePolicy compiled = new ActivePolicy(
                new Router(
                        policy,
                        classifiers.apply(policy),
                        new HashSet<>(properties.autoModels()),
                        properties.limits().maxJudgedTexts()),
                built.upstreams(),
                built.unavailable(),
                captureWriterFor(policy.capture()),
                new ResponseCache(policy, digest(policy), clock, sharedAnswers, embeddings),
                labellerFor(policy));
        compiled.unavailable().values().forEach(reason -> log.warn("{}", reason));
        return compiled;
    }

    /** A digest of everything the policy says, the same in every replica that reads the same policy. */
    private static String digest(Policy policy) {
        return Sha256.hex(WireJson.MAPPER.writeValueAsBytes(policy)).substring(0, 16);
    }

    /** The capture writer for these settings: the running one while they are unchanged, else a new one. */
    private JsonLinesWriter<CapturedExchange> captureWriterFor(Policy.Capture settings) {
        if (settings == null) {
            return null;
        }
        return captureWriters.computeIfAbsent(
                settings, s -> JsonLinesWriter.start(JsonLinesWriter.Output.capture(s), clock, meters));
    }

    private void closeUnusedCaptureWriters(Map<String, ActivePolicy> ready) {
        var used = new HashSet<Policy.Capture>();
        ready.values().forEach(active -> used.add(active.policy().capture()));
        captureWriters.entrySet().removeIf(entry -> {
            if (used.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().close();
            return true;
        });
    }

    /**
     * The labeller of a policy that learns: the running one while its learning settings are unchanged, else a new
     * one (in automatic mode with the labels written so far).
     */
    private Labeller labellerFor(Policy policy) {
        Policy.Learning settings = policy.learning();
        if (settings == null) {
            return null;
        }
        Learning running = learnings.get(policy.name());
        if (running != null && running.settings().equals(settings)) {
            return running.labeller();
        }
        if (running != null) {
            running.labeller().close();
        }
        Labeller labeller = Learning.start(policy.name(), settings, this, classifiers, clock, meters);
        learnings.put(policy.name(), new Learning(settings, labeller));
        return labeller;
    }

    private void closeUnusedLabellers(Map<String, ActivePolicy> ready) {
        learnings.entrySet().removeIf(entry -> {
            ActivePolicy active = ready.get(entry.getKey());
            if (active != null && active.labeller() == entry.getValue().labeller()) {
                return false;
            }
            entry.getValue().labeller().close();
            return true;
        });
    }

    /** Writes out captured exchanges and labels still queued. */
    @PreDestroy
    synchronized void close() {
        captureWriters.values().forEach(JsonLinesWriter::close);
        captureWriters.clear();
        learnings.values().forEach(learning -> learning.labeller().close());
        learnings.clear();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyException(List.of(new PolicyError(file.toString(), 0, 0, "cannot be read: " + e)));
        }
    }

    private static PolicySet bundledPolicies() {
        try {
            String yaml = new ClassPathResource(BUNDLED_POLICY).getContentAsString(StandardCharsets.UTF_8);
            Policy policy = PolicyLoader.parse("classpath:" + BUNDLED_POLICY, yaml);
            return new PolicySet("classpath:" + BUNDLED_POLICY, Map.of(policy.name(), policy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param location the policy file or directory
     * @param policies the names of the policies in force
     * @param tenantsFile the tenants file, or {@code null} in single-user mode
     * @param tenants how many tenants are in force, or {@code null} in single-user mode
     * @param loadedAt when what serves was put in force
     * @param checkedAt when a change was last loaded or rejected
     * @param lastError why the last change was rejected, or {@code null} if it was not
     */
    public record Status(
            String location,
            List<String> policies,
            String tenantsFile,
            Integer tenants,
            Instant loadedAt,
            Instant checkedAt,
            String lastError) {}
}
