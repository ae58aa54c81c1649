package dev.hybridrouter.router.bench;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.HybridRouterApplication;
import dev.hybridrouter.router.KeywordClassifier;
import dev.hybridrouter.router.execution.UpstreamResilience;
import dev.hybridrouter.router.routing.DomainClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The whole router service, started in this JVM on a free port of 127.0.0.1 with the soak's policy: the
 * real application configuration, HTTP stack, routing, failover, breakers and retries. Only the domain
 * classifier is a stub (see {@link KeywordClassifier}); classifier cost has a benchmark of its own.
 */
final class SoakRouter implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private SoakRouter(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts the router on the policy file, and returns once it serves. */
    static SoakRouter start(Path policy) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(
                        HybridRouterApplication.class, KeywordClassifierConfig.class)
                .initializers(applicationContext -> applicationContext
                        .getBeanFactory()
                        .registerSingleton(
                                "soakTypeExcludeFilter", new dev.hybridrouter.router.SkipTestConfigurations()))
                .run(
                        "--server.address=127.0.0.1",
                        "--server.port=0",
                        "--router.policies.location=" + policy,
                        "--router.policies.reload-interval=1h",
                        "--spring.main.banner-mode=off");
        return new SoakRouter(context);
    }

    int port() {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    UpstreamResilience resilience() {
        return context.getBean(UpstreamResilience.class);
    }

    /**
     * What the router's retries did so far, per upstream: calls by kind ({@code successful_without_retry},
     * {@code successful_with_retry}, {@code failed_with_retry}, {@code failed_without_retry}), from its
     * Resilience4j meters.
     */
    Map<String, Map<String, Long>> retries() {
        Map<String, Map<String, Long>> retries = new TreeMap<>();
        context.getBean(MeterRegistry.class)
                .find("resilience4j.retry.calls")
                .functionCounters()
                .forEach(counter -> {
                    String kind = counter.getId().getTag("kind");
                    retries.computeIfAbsent(counter.getId().getTag("name"), name -> new TreeMap<>())
                            .put(kind, (long) counter.count());
                });
        return retries;
    }

    @Override
    public void close() {
        context.close();
    }

    /**
     * Writes the soak's policy: two domains answered by specialists on the local fake, escalation to the
     * cloud fake with {@code on-unavailable: local}. Resilience is the service's defaults except: a
     * breaker waits 1 s when open (not 30 s), so that it opens and recovers several times within a run of
     * a minute or two; every call is limited to 5 s, so that a request's whole failover chain ends well
     * within the load generator's time limit; and the bulkhead is wide, so that it does not refuse calls
     * at this concurrency and blur what the breakers do.
     */
    static Path writePolicy(
            Path dir,
            String localBaseUrl,
            String cloudBaseUrl,
            int breakerWindow,
            int breakerMinimumCalls,
            int maxConcurrentCalls)
            throws IOException {
        Path key = Files.writeString(dir.resolve("cloud.key"), "sk-soak\n");
        String policy =
                """
                version: 1
                name: soak
                classifier:
                  threshold: 0.5
                domains:
                  - name: it-helpdesk
                    specialist: helpdesk-slm
                    examples: [I forgot my password, my laptop will not connect to the VPN]
                  - name: hr
                    specialist: hr-slm
                    examples: [how many vacation days do I have left, when is payday]
                specialists:
                  helpdesk-slm:
                    provider: openai-compatible
                    base-url: %1$s
                    model: qwen2.5-1.5b-instruct
                    system-prompt: You are the IT helpdesk.
                    timeout: 5s
                  hr-slm:
                    provider: openai-compatible
                    base-url: %1$s
                    model: llama3.2-1b-instruct
                    system-prompt: You are the HR assistant.
                    timeout: 5s
                escalation:
                  large-model: cloud
                  on-unavailable: local
                  on-specialist-unavailable: escalate
                large-models:
                  cloud:
                    provider: openai
                    base-url: %2$s
                    model: gpt-4o-mini
                    api-key-file: %3$s
                    timeout: 5s
                resilience:
                  circuit-breaker:
                    failure-rate-threshold: 50
                    sliding-window-size: %4$d
                    minimum-calls: %5$d
                    wait-in-open: 1s
                    half-open-calls: 3
                  first-token-timeout: 5s
                  max-concurrent-calls: %6$d
                  retry:
                    max-attempts: 2
                    initial-backoff: 200ms
                """
                        .formatted(
                                localBaseUrl,
                                cloudBaseUrl,
                                key,
                                breakerWindow,
                                breakerMinimumCalls,
                                maxConcurrentCalls);
        return Files.writeString(dir.resolve("soak.yaml"), policy);
    }

    /**
     * The stub classifier, as the wire tests use: a domain scores 0.9 when the last user message names
     * it, else 0.1, under the policy's threshold, so the request escalates. Primary, so that it wins over
     * the service's own classifier. A test configuration, so no other context's component scan finds it.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class KeywordClassifierConfig {

        @Bean
        @Primary
        Function<Policy, DomainClassifier> keywordClassifiers() {
            return KeywordClassifier.forPolicies();
        }
    }
}
