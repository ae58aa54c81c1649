package dev.hybridrouter.policies;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads and validates policy files (YAML, format in {@code docs/policies.md}, JSON Schema in {@code
 * dev/hybridrouter/policies/policy.schema.json}).
 *
 * <p>A policy that breaks any rule is rejected with a {@link PolicyException} listing every problem
 * found, each with its file, line and column. {@code ${NAME}} and {@code ${NAME:-default}} in string
 * values are replaced from the environment.
 */
public final class PolicyLoader {

    static final String DEFAULT_EMBEDDING_MODEL = "all-minilm-l6-v2-q";
    static final double DEFAULT_THRESHOLD = 0.55;
    static final Duration DEFAULT_SPECIALIST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_LARGE_MODEL_TIMEOUT = Duration.ofSeconds(60);
    /** A local-only domain's residency threshold is by default its routing threshold less this, floored at 0. */
    static final BigDecimal DEFAULT_RESIDENCY_MARGIN = new BigDecimal("0.2");

    static final long DEFAULT_CAPTURE_MAX_FILE_BYTES = 64L * 1024 * 1024;
    static final Duration DEFAULT_CAPTURE_RETENTION = Duration.ofDays(30);
    static final int DEFAULT_CAPTURE_QUEUE_SIZE = 1000;

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB)");

    private PolicyLoader() {}

    /**
     * Loads one policy file, taking {@code ${NAME}} values from the process environment.
     *
     * @throws PolicyException if the file cannot be read or is not a valid policy
     */
    public static Policy load(Path file) {
        return load(file, System::getenv);
    }

    /**
     * Loads one policy file.
     *
     * @param environment gives the value of an environment variable, or {@code null} when it is unset
     * @throws PolicyException if the file cannot be read or is not a valid policy
     */
    public static Policy load(Path file, Function<String, String> environment) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new PolicyException(List.of(PolicyError.ofSource(file.toString(), "cannot be read: " + e)));
        }
        return parse(file.toString(), yaml, environment);
    }

    /**
     * Parses a policy held in memory, e.g. one bundled on the classpath, taking {@code ${NAME}} values
     * from the process environment.
     *
     * @param sourceName names the policy in errors; its file name without extension is the default name
     * @throws PolicyException if the text is not a valid policy
     */
    public static Policy parse(String sourceName, String yaml) {
        return parse(sourceName, yaml, System::getenv);
    }

    /**
     * Parses a policy held in memory.
     *
     * @param sourceName names the policy in errors; its file name without extension is the default name
     * @param environment gives the value of an environment variable, or {@code null} when it is unset
     * @throws PolicyException if the text is not a valid policy
     */
    public static Policy parse(String sourceName, String yaml, Function<String, String> environment) {
        return read(sourceName, yaml, environment).policy();
    }

    /** A valid policy, and where its name is given ({@code null} when it comes from the file name). */
    record Read(Policy policy, Position namePosition) {}

    static Read read(String sourceName, String yaml, Function<String, String> environment) {
        var problems = new Problems(sourceName);
        YamlDocument document = YamlDocument.parse(yaml, environment, problems).orElseThrow(problems::exception);
        PolicySchema.validate(document, problems);
        PolicyRules.check(document, problems);
        problems.throwIfAny();
        Pointer name = Pointer.ROOT.property("name");
        boolean named = document.root().has("name");
        return new Read(build(document.root(), defaultName(sourceName)), named ? document.keyAt(name) : null);
    }

    private static String defaultName(String sourceName) {
        String fileName = sourceName.substring(Math.max(sourceName.lastIndexOf('/'), sourceName.lastIndexOf('\\')) + 1);
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** Builds the model from a document that passed every check. */
    private static Policy build(JsonNode root, String defaultName) {
        JsonNode classifier = root.path("classifier");
        double policyThreshold = classifier.path("threshold").asDouble(DEFAULT_THRESHOLD);
        Policy.Resilience policyResilience = resilience(root.path("resilience"), Policy.Resilience.DEFAULTS);
        List<Policy.Domain> domains = new ArrayList<>();
        for (JsonNode domain : root.path("domains")) {
            Double threshold = domain.has("threshold") ? domain.get("threshold").doubleValue() : null;
            Policy.Residency residency = option(domain.path("residency"), Policy.Residency.ANY);
            domains.add(new Policy.Domain(
                    domain.path("name").stringValue(),
                    domain.path("description").asString(""),
                    domain.path("specialist").stringValue(),
                    threshold,
                    domain.path("examples")
                            .valueStream()
                            .map(JsonNode::stringValue)
                            .toList(),
                    residency,
                    residency == Policy.Residency.LOCAL_ONLY
                            ? residencyThreshold(
                                    domain.path("residency-threshold"), threshold != null ? threshold : policyThreshold)
                            : null,
                    domain.path("capture").asBoolean(false)));
        }
        Map<String, Policy.Specialist> specialists = new LinkedHashMap<>();
        root.path("specialists").properties().forEach(entry -> {
            JsonNode specialist = entry.getValue();
            specialists.put(
                    entry.getKey(),
                    new Policy.Specialist(
                            option(specialist.path("provider"), Policy.SpecialistProvider.class),
                            specialist.path("base-url").stringValue(),
                            specialist.path("model").stringValue(),
                            specialist.path("api-key-env").asString(null),
                            specialist.path("system-prompt").asString(null),
                            specialist
                                    .path("few-shot")
                                    .valueStream()
                                    .map(turn -> new Policy.Turn(
                                            turn.path("user").stringValue(),
                                            turn.path("assistant").stringValue()))
                                    .toList(),
                            duration(specialist.path("timeout"), DEFAULT_SPECIALIST_TIMEOUT),
                            specialist.path("fallback").asString(null),
                            resilience(specialist.path("resilience"), policyResilience),
                            option(specialist.path("residency"), Policy.Residency.ANY)));
        });
        Map<String, Policy.LargeModel> largeModels = new LinkedHashMap<>();
        root.path("large-models").properties().forEach(entry -> {
            JsonNode largeModel = entry.getValue();
            largeModels.put(
                    entry.getKey(),
                    new Policy.LargeModel(
                            option(largeModel.path("provider"), Policy.LargeModelProvider.class),
                            largeModel.path("model").stringValue(),
                            largeModel.path("base-url").asString(null),
                            largeModel.path("api-key-env").asString(null),
                            largeModel.path("api-key-file").asString(null),
                            duration(largeModel.path("timeout"), DEFAULT_LARGE_MODEL_TIMEOUT),
                            resilience(largeModel.path("resilience"), policyResilience)));
        });
        return new Policy(
                root.path("name").asString(defaultName),
                new Policy.Classifier(
                        classifier.path("embedding-model").asString(DEFAULT_EMBEDDING_MODEL), policyThreshold),
                domains,
                specialists,
                escalation(root.path("escalation")),
                largeModels,
                option(root.path("residency"), Policy.Residency.ANY),
                privacy(root.path("privacy").path("pii")),
                capture(root.path("capture")));
    }

    /** The given residency threshold, else the routing threshold less the default margin, floored at 0. */
    private static double residencyThreshold(JsonNode given, double routingThreshold) {
        if (!given.isMissingNode()) {
            return given.doubleValue();
        }
        // in decimal, so that 0.55 gives 0.35 and not 0.35000000000000003
        return BigDecimal.valueOf(routingThreshold)
                .subtract(DEFAULT_RESIDENCY_MARGIN)
                .max(BigDecimal.ZERO)
                .doubleValue();
    }

    /** The built-in detectors' default actions, each overridden where the policy names it; custom ones as given. */
    private static Policy.Privacy privacy(JsonNode pii) {
        Map<Policy.PiiType, Policy.PiiAction> actions = new EnumMap<>(Policy.Privacy.DEFAULTS.pii());
        pii.properties().stream()
                .filter(entry -> !entry.getKey().equals("custom"))
                .forEach(entry -> actions.put(
                        option(entry.getKey(), Policy.PiiType.class),
                        option(entry.getValue(), Policy.PiiAction.class)));
        return new Policy.Privacy(
                actions,
                pii.path("custom")
                        .valueStream()
                        .map(custom -> new Policy.CustomPii(
                                custom.path("name").stringValue(),
                                custom.path("pattern").stringValue(),
                                option(custom.path("action"), Policy.PiiAction.MASK)))
                        .toList());
    }

    private static Policy.Capture capture(JsonNode capture) {
        if (capture.isMissingNode()) {
            return null;
        }
        return new Policy.Capture(
                capture.path("directory").stringValue(),
                size(capture.path("max-file-size"), DEFAULT_CAPTURE_MAX_FILE_BYTES),
                duration(capture.path("retention"), DEFAULT_CAPTURE_RETENTION),
                capture.path("queue-size").asInt(DEFAULT_CAPTURE_QUEUE_SIZE));
    }

    private static Policy.Escalation escalation(JsonNode escalation) {
        if (escalation.isMissingNode()) {
            return Policy.Escalation.NONE;
        }
        return new Policy.Escalation(
                escalation.path("large-model").asString(null),
                escalation
                        .path("fallbacks")
                        .valueStream()
                        .map(JsonNode::stringValue)
                        .toList(),
                option(escalation.path("on-unavailable"), Policy.OnUnavailable.LOCAL),
                option(escalation.path("on-specialist-unavailable"), Policy.OnSpecialistUnavailable.ESCALATE));
    }

    /** An upstream's {@code resilience} block, each field it leaves out taken from {@code base}. */
    private static Policy.Resilience resilience(JsonNode block, Policy.Resilience base) {
        JsonNode breaker = block.path("circuit-breaker");
        JsonNode retry = block.path("retry");
        Policy.CircuitBreaker baseBreaker = base.circuitBreaker();
        Policy.Retry baseRetry = base.retry();
        return new Policy.Resilience(
                new Policy.CircuitBreaker(
                        breaker.path("failure-rate-threshold").asFloat(baseBreaker.failureRateThreshold()),
                        breaker.path("slow-call-rate-threshold").asFloat(baseBreaker.slowCallRateThreshold()),
                        duration(breaker.path("slow-call-duration"), baseBreaker.slowCallDuration()),
                        breaker.path("minimum-calls").asInt(baseBreaker.minimumCalls()),
                        breaker.path("sliding-window-size").asInt(baseBreaker.slidingWindowSize()),
                        duration(breaker.path("wait-in-open"), baseBreaker.waitInOpen()),
                        breaker.path("half-open-calls").asInt(baseBreaker.halfOpenCalls())),
                duration(block.path("connect-timeout"), base.connectTimeout()),
                duration(block.path("first-token-timeout"), base.firstTokenTimeout()),
                block.path("max-concurrent-calls").asInt(base.maxConcurrentCalls()),
                block.path("max-concurrent-failover-calls").asInt(base.maxConcurrentFailoverCalls()),
                new Policy.Retry(
                        retry.path("max-attempts").asInt(baseRetry.maxAttempts()),
                        duration(retry.path("initial-backoff"), baseRetry.initialBackoff()),
                        retry.path("multiplier").asDouble(baseRetry.multiplier()),
                        retry.path("jitter").asDouble(baseRetry.jitter()),
                        duration(retry.path("max-retry-after"), baseRetry.maxRetryAfter())));
    }

    /** A {@code kebab-case} option as its enum constant, or {@code defaultValue} when it is missing. */
    private static <E extends Enum<E>> E option(JsonNode value, E defaultValue) {
        return value.isMissingNode() ? defaultValue : option(value, defaultValue.getDeclaringClass());
    }

    private static <E extends Enum<E>> E option(JsonNode value, Class<E> type) {
        return option(value.stringValue(), type);
    }

    private static <E extends Enum<E>> E option(String value, Class<E> type) {
        return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private static Duration duration(JsonNode value, Duration defaultValue) {
        if (value.isMissingNode()) {
            return defaultValue;
        }
        Matcher matcher = DURATION.matcher(value.stringValue());
        if (!matcher.matches()) {
            throw new IllegalStateException("the schema let an invalid duration through: " + value);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** A size such as {@code 64MB} in bytes, with 1024-based units. */
    private static long size(JsonNode value, long defaultBytes) {
        if (value.isMissingNode()) {
            return defaultBytes;
        }
        Matcher matcher = SIZE.matcher(value.stringValue());
        if (!matcher.matches()) {
            throw new IllegalStateException("the schema let an invalid size through: " + value);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "B" -> amount;
            case "KB" -> amount << 10;
            case "MB" -> amount << 20;
            default -> amount << 30;
        };
    }
}
