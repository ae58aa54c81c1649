package dev.hybridrouter.router.evaluation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.learning.AutomaticLearner;
import dev.hybridrouter.router.learning.AutomaticRules;
import dev.hybridrouter.router.learning.HeldBack;
import dev.hybridrouter.router.learning.Label;
import dev.hybridrouter.router.learning.Proposal;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loop of {@code learning.mode: automatic}, run on labelled messages instead of traffic. Messages are routed
 * one after another by the version serving; each escalated one is labelled by a {@link SimulatedTeacher} and given
 * to the router's own {@link AutomaticLearner} (its rules, held-back judgement, learned file and daily cap, on a
 * clock that moves a day every {@code day} escalations); when it swaps, the start policy is read again with its
 * learned file, as the router reloads it.
 */
final class LearningLoop {

    /** The teacher named in the simulated labels. */
    static final String TEACHER = "simulated";

    /**
     * A message of the simulated traffic.
     *
     * @param text the user message
     * @param truth its domain, or {@value Label#NONE}
     */
    record Message(String text, String truth) {}

    /**
     * The current version's figures on the test data after some labels; shares in [0,1].
     *
     * @param labelled escalated messages labelled so far
     * @param streamed messages routed so far
     * @param top1 in-scope test messages whose best domain is theirs, escalated or not
     * @param accuracy in-scope test messages routed to their domain without escalating
     * @param inScopeEscalated in-scope test messages escalated
     * @param heldOutEscalated test messages labelled {@value LabeledConversation#ESCALATE} that escalated
     * @param learned examples the current version learned (domain and out-of-scope)
     * @param learnedWrong of those, the ones whose label is not the message's truth
     * @param swaps candidates swapped in
     * @param rejected candidates that routed the held-back texts worse, not swapped in
     * @param rejectedBetter of those, the ones that routed the test data better than the version kept: how often
     *     the guard's verdict was wrong
     * @param heldBack held-back texts
     */
    record Checkpoint(
            int labelled,
            int streamed,
            double top1,
            double accuracy,
            double inScopeEscalated,
            double heldOutEscalated,
            int learned,
            int learnedWrong,
            int swaps,
            int rejected,
            int rejectedBetter,
            int heldBack) {}

    private final Policy start;
    private final Function<Policy, DomainClassifier> trainer;
    private final Policy.Automatic rules;
    private final OptionalInt day;
    private final SimulatedTeacher teacher;
    private final Consumer<String> log;

    /**
     * @param start the policy the loop starts from, without anything learned
     * @param trainer trains a policy's classifier
     * @param rules the automatic rules
     * @param day escalated messages in a simulated day, when the daily cap ({@code examples-per-day}) counts;
     *     empty: no cap
     * @param teacher labels the escalated messages
     * @param log where each candidate's verdict is told
     */
    LearningLoop(
            Policy start,
            Function<Policy, DomainClassifier> trainer,
            Policy.Automatic rules,
            OptionalInt day,
            SimulatedTeacher teacher,
            Consumer<String> log) {
        this.start = start;
        Cache<EmbeddingDomainClassifier.Inputs, DomainClassifier> trained =
                Caffeine.newBuilder().maximumSize(4).build();
        // the router keeps trained classifiers too: the reload after a swap does not train again
        this.trainer =
                policy -> trained.get(EmbeddingDomainClassifier.Inputs.of(policy), inputs -> trainer.apply(policy));
        this.rules = rules;
        this.day = day;
        this.teacher = teacher;
        this.log = log;
    }

    /**
     * Streams the messages until {@code labels} of them are labelled or none is left, with a checkpoint before the
     * first, after every {@code every} labels, and at the end.
     */
    List<Checkpoint> run(List<Message> stream, List<LabeledConversation> test, int labels, int every) {
        return new Run(stream, test).run(labels, every);
    }

    /** The state of one run: the router's own {@link AutomaticLearner}, its learned file in a folder of the run. */
    private final class Run {

        private final List<Message> stream;
        private final List<LabeledConversation> test;
        private final Map<String, String> truth = new HashMap<>();
        private final Set<String> policyTexts = new HashSet<>(start.classifier().outOfScopeExamples());
        private final AutomaticRules automatic = new AutomaticRules(rules);
        private final List<Label> labels = new ArrayList<>();
        private final List<String> domains =
                start.domains().stream().map(Policy.Domain::name).toList();
        private final MutableClock clock = new MutableClock();
        private final AtomicReference<ActivePolicy> serving = new AtomicReference<>();
        private final Path learnedFile;
        private final AutomaticLearner learner;

        private int streamed;
        private int swaps;
        private int rejected;
        private int rejectedBetter;
        private int escalatedToday;

