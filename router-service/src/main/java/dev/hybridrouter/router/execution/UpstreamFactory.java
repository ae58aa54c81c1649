package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.LargeModelSettings;
import dev.hybridrouter.gateway.LargeModels;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.UpstreamNotConfiguredException;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.hybridrouter.specialists.SpecialistSettings;
import dev.hybridrouter.specialists.Specialists;
import dev.hybridrouter.specialists.inprocess.InProcessEngine;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds the upstreams a policy names: each model's client, from the module that owns its kind, and its
 * guard. Clients are light (they share the one pooled HTTP client, and in-process models are shared by
 * file) and building one opens no connection and waits for no model load, so an unreachable or missing
 * model does not stop a policy from loading; a model that cannot be called as configured (its API key is
 * not set) is left out, with the reason.
 */
public final class UpstreamFactory {

    private final UpstreamHttpClient http;
    private final Specialists specialists;
    private final UpstreamResilience resilience;
    private final UnaryOperator<String> env;
    private final Clock clock;

    /**
     * @param engine runs the in-process specialists
     * @param env reads environment variables (API keys)
     */
    public UpstreamFactory(
            UpstreamHttpClient http,
            InProcessEngine engine,
            UpstreamResilience resilience,
            UnaryOperator<String> env,
            Clock clock) {
        this.http = http;
        this.specialists = new Specialists(http, engine, env, clock);
        this.resilience = resilience;
        this.env = env;
        this.clock = clock;
    }

    /**
     * A policy's models.
     *
     * @param upstreams each callable model, by {@link Target#toString()}
     * @param unavailable why each other model cannot be called, by target
     */
    public record Built(Map<String, Upstream> upstreams, Map<String, String> unavailable) {}

    /**
     * @param guardPrefix put before each target's name to name its breaker, bulkheads and retry: empty while one
     *     policy is served, else the policy's name and a slash, so that policies naming the same model name do
     *     not share a breaker
     */
    public Built build(Policy policy, String guardPrefix) {
        Built built = new Built(new LinkedHashMap<>(), new LinkedHashMap<>());
        policy.specialists().forEach((name, spec) -> {
            var settings = settings(name, spec);
            add(
                    built,
                    guardPrefix,
                    Target.specialist(name),
                    () -> specialists.create(settings),
                    spec.resilience(),
                    spec.timeout());
        });
        policy.largeModels().forEach((name, spec) -> {
            var settings = new LargeModelSettings(
                    name,
                    LargeModelSettings.Provider.valueOf(spec.provider().name()),
                    spec.model(),
                    spec.baseUrl(),
                    spec.apiKeyEnv(),
                    spec.apiKeyFile(),
                    spec.resilience().connectTimeout(),
                    spec.timeout());
            add(
                    built,
                    guardPrefix,
                    Target.large(name),
                    () -> LargeModels.create(settings, http, env, clock),
                    spec.resilience(),
                    spec.timeout());
        });
        return built;
    }

    /** What the specialists module needs to build the specialist a policy names. */
    public static SpecialistSettings settings(String name, Policy.Specialist spec) {
        return new SpecialistSettings(
                name,
                SpecialistSettings.Provider.valueOf(spec.provider().name()),
                spec.baseUrl(),
                spec.model(),
                spec.apiKeyEnv(),
                spec.systemPrompt(),
                spec.fewShot().stream()
                        .map(turn -> new SpecialistSettings.Example(turn.user(), turn.assistant()))
                        .toList(),
                spec.resilience().connectTimeout(),
                spec.timeout(),
                inProcess(spec.inProcess()));
    }

    private static SpecialistSettings.InProcess inProcess(Policy.InProcess spec) {
        if (spec == null) {
            return null;
        }
        return new SpecialistSettings.InProcess(
                spec.modelPath() != null ? Path.of(spec.modelPath()) : null,
                spec.modelUrl() != null ? URI.create(spec.modelUrl()) : null,
                spec.modelSha256(),
                spec.contextSize() != null ? spec.contextSize() : 0,
                spec.threads(),
                spec.maxConcurrent(),
                spec.queueLimit(),
                spec.lora() != null ? Path.of(spec.lora()) : null,
                spec.load() == Policy.Load.EAGER);
    }

    private void add(
            Built built,
            String guardPrefix,
            Target target,
            Supplier<ChatClient> client,
            Policy.Resilience protection,
            Duration timeout) {
        try {
            built.upstreams()
                    .put(
                            target.toString(),
                            new Upstream(
                                    target, client.get(), resilience.guard(guardPrefix + target, protection, timeout)));
        } catch (UpstreamNotConfiguredException e) {
            built.unavailable().put(target.toString(), e.getMessage());
        }
    }
}
