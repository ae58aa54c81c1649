package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.learning.AutomaticRules;
import dev.hybridrouter.router.learning.HeldBack;
import dev.hybridrouter.router.learning.Label;
import dev.hybridrouter.router.learning.Proposal;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loop of {@code learning.mode: automatic}, run on labelled messages instead of traffic. Messages are routed
 * one after another by the classifier of the current version; each escalated one is labelled by a {@link
 * SimulatedTeacher}; after each label the automatic rules are applied as the router applies them ({@link
 * Proposal#of} over all labels so far, knowing the policy's examples and what was learned; {@link
 * AutomaticRules#accepts}; the daily cap); every {@code retrain-every} newly learned examples, once {@code
 * min-held-back} held-back texts exist, a candidate is trained on the policy with everything learned and swapped in
 * only when it routes the held-back texts no worse than the current version ({@link HeldBack#routedRight}). A
 * rejected candidate's examples stay learned, as they stay in the learned file: the next candidate has them too.
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
        this.trainer = trainer;
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

    /** The state of one run. */
    private final class Run {

        private final List<Message> stream;
        private final List<LabeledConversation> test;
        private final Map<String, String> truth = new HashMap<>();
        private final Set<String> policyTexts = new HashSet<>(start.classifier().outOfScopeExamples());
        private final AutomaticRules automatic = new AutomaticRules(rules);
        private final List<Label> labels = new ArrayList<>();
        /** Everything learned: the learned file. */
        private LearnedExamples learned = LearnedExamples.NONE;
        /** What the current version learned. */
        private LearnedExamples serving = LearnedExamples.NONE;

        private Policy policy = start;
        private DomainClassifier classifier;
        private Router router;
        private int streamed;
        private int swaps;
        private int rejected;
        private int rejectedBetter;
        private int sinceTraining;
        private int days;
        private int escalatedToday;
        private int learnedToday;
        private List<Proposal> heldBack = List.of();

        Run(List<Message> stream, List<LabeledConversation> test) {
            this.stream = stream;
            this.test = test;
            stream.forEach(message -> truth.putIfAbsent(message.text(), message.truth()));
            start.domains().forEach(domain -> policyTexts.addAll(domain.examples()));
            serve(start, trainer.apply(start), LearnedExamples.NONE);
        }

        List<Checkpoint> run(int maxLabels, int every) {
            List<Checkpoint> checkpoints = new ArrayList<>();
            checkpoints.add(measure());
            for (Message message : stream) {
                if (labels.size() >= maxLabels) {
                    break;
                }
                streamed++;
                RoutingDecision decision = router.route(
                        ChatCompletionRequest.of(RouterEvaluator.AUTO, List.of(ChatMessage.user(message.text()))));
                if (decision.escalate()) {
                    label(message, decision);
                    learn();
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

        private void label(Message message, RoutingDecision decision) {
            if (day.isPresent() && escalatedToday == day.getAsInt()) {
                days++;
                escalatedToday = 0;
                learnedToday = 0;
            }
            escalatedToday++;
            String runnerUp = decision.scores().entrySet().stream()
                    .filter(score -> !score.getKey().equals(decision.route()))
                    .max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey)
                    .orElse(null);
            labels.add(new Label(
                    Instant.EPOCH.plus(Duration.ofDays(days)),
                    start.name(),
                    message.text(),
                    decision.route(),
                    decision.confidence(),
                    runnerUp,
                    decision.reason().label(),
                    teacher.label(message.truth()),
                    TEACHER));
        }

        /** The automatic rules after a new label, and a candidate when enough was learned since the last. */
        private void learn() {
            Set<String> known = new HashSet<>(policyTexts);
            known.addAll(learned.texts());
            List<Proposal> proposals = Proposal.of(labels, known);
            heldBack = proposals.stream().filter(automatic::heldBack).toList();
            long room = day.isPresent() ? Math.max(0, rules.examplesPerDay() - learnedToday) : Long.MAX_VALUE;
            List<Proposal> accepted =
                    proposals.stream().filter(automatic::accepts).limit(room).toList();
            learned = learned.plus(AutomaticRules.learned(accepted));
            learnedToday += accepted.size();
            sinceTraining += accepted.size();
            if (sinceTraining < rules.retrainEvery() || heldBack.size() < rules.minHeldBack()) {
                return;
            }
            sinceTraining = 0;
            long begin = System.nanoTime();
            Policy candidatePolicy = start.withLearned(learned);
            DomainClassifier candidate = trainer.apply(candidatePolicy);
            double trainingSeconds = (System.nanoTime() - begin) / 1e9;
            double now = HeldBack.routedRight(policy, classifier, heldBack);
            double next = HeldBack.routedRight(candidatePolicy, candidate, heldBack);
            boolean swap = next >= now;
            double testNow = routedRight(new RouterEvaluator(policy, classifier).evaluate(test));
            double testNext = routedRight(new RouterEvaluator(candidatePolicy, candidate).evaluate(test));
            log.accept(String.format(
                    Locale.ROOT,
                    "%d labelled, %d learned: candidate routes %.1f%% of %d held-back texts right, current %.1f%%: %s"
                            + " (trained in %.1f s); on the test data %.1f%% and %.1f%%",
                    labels.size(),
                    learned.size(),
                    100 * next,
                    heldBack.size(),
                    100 * now,
                    swap ? "swapped in" : "rejected",
                    trainingSeconds,
                    100 * testNext,
                    100 * testNow));
            if (swap) {
                swaps++;
                serve(candidatePolicy, candidate, learned);
            } else {
                rejected++;
                rejectedBetter += testNext > testNow ? 1 : 0;
            }
        }

        private void serve(Policy version, DomainClassifier trained, LearnedExamples examples) {
            policy = version;
            classifier = trained;
            serving = examples;
            router = new Router(version, trained, Set.of(RouterEvaluator.AUTO), Integer.MAX_VALUE);
        }

        private Checkpoint measure() {
            EvaluationReport report = new RouterEvaluator(policy, classifier).evaluate(test);
            int inScope = 0;
            int top1 = 0;
            for (LabeledConversation item : test) {
                if (item.inScope()) {
                    inScope++;
                    top1 += item.label().equals(best(classifier.classify(item.messages()))) ? 1 : 0;
                }
            }
            int wrong = (int) serving.outOfScopeExamples().stream()
                    .filter(text -> !Label.NONE.equals(truth.get(text)))
                    .count();
            for (Map.Entry<String, List<String>> domain : serving.domains().entrySet()) {
                wrong += (int) domain.getValue().stream()
                        .filter(text -> !domain.getKey().equals(truth.get(text)))
                        .count();
            }
            return new Checkpoint(
                    labels.size(),
                    streamed,
                    inScope == 0 ? 0 : top1 / (double) inScope,
                    orZero(report.accuracy()),
                    orZero(report.inScopeEscalationShare()),
                    orZero(report.escalationRecall()),
                    serving.size(),
                    wrong,
                    swaps,
                    rejected,
                    rejectedBetter,
                    heldBack.size());
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
