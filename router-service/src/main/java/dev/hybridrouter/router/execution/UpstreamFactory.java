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
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds the upstreams a policy names: each model's client, from the module that owns its kind, and its
 * guard. Clients are light (they share the one pooled HTTP client) and building one opens no connection,
 * so an unreachable model does not stop a policy from loading; a model that cannot be called as
 * configured (its API key is not set) is left out, with the reason.
 */
public final class UpstreamFactory {

    private final UpstreamHttpClient http;
    private final UpstreamResilience resilience;
    private final UnaryOperator<String> env;
    private final Clock clock;

    /** @param env reads environment variables (API keys) */
    public UpstreamFactory(
            UpstreamHttpClient http, UpstreamResilience resilience, UnaryOperator<String> env, Clock clock) {
        this.http = http;
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

    public Built build(Policy policy) {
        Built built = new Built(new LinkedHashMap<>(), new LinkedHashMap<>());
        policy.specialists().forEach((name, spec) -> {
            var settings = new SpecialistSettings(
                    name,
                    SpecialistSettings.Provider.valueOf(spec.provider().name()),
                    spec.baseUrl(),
                    spec.model(),
                    spec.apiKeyEnv(),
                    spec.systemPrompt(),
                    spec.fewShot().stream()
                            .map(turn -> new SpecialistSettings.Example(turn.user(), turn.assistant()))
                            .toList(),
                    spec.resilience().connectTimeout());
            add(
                    built,
                    Target.specialist(name),
                    () -> Specialists.create(settings, http, env),
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
                    Target.large(name),
                    () -> LargeModels.create(settings, http, env, clock),
                    spec.resilience(),
                    spec.timeout());
        });
        return built;
    }

    private void add(
            Built built, Target target, Supplier<ChatClient> client, Policy.Resilience protection, Duration timeout) {
        try {
            built.upstreams()
                    .put(
                            target.toString(),
                            new Upstream(target, client.get(), resilience.guard(target, protection, timeout)));
        } catch (UpstreamNotConfiguredException e) {
            built.unavailable().put(target.toString(), e.getMessage());
        }
    }
}
