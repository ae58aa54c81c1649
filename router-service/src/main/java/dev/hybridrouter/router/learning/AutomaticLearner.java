package dev.hybridrouter.router.learning;

import dev.hybridrouter.policies.LearnedExamples;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.DomainClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code learning.mode: automatic} for one policy: each label written is added to what the policy's labels say
 * ({@link Proposal#of}); once {@code retrain-every} texts meet the {@link AutomaticRules} (or what is left of the
 * day's {@code examples-per-day}, when that is fewer) and at least {@code min-held-back} held-back texts exist, a classifier is trained with them
 * and judged against the one serving on the held-back texts ({@link HeldBack#compare}). Unless it routes them worse
 * beyond chance ({@link HeldBack.Comparison#worse}), its examples are written to the policy's learned file (the file before kept as {@code .previous}) and the
 * policy reloads, which swaps the new classifier in atomically; when it routes them worse, those texts are left to
 * review and not tried again. Runs on the labelling thread: never on a request's path.
 *
 * <p>Meters: {@code router.learning.versions} by {@code outcome} ({@code swapped}, {@code rejected}), and the gauge
 * {@code router.learning.held.back.routed.right}: the share of held-back texts the serving classifier routes right,
 * as last judged.
 */
public final class AutomaticLearner implements Consumer<Label> {

    private static final Logger log = LoggerFactory.getLogger(AutomaticLearner.class);

    private final String policy;
    private final Policy.Learning settings;
    private final AutomaticRules rules;
    private final Supplier<ActivePolicy> serving;
    private final Function<Policy, DomainClassifier> classifiers;
    private final Runnable reload;
    private final Clock clock;
    private final MeterRegistry meters;
    private final List<Label> labels;
    private final Set<String> rejected = new HashSet<>();
    private final AtomicLong routedRightPerMillion = new AtomicLong(-1);

    private LocalDate day;
    private int learnedToday;

    /**
     * @param serving the policy as it serves now
     * @param classifiers trains (or finds already trained) the classifier of a policy
     * @param reload reads the policy again, learned file included
     * @param earlier the policy's labels written before this process started
     */
    public AutomaticLearner(
            String policy,
            Policy.Learning settings,
            Supplier<ActivePolicy> serving,
            Function<Policy, DomainClassifier> classifiers,
            Runnable reload,
            Clock clock,
            MeterRegistry meters,
            List<Label> earlier) {
        this.policy = policy;
        this.settings = settings;
        this.rules = new AutomaticRules(settings.automatic());
        this.serving = serving;
        this.classifiers = classifiers;
        this.reload = reload;
        this.clock = clock;
        this.meters = meters;
        this.labels = new ArrayList<>(earlier);
        Gauge.builder(
                        "router.learning.held.back.routed.right",
                        routedRightPerMillion,
                        v -> v.get() < 0 ? Double.NaN : v.get() / 1e6)
                .description("Share of held-back labelled texts the serving classifier routes right, as last judged")
                .tag("policy", policy)
                .register(meters);
    }

    /**
     * A candidate classifier and what became of it.
     *
     * @param candidate the policy with the new examples
     * @param classifier the classifier trained for it
     * @param judged how it and the serving one routed the held-back texts
     * @param swapped whether it was swapped in
     */
    public record Verdict(Policy candidate, DomainClassifier classifier, HeldBack.Comparison judged, boolean swapped) {}

    @Override
    public void accept(Label label) {
        learn(label);
    }

    /** Adds a label; when it completes a batch of examples, the verdict on the classifier trained with them. */
    public synchronized Optional<Verdict> learn(Label label) {
        labels.add(label);
        ActivePolicy active = serving.get();
        if (active == null) {
            return Optional.empty();
        }
        Policy current = active.policy();
        List<Proposal> proposals = Proposal.of(labels, known(current));
        List<Proposal> heldBack = proposals.stream().filter(rules::heldBack).toList();
        int room = Math.max(0, settings.automatic().examplesPerDay() - learnedToday());
        List<Proposal> accepted = proposals.stream()
                .filter(rules::accepts)
                .filter(p -> !rejected.contains(p.text()))
                .filter(p -> current.domain(p.label()).isPresent() || p.outOfScope())
                .limit(room)
                .toList();
        int batch = Math.min(settings.automatic().retrainEvery(), room); // what is left of the day's cap fills one
        if (batch == 0
                || accepted.size() < batch
                || heldBack.size() < settings.automatic().minHeldBack()) {
            return Optional.empty();
        }
        LearnedExamples more = AutomaticRules.learned(accepted);
        Policy candidate = current.withLearned(more);
        DomainClassifier trained = classifiers.apply(candidate);
        HeldBack.Comparison judged =
                HeldBack.compare(current, active.router().classifier(), candidate, trained, heldBack);
        if (judged.worse()) {
            accepted.forEach(p -> rejected.add(p.text()));
            routedRightPerMillion.set(Math.round(judged.current() * 1e6));
            count("rejected");
            log.info(
                    "Learning: policy '{}' keeps its classifier: with {} new examples it routes {} of {} held-back"
                            + " texts right instead of {}; those examples are left to review",
                    policy,
                    more.size(),
                    share(judged.candidate()),
                    heldBack.size(),
                    share(judged.current()));
            return Optional.of(new Verdict(candidate, trained, judged, false));
        }
        Path file = settings.learnedFile(policy);
        LearnedExamples learned = LearnedExamples.read(file, domains(current)).plus(more);
        keepPrevious(file);
        learned.write(file);
        learnedToday += more.size();
        routedRightPerMillion.set(Math.round(judged.candidate() * 1e6));
        count("swapped");
        log.info(
                "Learning: policy '{}' learned {} examples ({} in all); its classifier routes {} of {} held-back"
                        + " texts right, was {}",
                policy,
                more.size(),
                learned.size(),
                share(judged.candidate()),
                heldBack.size(),
                share(judged.current()));
        reload.run();
        return Optional.of(new Verdict(candidate, trained, judged, true));
    }

    /** The texts the policy has already: examples (learned ones included) and out-of-scope examples. */
    private static Set<String> known(Policy policy) {
        Set<String> known = new HashSet<>(policy.classifier().outOfScopeExamples());
        policy.domains().forEach(domain -> known.addAll(domain.examples()));
        return known;
    }

    private static List<String> domains(Policy policy) {
        return policy.domains().stream().map(Policy.Domain::name).toList();
    }

    private int learnedToday() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (!today.equals(day)) {
            day = today;
            learnedToday = 0;
        }
        return learnedToday;
    }

    private static void keepPrevious(Path file) {
        try {
            if (Files.exists(file)) {
                Files.copy(
                        file,
                        file.resolveSibling(file.getFileName() + ".previous"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the previous " + file, e);
        }
    }

    private void count(String outcome) {
        Counter.builder("router.learning.versions")
                .description("Classifiers trained on automatically learned examples, by whether they were swapped in")
                .tag("policy", policy)
                .tag("outcome", outcome)
                .register(meters)
                .increment();
    }

    private static String share(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
