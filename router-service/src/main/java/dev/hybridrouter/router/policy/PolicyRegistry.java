package dev.hybridrouter.router.policy;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyException;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.policies.PolicySource;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.capture.CaptureWriter;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Holds the policy in force and reloads it when its files change.
 *
 * <p>At startup an invalid policy stops the service with every error, as {@code file:line:column:
 * message}; the service is not ready until the policy and its classifier are loaded. Afterwards a valid
 * change is compiled in the background and swapped in atomically, while an invalid one is logged and
 * reported by {@link #status()} and the last good policy keeps serving.
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
    private final AtomicReference<ActivePolicy> active = new AtomicReference<>();
    private final AtomicReference<Status> status = new AtomicReference<>();
    private final MeterRegistry meters;
    private CaptureWriter captureWriter;

    PolicyRegistry(
            RouterProperties properties,
            Function<Policy, DomainClassifier> classifiers,
            Clock clock,
            UpstreamFactory upstreams,
            MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        this.classifiers = classifiers;
        this.clock = clock;
        this.upstreams = upstreams;
        String location = properties.policies().location();
        this.source = location == null || location.isBlank() ? null : new PolicySource(Path.of(location));
        activate(source == null ? bundledPolicy() : source.load().defaultPolicy());
    }

    /** The policy in force now. Take it once per request. */
    public ActivePolicy active() {
        return active.get();
    }

    /** Model names that mean "let the router decide". */
    public List<String> autoModels() {
        return properties.autoModels();
    }

    /** Where policies come from, what is in force, and how the last reload went. */
    public Status status() {
        return status.get();
    }

    /** Loads the policy again if its files changed. Runs on the scheduler, never on a request thread. */
    @Scheduled(
            fixedDelayString = "${router.policies.reload-interval}",
            initialDelayString = "${router.policies.reload-interval}")
    public void reloadIfChanged() {
        if (source == null) {
            return;
        }
        source.checkForChanges().ifPresent(reload -> {
            try {
                if (reload instanceof PolicySource.Reload.Failed failed) {
                    throw failed.failure();
                }
                activate(((PolicySource.Reload.Loaded) reload).policies().defaultPolicy());
            } catch (PolicyException e) {
                Status current = status.get();
                status.set(new Status(
                        current.location(), current.policy(), current.loadedAt(), clock.instant(), e.getMessage()));
                log.error("Policy change rejected; policy '{}' keeps serving:\n{}", current.policy(), e.getMessage());
            }
        });
    }

    private synchronized void activate(Policy policy) {
        UpstreamFactory.Built built = upstreams.build(policy);
        ActivePolicy compiled = new ActivePolicy(
                new Router(
                        policy,
                        classifiers.apply(policy),
                        new HashSet<>(properties.autoModels()),
                        properties.limits().maxJudgedTexts()),
                built.upstreams(),
                built.unavailable(),
                captureWriterFor(policy.capture()));
        active.set(compiled);
        Instant now = clock.instant();
        status.set(new Status(
                source == null
                        ? "classpath:" + BUNDLED_POLICY
                        : properties.policies().location(),
                policy.name(),
                now,
                now,
                null));
        log.info(
                "Policy '{}' in force: {} domains, {} specialists, {} large models",
                policy.name(),
                policy.domains().size(),
                policy.specialists().size(),
                policy.largeModels().size());
        compiled.unavailable().values().forEach(reason -> log.warn("{}", reason));
    }

    /** The capture writer for these settings: the running one while they are unchanged, else a new one. */
    private CaptureWriter captureWriterFor(Policy.Capture settings) {
        ActivePolicy current = active.get();
        Policy.Capture running = current == null ? null : current.policy().capture();
        if (captureWriter != null && settings != null && settings.equals(running)) {
            return captureWriter;
        }
        if (captureWriter != null) {
            captureWriter.close();
        }
        captureWriter = settings == null ? null : CaptureWriter.start(settings, clock, meters);
        return captureWriter;
    }

    /** Writes out captured exchanges still queued. */
    @PreDestroy
    synchronized void close() {
        if (captureWriter != null) {
            captureWriter.close();
        }
    }

    private static Policy bundledPolicy() {
        try {
            String yaml = new ClassPathResource(BUNDLED_POLICY).getContentAsString(StandardCharsets.UTF_8);
            return PolicyLoader.parse("classpath:" + BUNDLED_POLICY, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param location the policy file or directory
     * @param policy the name of the policy in force
     * @param loadedAt when it was put in force
     * @param checkedAt when a change was last loaded or rejected
     * @param lastError why the last change was rejected, or {@code null} if it was not
     */
    public record Status(String location, String policy, Instant loadedAt, Instant checkedAt, String lastError) {}
}