        Run(List<Message> stream, List<LabeledConversation> test) {
            this.stream = stream;
            this.test = test;
            stream.forEach(message -> truth.putIfAbsent(message.text(), message.truth()));
            start.domains().forEach(domain -> policyTexts.addAll(domain.examples()));
            Path directory;
            try {
                directory = Files.createTempDirectory("learning-simulation");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Policy.Automatic applied = day.isPresent()
                    ? rules
                    : new Policy.Automatic(
                            rules.agreement(),
                            rules.runnerUp(),
                            Integer.MAX_VALUE,
                            rules.heldBack(),
                            rules.minHeldBack(),
                            rules.retrainEvery());
            Policy.Learning learning = new Policy.Learning(
                    directory.toString(),
                    Policy.LearningMode.AUTOMATIC,
                    TEACHER,
                    1.0,
                    Integer.MAX_VALUE,
                    Duration.ofSeconds(30),
                    1,
                    1L << 20,
                    Duration.ofDays(365),
                    applied);
            learnedFile = learning.learnedFile(start.name());
            serve();
            learner = new AutomaticLearner(
                    start.name(),
                    learning,
                    serving::get,
                    trainer,
                    this::serve,
                    clock,
                    new SimpleMeterRegistry(),
                    List.of());
        }

        List<Checkpoint> run(int maxLabels, int every) {
            List<Checkpoint> checkpoints = new ArrayList<>();
            checkpoints.add(measure());
            for (Message message : stream) {
                if (labels.size() >= maxLabels) {
                    break;
                }
                streamed++;
                RoutingDecision decision = serving.get()
                        .router()
                        .route(ChatCompletionRequest.of(
                                RouterEvaluator.AUTO, List.of(ChatMessage.user(message.text()))));
                if (decision.escalate()) {
                    learner.learn(label(message, decision)).ifPresent(this::judged);
                    if (labels.size() % every == 0) {
                        checkpoints.add(measure());
                    }
                }
            }
            if (checkpoints.get(checkpoints.size() - 1).labelled() != labels.size()) {
                checkpoints.add(measure());
            }
            return checkpoints;
        }

        /** The policy as the router reads it: the start policy with its learned file. */
        private void serve() {
            Policy policy = start.withLearned(LearnedExamples.read(learnedFile, domains));
            serving.set(new ActivePolicy(
                    new Router(policy, trainer.apply(policy), Set.of(RouterEvaluator.AUTO), Integer.MAX_VALUE),
                    Map.of(),
                    Map.of(),
                    null,
                    new ResponseCache(policy.cache(), clock),
                    null));
        }

        private Label label(Message message, RoutingDecision decision) {
            if (day.isPresent() && escalatedToday == day.getAsInt()) {
                clock.advance(Duration.ofDays(1));
                escalatedToday = 0;
            }
            escalatedToday++;
            String runnerUp = decision.scores().entrySet().stream()
                    .filter(score -> !score.getKey().equals(decision.route()))
                    .max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey)
                    .orElse(null);
            Label label = new Label(
                    clock.instant(),
                    start.name(),
                    message.text(),
                    decision.route(),
                    decision.confidence(),
                    runnerUp,
                    decision.reason().label(),
                    teacher.label(message.truth()),
                    TEACHER);
            labels.add(label);
            return label;
        }

        /** Counts a verdict; a rejected candidate is also measured on the test data: was the guard right? */
        private void judged(AutomaticLearner.Verdict verdict) {
            HeldBack.Comparison judged = verdict.judged();
            String onTest = "";
            if (verdict.swapped()) {
                swaps++;
            } else {
                rejected++;
                ActivePolicy kept = serving.get();
                double testNow = routedRight(
                        new RouterEvaluator(kept.policy(), kept.router().classifier()).evaluate(test));
                double testNext =
                        routedRight(new RouterEvaluator(verdict.candidate(), verdict.classifier()).evaluate(test));
                rejectedBetter += testNext > testNow ? 1 : 0;
                onTest = String.format(
                        Locale.ROOT, "; on the test data %.1f%% and %.1f%%", 100 * testNext, 100 * testNow);
            }
            log.accept(String.format(
                    Locale.ROOT,
                    "%d labelled: candidate routes %.1f%% of %d held-back texts right, current %.1f%% (%d against %d"
                            + " where they differ): %s%s",
                    labels.size(),
                    100 * judged.candidate(),
                    judged.texts(),
                    100 * judged.current(),
                    judged.onlyCandidate(),
                    judged.onlyCurrent(),
                    verdict.swapped() ? "swapped in" : "rejected",
                    onTest));
        }

        private Checkpoint measure() {
            Policy policy = serving.get().policy();
            DomainClassifier classifier = serving.get().router().classifier();
            EvaluationReport report = new RouterEvaluator(policy, classifier).evaluate(test);
            int inScope = 0;
            int top1 = 0;
            for (LabeledConversation item : test) {
                if (item.inScope()) {
                    inScope++;
                    top1 += item.label().equals(best(classifier.classify(item.messages()))) ? 1 : 0;
                }
            }
            LearnedExamples learned = LearnedExamples.read(learnedFile, domains);
            int wrong = (int) learned.outOfScopeExamples().stream()
                    .filter(text -> !Label.NONE.equals(truth.get(text)))
                    .count();
            for (Map.Entry<String, List<String>> domain : learned.domains().entrySet()) {
                wrong += (int) domain.getValue().stream()
                        .filter(text -> !domain.getKey().equals(truth.get(text)))
                        .count();
            }
            Set<String> known = new HashSet<>(policyTexts);
            known.addAll(learned.texts());
            int heldBack = (int) Proposal.of(labels, known).stream()
                    .filter(automatic::heldBack)
                    .count();
            return new Checkpoint(
                    labels.size(),
                    streamed,
                    inScope == 0 ? 0 : top1 / (double) inScope,
                    orZero(report.accuracy()),
                    orZero(report.inScopeEscalationShare()),
                    orZero(report.escalationRecall()),
                    learned.size(),
                    wrong,
                    swaps,
                    rejected,
                    rejectedBetter,
                    heldBack);
        }
    }

    private static String best(DomainClassifier.Classification classification) {
        return classification.scores().entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(null);
    }

    /** The share of the data routed right: in-scope kept local in their domain, the rest escalated. */
    private static double routedRight(EvaluationReport report) {
        return (orZero(report.accuracy()) * report.inScope()
                        + orZero(report.escalationRecall()) * report.shouldEscalate())
                / report.messages();
    }

    private static double orZero(Double share) {
        return share == null ? 0 : share;
    }
}
