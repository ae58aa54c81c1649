package dev.hybridrouter.router.policy;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.routing.DomainClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/** Holds the policy in force. An invalid policy at startup stops the service with the policy's errors. */
@Component
public class PolicyRegistry {

    static final String BUNDLED_POLICY = "policies/default.yaml";

    private static final Logger log = LoggerFactory.getLogger(PolicyRegistry.class);

    private final AtomicReference<ActivePolicy> active = new AtomicReference<>();
    private final Function<Policy, DomainClassifier> classifiers;
    private final RouterProperties properties;

    PolicyRegistry(RouterProperties properties, Function<Policy, DomainClassifier> classifiers) {
        this.properties = properties;
        this.classifiers = classifiers;
        activate(load());
    }

    /** Model names that mean "let the router decide". */
    public List<String> autoModels() {
        return properties.autoModels();
    }

    /** The policy in force now. Take it once per request. */
    public ActivePolicy active() {
        return active.get();
    }

    private Policy load() {
        String location = properties.policies().location();
        if (location == null || location.isBlank()) {
            try {
                String yaml = new ClassPathResource(BUNDLED_POLICY).getContentAsString(StandardCharsets.UTF_8);
                return PolicyLoader.parse("classpath:" + BUNDLED_POLICY, yaml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return PolicyLoader.load(Path.of(location));
    }

    private void activate(Policy policy) {
        ActivePolicy compiled = ActivePolicy.compile(
                policy, classifiers.apply(policy), new HashSet<>(properties.autoModels()), System::getenv);
        active.set(compiled);
        log.info(
                "Policy '{}' in force: {} domains, {} specialists, {} large models",
                policy.name(),
                policy.domains().size(),
                policy.specialists().size(),
                policy.largeModels().size());
        compiled.unavailable().values().forEach(reason -> log.warn("{}", reason));
    }
}
