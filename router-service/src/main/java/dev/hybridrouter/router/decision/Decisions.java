package dev.hybridrouter.router.decision;

import dev.hybridrouter.gateway.wire.Usage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.execution.Execution;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import org.springframework.stereotype.Component;

/**
 * Records what became of each routed request, once it has ended: the counters {@value #REQUESTS} (by tenant,
 * policy, route, the target that answered, reason, whether it escalated or degraded, outcome, and whether the
 * response cache answered), {@value #TOKENS} (by tenant, policy, target and kind, from the answer's usage), the
 * estimated cost of those tokens at the answering model's price ({@value #COST}, by tenant, policy and target) and
 * at the price of the policy's large model ({@value #BASELINE}, by tenant and policy: what sending everything to
 * it would have cost, so that the difference is what routing saved), {@value #CASCADE} (by tenant, policy, route and
 * outcome: what a cascade made of its specialist's answer; the tokens of an answer it did not keep count under the
 * specialist's target in the token and cost counters), and one line on the logger {@value #LOGGER}
 * whose message is a JSON object of the request's facts, which are also the line's key-value pairs (fields of their
 * own in structured logs). Neither ever holds prompt or answer text. The tags' values come from the configuration
 * (tenant, policy, domain and model names) and a fixed set of outcomes, so their number stays bounded.
 */
@Component
public class Decisions {

    static final String REQUESTS = "router.requests";
    static final String TOKENS = "router.tokens";
    static final String COST = "router.cost.estimated";
    static final String BASELINE = "router.cost.baseline.estimated";
    static final String CASCADE = "router.cascade";
    static final String LOGGER = "dev.hybridrouter.router.decisions";

    /** The tenant tag in single-user mode. */
    static final String NO_TENANT = "none";

    private static final Policy.Price FREE = new Policy.Price(0, 0);

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final MeterRegistry meters;
    /** The counters by their tags, so that a request looks its counter up instead of building its id. */
    private final Map<RequestTags, Counter> requests = new ConcurrentHashMap<>();

    private final Map<TokenTags, Counter> tokens = new ConcurrentHashMap<>();

    private final Map<CostTags, Counter> costs = new ConcurrentHashMap<>();

    private final Map<BaselineTags, Counter> baselines = new ConcurrentHashMap<>();

    private final Map<CascadeTags, Counter> cascades = new ConcurrentHashMap<>();

    Decisions(MeterRegistry meters) {
        this.meters = meters;
    }

    private record RequestTags(
            String tenant,
            String policy,
            String route,
            String target,
            String reason,
            boolean escalated,
            boolean degraded,
            String outcome,
            boolean cache) {}

    private record TokenTags(String tenant, String policy, String target, String kind) {}

    private record CostTags(String tenant, String policy, String target) {}

    private record BaselineTags(String tenant, String policy) {}

    private record CascadeTags(String tenant, String policy, String route, String outcome) {}

    private Counter register(RequestTags tags) {
        return counter(
                REQUESTS,
                "Routed chat requests, by who sent them, where they went and how they ended",
                "tenant",
                tags.tenant(),
                "policy",
                tags.policy(),
                "route",
                tags.route(),
                "target",
                tags.target(),
                "reason",
                tags.reason(),
                "escalated",
                Boolean.toString(tags.escalated()),
                "degraded",
                Boolean.toString(tags.degraded()),
                "outcome",
                tags.outcome(),
                "cache",
                Boolean.toString(tags.cache()));
    }

    private Counter register(TokenTags tags) {
        return counter(
                TOKENS,
                "Tokens of routed requests, as the answering model counted them",
                "tenant",
                tags.tenant(),
                "policy",
                tags.policy(),
                "target",
                tags.target(),
                "kind",
                tags.kind());
    }

    private Counter register(CostTags tags) {
        return counter(
                COST,
                "Estimated cost of routed requests' tokens at the answering model's price",
                "tenant",
                tags.tenant(),
                "policy",
                tags.policy(),
                "target",
                tags.target());
    }

    private Counter register(BaselineTags tags) {
        return counter(
                BASELINE,
                "Estimated cost of routed requests' tokens had the policy's large model answered them all",
                "tenant",
                tags.tenant(),
                "policy",
                tags.policy());
    }

