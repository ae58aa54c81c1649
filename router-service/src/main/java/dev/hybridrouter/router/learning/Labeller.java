package dev.hybridrouter.router.learning;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.capture.JsonLinesWriter;
import dev.hybridrouter.router.execution.Upstream;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Asks a policy's teacher (a large model) which domain an escalated request belongs to, or none, and writes the
 * label ({@code labels-*.jsonl} in the learning directory). Everything happens off the request path: {@link
 * #offer} samples, counts the day's budget and queues, and returns at once; one daemon thread calls the teacher
 * and writes. A slow, failed or nonsensical answer costs only its own label. The text labelled is the request's
 * last user message as it was sent to the large model, masked; local-only requests never reach a large model, so
 * they are never labelled. One labeller per policy, kept across reloads while the policy's learning settings stay.
 *
 * <p>Each offered request is counted in {@code router.learning.labels} by {@code outcome}: {@code labelled}, {@code
 * failed} (the call failed or timed out), {@code invalid} (the answer named no domain), {@code teacher-unavailable},
 * {@code sampled-out}, {@code over-budget}, {@code queue-full}.
 */
public final class Labeller implements AutoCloseable {

    /** The kind of the label files: {@code labels-<time>-<n>.jsonl}. */
    public static final String KIND = "labels";

    private static final Logger log = LoggerFactory.getLogger(Labeller.class);

    private final String policy;
    private final Policy.Learning settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final MeterRegistry meters;
    private final JsonLinesWriter<Label> labels;
    private final Consumer<Label> onLabel;
    private final ThreadPoolExecutor executor;
    private final AtomicBoolean failing = new AtomicBoolean();

    // Guarded by this: the day's labelling calls.
    private LocalDate day;
    private int calls;

    /**
     * @param policy the policy's name
     * @param settings its {@code learning} block
     * @param onLabel told of each label written, on the labelling thread
     */
    public Labeller(
            String policy,
            Policy.Learning settings,
            Clock clock,
            RandomGenerator random,
            MeterRegistry meters,
            Consumer<Label> onLabel) {
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.meters = meters;
        this.onLabel = onLabel;
        this.labels = JsonLinesWriter.start(files(settings), clock, meters);
        this.executor = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(settings.queueSize()), task -> {
                    Thread thread = new Thread(task, "labeller-" + policy);
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Where the labels of this learning block go. */
    public static JsonLinesWriter.Output files(Policy.Learning settings) {
        return new JsonLinesWriter.Output(
                KIND,
                "teacher labels",
                Path.of(settings.directory()),
                settings.maxFileBytes(),
                settings.retention(),
                settings.queueSize());
    }

    /** Whether the classifier's decision is one the teacher is asked about: an escalation it chose itself. */
    public static boolean escalatedByClassifier(RoutingDecision decision) {
        return decision.escalate()
                && (decision.reason() == RoutingDecision.Reason.LOW_CONFIDENCE
                        || decision.reason() == RoutingDecision.Reason.OUT_OF_SCOPE);
    }

    /**
     * Queues an escalated request to be labelled, if it is sampled and the day's budget allows. Never blocks,
     * never throws.
     *
     * @param active the policy snapshot that routed it: its teacher and domains
     * @param decision the classifier's decision, an escalation ({@link #escalatedByClassifier})
     * @param sent the request as it was sent to the large model, masked
     */
    public void offer(ActivePolicy active, RoutingDecision decision, ChatCompletionRequest sent) {
        Optional<String> text = lastUserText(sent.messages());
        if (text.isEmpty()) {
            return;
        }
        if (random.nextDouble() >= settings.sample()) {
            count("sampled-out");
            return;
        }
        if (!withinBudget()) {
            count("over-budget");
            return;
        }
        try {
            executor.execute(() -> label(active, decision, text.get()));
        } catch (RejectedExecutionException e) {
            giveBack(); // no call was made: the day's budget is whole
            count("queue-full");
        }
    }

    private synchronized boolean withinBudget() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (!today.equals(day)) {
            day = today;
            calls = 0;
        }
        if (calls >= settings.labelsPerDay()) {
            return false;
        }
        calls++;
        return true;
    }

    private synchronized void giveBack() {
        calls--;
    }

    private void label(ActivePolicy active, RoutingDecision decision, String text) {
        Optional<Upstream> teacher = active.upstream(Target.large(settings.teacher()));
        if (teacher.isEmpty()) {
            count("teacher-unavailable");
            return;
        }
        List<String> allowed = new ArrayList<>();
        active.policy().domains().forEach(domain -> allowed.add(domain.name()));
        allowed.add(Label.NONE);
        ChatCompletion answer;
        try {
            ChatCompletionRequest request = request(active.policy(), allowed, text, teacher.get());
            answer = teacher.get().client().complete(request, Map.of()).block(settings.timeout());
        } catch (RuntimeException e) {
            count("failed");
            if (failing.compareAndSet(false, true)) {
                log.warn(
                        "Learning: the teacher {} of policy '{}' failed to label; labels are lost until it answers",
                        settings.teacher(),
                        policy,
                        e);
            }
            return;
        }
        failing.set(false);
        Optional<String> label = answer == null ? Optional.empty() : labelIn(answer, allowed);
        if (label.isEmpty()) {
            count("invalid");
            return;
        }
        List<Map.Entry<String, Double>> ranked = decision.scores().entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .toList();
        Label written = new Label(
                clock.instant(),
                policy,
                text,
                decision.route(),
                decision.confidence(),
                ranked.size() > 1 ? ranked.get(1).getKey() : null,
                decision.reason().label(),
                label.get(),
                settings.teacher());
        if (labels.offer(written)) {
            count("labelled");
            onLabel.accept(written);
        }
    }

    /**
     * The labelling request: the domains by name and description, the message, and a JSON schema naming the
     * allowed answers (left out for a teacher that cannot honour it; the prompt asks for the same JSON).
     */
    static ChatCompletionRequest request(Policy policy, List<String> allowed, String text, Upstream teacher) {
        StringBuilder prompt = new StringBuilder(
                "You sort requests for a router. Each domain below is answered by its own specialist.\n\nDomains:\n");
        for (Policy.Domain domain : policy.domains()) {
            prompt.append("- ").append(domain.name());
            if (!domain.description().isBlank()) {
                prompt.append(": ").append(domain.description().strip());
            }
            prompt.append('\n');
        }
        prompt.append("\nWhich domain does the user's request belong to? Answer \"none\" when it belongs to none of"
                + " them. Reply with JSON only: {\"domain\": \"<name>\"}.");
        ObjectNode body = WireJson.MAPPER.createObjectNode();
        body.put("model", "teacher");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", prompt.toString());
        messages.addObject().put("role", "user").put("content", text);
        body.put("temperature", 0);
        ObjectNode format = body.putObject("response_format");
        format.put("type", "json_schema");
        ObjectNode schema = format.putObject("json_schema");
        schema.put("name", "domain_label");
        schema.put("strict", true);
        ObjectNode object = schema.putObject("schema");
        object.put("type", "object");
        ObjectNode domain = object.putObject("properties").putObject("domain");
        domain.put("type", "string");
        ArrayNode names = domain.putArray("enum");
        allowed.forEach(names::add);
        object.putArray("required").add("domain");
        object.put("additionalProperties", false);
        ChatCompletionRequest request = WireJson.MAPPER.treeToValue(body, ChatCompletionRequest.class);
        if (teacher.client().unsupported(request).contains("response_format")) {
            body.remove("response_format");
            request = WireJson.MAPPER.treeToValue(body, ChatCompletionRequest.class);
        }
        return request;
    }

    /** The label the answer gives: its JSON's {@code domain}, or its bare text, when that is an allowed name. */
    static Optional<String> labelIn(ChatCompletion answer, List<String> allowed) {
        if (answer.choices().isEmpty() || answer.choices().get(0).message() == null) {
            return Optional.empty();
        }
        String content = answer.choices().get(0).message().text();
        if (content == null) {
            return Optional.empty();
        }
        String named = content.strip();
        try {
            JsonNode json = WireJson.MAPPER.readTree(named);
            if (json.isObject() && json.path("domain").isString()) {
                named = json.get("domain").asString();
            }
        } catch (RuntimeException notJson) {
            // a teacher without structured outputs may answer with the bare name
        }
        String name = named.strip();
        return allowed.stream()
                .filter(candidate -> candidate.equalsIgnoreCase(name))
                .findFirst();
    }

    private static Optional<String> lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if (message != null && "user".equals(message.role())) {
                String text = message.text();
                return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
            }
        }
        return Optional.empty();
    }

    private void count(String outcome) {
        Counter.builder("router.learning.labels")
                .description("Escalated requests offered to the teacher, by what became of them")
                .tag("policy", policy)
                .tag("outcome", outcome)
                .register(meters)
                .increment();
    }

    /** Stops labelling: what is queued is dropped; written labels are flushed. */
    @Override
    public void close() {
        executor.shutdownNow();
        labels.close();
    }
}
