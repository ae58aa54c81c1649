package dev.hybridrouter.router.policy;

import dev.hybridrouter.gateway.LargeModel;
import dev.hybridrouter.gateway.LargeModelSettings;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.capture.CaptureWriter;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.hybridrouter.router.upstream.Attempt;
import dev.hybridrouter.router.upstream.Guard;
import dev.hybridrouter.router.upstream.Upstream;
import dev.hybridrouter.router.upstream.UpstreamResilience;
import dev.hybridrouter.specialists.Specialist;
import dev.hybridrouter.specialists.SpecialistSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.springframework.http.HttpStatus;

/**
 * One policy compiled for serving: its router and a client for every model it names. Immutable; a
 * request takes one snapshot and uses it throughout.
 *
 * @param router decides where each request goes
 * @param upstreams the models that can be called, by {@link Target#toString()}
 * @param unavailable why a model the policy names cannot be called (e.g. its API key is not set), by target
 * @param capture where escalated exchanges of opted-in domains are recorded, or {@code null}
 */
public record ActivePolicy(
        Router router, Map<String, Upstream> upstreams, Map<String, String> unavailable, CaptureWriter capture) {

    /** Why a large model answers a request meant for a specialist. */
    public static final String SPECIALIST_UNAVAILABLE = "specialist-unavailable";

    /** Why a specialist answers a request meant for a large model. */
    public static final String LARGE_MODELS_UNAVAILABLE = "large-models-unavailable";

    public ActivePolicy {
        upstreams = Map.copyOf(upstreams);
        unavailable = Map.copyOf(unavailable);
    }

    public Policy policy() {
        return router.policy();
    }

    /**
     * The model to call for a target.
     *
     * @throws ApiException 503 naming what is missing, when the model cannot be called
     */
    public Upstream upstream(Target target) {
        Upstream upstream = upstreams.get(target.toString());
        if (upstream == null) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "server_error",
                    "upstream_not_configured",
                    null,
                    unavailable.getOrDefault(target.toString(), target + " is not configured"));
        }
        return upstream;
    }

    /**
     * The models to try for a decision, in order. A forced target is tried alone. A specialist is followed
     * by its fallback specialists and then, if the policy escalates when specialists are unavailable, by
     * the large models. The large models are followed, if the policy allows, by the domain's specialists,
     * marked degraded. A local-only request's plan has no large model.
     */
    public List<Attempt> plan(RoutingDecision decision) {
        if (decision.reason() == RoutingDecision.Reason.FORCED) {
            return List.of(Attempt.of(decision.target()));
        }
        List<Attempt> plan = fullPlan(decision);
        if (decision.localOnly()) {
            plan.removeIf(attempt -> attempt.target().kind() == Target.Kind.LARGE);
        }
        return plan;
    }

    private List<Attempt> fullPlan(RoutingDecision decision) {
        Policy.Escalation escalation = policy().escalation();
        List<Attempt> plan = new ArrayList<>();
        if (decision.target().kind() == Target.Kind.SPECIALIST) {
            specialistChain(decision.target().name()).forEach(name -> plan.add(Attempt.of(Target.specialist(name))));
            if (escalation.onSpecialistUnavailable() == Policy.OnSpecialistUnavailable.ESCALATE) {
                escalation.chain().forEach(name -> plan.add(new Attempt(Target.large(name), SPECIALIST_UNAVAILABLE)));
            }
        } else {
            escalation.chain().forEach(name -> plan.add(Attempt.of(Target.large(name))));
            if (escalation.onUnavailable() == Policy.OnUnavailable.LOCAL) {
                policy().domain(decision.route()).ifPresent(domain -> specialistChain(domain.specialist())
                        .forEach(name -> plan.add(new Attempt(Target.specialist(name), LARGE_MODELS_UNAVAILABLE))));
            }
        }
        return plan;
    }

    /** A specialist and the fallbacks after it; the loader rejects cycles. */
    private List<String> specialistChain(String first) {
        List<String> chain = new ArrayList<>();
        for (String name = first;
                name != null;
                name = policy().specialists().get(name).fallback()) {
            chain.add(name);
        }
        return chain;
    }

    /**
     * Compiles a policy. Building clients opens no connection, so an unreachable model does not stop a
     * policy from loading; a missing API key makes that one model unavailable, with the reason.
     *
     * @param env reads environment variables (API keys)
     * @param resilience the breakers, bulkheads and retries upstreams share across reloads
     * @param capture where escalated exchanges are recorded, or {@code null}
     */
    public static ActivePolicy compile(
            Policy policy,
            DomainClassifier classifier,
            Set<String> autoModels,
            UnaryOperator<String> env,
            UpstreamResilience resilience,
            CaptureWriter capture) {
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        policy.specialists().forEach((name, spec) -> {
            Target target = Target.specialist(name);
            try {
                String apiKey = spec.apiKeyEnv() == null ? null : apiKey(target, spec.apiKeyEnv(), null, env);
                var settings = new SpecialistSettings(
                        name,
                        SpecialistSettings.Provider.valueOf(spec.provider().name()),
                        spec.baseUrl(),
                        spec.model(),
                        apiKey,
                        spec.systemPrompt(),
                        spec.fewShot().stream()
                                .map(turn -> new SpecialistSettings.Example(turn.user(), turn.assistant()))
                                .toList());
                var http = Upstream.httpClient(spec.baseUrl(), spec.resilience().connectTimeout(), spec.timeout());
                Guard guard = resilience.guard(target, spec.resilience(), spec.timeout());
                upstreams.put(target.toString(), Upstream.of(Specialist.create(settings, http), spec.baseUrl(), guard));
            } catch (MissingApiKeyException e) {
                unavailable.put(target.toString(), e.getMessage());
            }
        });
        policy.largeModels().forEach((name, spec) -> {
            Target target = Target.large(name);
            try {
                var settings = new LargeModelSettings(
                        name,
                        LargeModelSettings.Provider.valueOf(spec.provider().name()),
                        spec.model(),
                        spec.baseUrl(),
                        apiKey(target, spec.apiKeyEnv(), spec.apiKeyFile(), env));
                String provider =
                        spec.provider().name().toLowerCase(Locale.ROOT).replace('_', '-');
                var http = Upstream.httpClient(spec.baseUrl(), spec.resilience().connectTimeout(), spec.timeout());
                Guard guard = resilience.guard(target, spec.resilience(), spec.timeout());
                upstreams.put(target.toString(), Upstream.of(LargeModel.create(settings, http), provider, guard));
            } catch (MissingApiKeyException e) {
                unavailable.put(target.toString(), e.getMessage());
            }
        });
        return new ActivePolicy(new Router(policy, classifier, autoModels), upstreams, unavailable, capture);
    }

    private static String apiKey(Target target, String envName, String file, UnaryOperator<String> env) {
        if (envName != null) {
            String key = env.apply(envName);
            if (key == null || key.isBlank()) {
                throw new MissingApiKeyException(
                        target + " cannot be called: environment variable " + envName + " (its API key) is not set");
            }
            return key.trim();
        }
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new MissingApiKeyException(target + " cannot be called: its API key file " + file
                        + " cannot be read (" + e.getMessage() + ")");
            }
        }
        throw new MissingApiKeyException(target + " cannot be called: the policy gives no api-key-env or api-key-file");
    }

    private static final class MissingApiKeyException extends RuntimeException {
        MissingApiKeyException(String message) {
            super(message);
        }
    }
}