    private Counter register(CascadeTags tags) {
        return counter(
                CASCADE,
                "Cascades: a specialist's answer to a request in its domain's band, kept or escalated",
                "tenant",
                tags.tenant(),
                "policy",
                tags.policy(),
                "route",
                tags.route(),
                "outcome",
                tags.outcome());
    }

    /** @param tags keys and values, alternating */
    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(meters);
    }

    /**
     * Starts the record of one routed request.
     *
     * @param tenant the caller's tenant, or {@code null} in single-user mode
     * @param observation the request's observation, whose trace the log line names, or {@code null}
     */
    public Recording start(
            String tenant,
            Policy policy,
            RoutingDecision decision,
            String requestId,
            long startNanos,
            Observation observation) {
        return new Recording(tenant == null ? NO_TENANT : tenant, policy, decision, requestId, startNanos, observation);
    }

    /** The price of a target's tokens: a specialist without one is free, a large model without one unknown. */
    private static Policy.Price price(Policy policy, Target target) {
        if (target.kind() == Target.Kind.SPECIALIST) {
            Policy.Specialist specialist = policy.specialists().get(target.name());
            return specialist == null || specialist.price() == null ? FREE : specialist.price();
        }
        Policy.LargeModel model = policy.largeModels().get(target.name());
        return model == null ? null : model.price();
    }

    /** One request's record; told what happened as it happens, written once when it ends. */
    public final class Recording {

        private final String tenant;
        private final Policy policy;
        private final RoutingDecision decision;
        private final String requestId;
        private final long startNanos;
        private final Observation observation;
        private Attempt answered;
        private Usage usage;
        private String outcome = "ok";
        private boolean cacheHit;
        private boolean finished;
        private Execution.Cascaded cascade;

        private Recording(
                String tenant,
                Policy policy,
                RoutingDecision decision,
                String requestId,
                long startNanos,
                Observation observation) {
            this.observation = observation;
            this.tenant = tenant;
            this.policy = policy;
            this.decision = decision;
            this.requestId = requestId;
            this.startNanos = startNanos;
        }

        /** The attempt that answers (failover may have changed it from the decision's target). */
        public synchronized void answeredBy(Attempt attempt) {
            answered = attempt;
        }

        public synchronized void usage(Usage usage) {
            if (usage != null) {
                this.usage = usage;
            }
        }

        /** The request failed; its outcome is the error's code. */
        public synchronized void failed(Throwable failure) {
            outcome = failure instanceof ApiException api ? api.code().outcome() : "internal";
        }

        /** What the cascade made of the specialist's answer; a rejected answer's tokens count for the specialist. */
        public synchronized void cascaded(Execution.Cascaded cascaded) {
            cascade = cascaded;
        }

        /** The answer came from the policy's response cache. */
        public synchronized void cacheHit() {
            cacheHit = true;
        }

        /** The caller went away before the answer ended. */
        public synchronized void cancelled() {
            if (outcome.equals("ok")) {
                outcome = "cancelled";
            }
        }

        /** Writes the record; later calls do nothing. */
        public synchronized void finish(long nowNanos) {
            if (finished) {
                return;
            }
            finished = true;
            Target target = answered != null ? answered.target() : decision.target();
            boolean degraded = answered != null && answered.degraded();
            String reason =
                    cascade != null ? cascade.reason() : decision.reason().label();
            requests.computeIfAbsent(
                            new RequestTags(
                                    tenant,
                                    policy.name(),
                                    decision.route(),
                                    target.toString(),
                                    reason,
                                    target.kind() == Target.Kind.LARGE,
                                    degraded,
                                    outcome,
                                    cacheHit),
                            Decisions.this::register)
                    .increment();
            Double cascadeCost = cascade == null ? null : countCascade();
            Double cost = null;
            if (usage != null) {
                long prompt = count(usage.promptTokens());
                long completion = count(usage.completionTokens());
                Policy.Price price = price(policy, target);
                if (!cacheHit) {
                    tokens(target, "prompt", prompt);
                    tokens(target, "completion", completion);
                    if (price != null) {
                        cost = price.of(prompt, completion);
                        costs.computeIfAbsent(
                                        new CostTags(tenant, policy.name(), target.toString()),
                                        Decisions.this::register)
                                .increment(cost);
                    }
                }
                Policy.Price baseline = policy.escalation().largeModel() == null
                        ? null
                        : price(policy, Target.large(policy.escalation().largeModel()));
                if (baseline != null && (cacheHit || price != null)) {
                    baselines
                            .computeIfAbsent(new BaselineTags(tenant, policy.name()), Decisions.this::register)
                            .increment(baseline.of(prompt, completion));
                }
            }
            if (log.isInfoEnabled()) {
                writeLine(target, reason, degraded, add(cost, cascadeCost), nowNanos);
            }
        }

        /** Counts the cascade's outcome, and the tokens of a specialist answer that was not kept; their cost. */
        private Double countCascade() {
            cascades.computeIfAbsent(
                            new CascadeTags(
                                    tenant,
                                    policy.name(),
                                    decision.route(),
                                    cascade.outcome().label()),
                            Decisions.this::register)
                    .increment();
            Usage rejected = cascade.rejectedUsage();
            if (rejected == null) {
                return null;
            }
            Target specialist = cascade.attempt().target();
            long prompt = count(rejected.promptTokens());
            long completion = count(rejected.completionTokens());
            tokens(specialist, "prompt", prompt);
            tokens(specialist, "completion", completion);
            double cost = price(policy, specialist).of(prompt, completion);
            costs.computeIfAbsent(new CostTags(tenant, policy.name(), specialist.toString()), Decisions.this::register)
                    .increment(cost);
            return cost;
        }

        /** The request's estimated cost: its answer's, with a rejected cascade answer's; unknown with the answer's. */
        private static Double add(Double cost, Double more) {
            if (cost == null || more == null) {
                return cost;
            }
            return cost + more;
        }

        /** The decision log line, in the request's trace: the trace and span ids go into the line's MDC. */
        private void writeLine(Target target, String reason, boolean degraded, Double cost, long nowNanos) {
            try (Observation.Scope scope = observation == null ? Observation.Scope.NOOP : observation.openScope()) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("requestId", requestId);
                facts.put("tenant", tenant);
                facts.put("policy", policy.name());
                facts.put("route", decision.route());
                facts.put("decided", decision.target().toString());
                facts.put("target", target.toString());
                facts.put("confidence", new BigDecimal(decision.confidenceText()));
                facts.put("reason", reason);
                facts.put("escalated", target.kind() == Target.Kind.LARGE);
                facts.put("degraded", degraded);
                if (degraded) {
                    facts.put("degradedReason", answered.degradedReason());
                }
                facts.put("localOnly", decision.localOnly());
                facts.put("outcome", outcome);
                facts.put("cache", cacheHit);
                facts.put("latencyMs", (nowNanos - startNanos) / 1_000_000);
                if (usage != null) {
                    facts.put("promptTokens", usage.promptTokens());
                    facts.put("completionTokens", usage.completionTokens());
                }
                if (cascade != null) {
                    facts.put("cascade", cascade.outcome().label());
                    if (cascade.score() != null) {
                        facts.put(
                                "cascadeScore",
                                BigDecimal.valueOf(cascade.score()).setScale(4, RoundingMode.HALF_UP));
                    }
                    if (cascade.rejectedUsage() != null) {
                        facts.put("cascadePromptTokens", cascade.rejectedUsage().promptTokens());
                        facts.put(
                                "cascadeCompletionTokens",
                                cascade.rejectedUsage().completionTokens());
                    }
                }
                if (cost != null) {
                    facts.put("estimatedCost", BigDecimal.valueOf(cost).setScale(6, RoundingMode.HALF_UP));
                }
                LoggingEventBuilder line = log.atInfo();
                facts.forEach(line::addKeyValue);
                line.log(WireJson.MAPPER.writeValueAsString(facts));
            }
        }

        private static long count(Integer tokens) {
            return tokens == null ? 0 : Math.max(0, tokens);
        }

        private void tokens(Target target, String kind, long count) {
            if (count == 0) {
                return;
            }
            tokens.computeIfAbsent(
                            new TokenTags(tenant, policy.name(), target.toString(), kind), Decisions.this::register)
                    .increment(count);
        }
    }
}
