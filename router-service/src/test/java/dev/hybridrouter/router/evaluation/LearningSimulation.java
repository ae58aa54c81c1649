package dev.hybridrouter.router.evaluation;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.evaluation.Hwu64.Row;
import dev.hybridrouter.router.evaluation.LearningLoop.Checkpoint;
import dev.hybridrouter.router.evaluation.LearningLoop.Message;
import dev.hybridrouter.router.learning.Label;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * The learning loop of issue 12 simulated on HWU64 (docs/benchmarks.md, "Learning from escalations"): a policy of K
 * examples a scenario, three scenarios held out as in the HWU64 benchmark; the rest of the train file streamed
 * through the router as traffic, each escalated message labelled by a simulated teacher and learned from by the
 * automatic rules ({@link LearningLoop}); the routing figures on the test file after every N labels, as means over
 * the held-out triples. Prints Markdown on stdout, progress on stderr.
 */
@Command(
        name = "learning-simulation",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Simulates learning.mode: automatic on HWU64: starts from --examples a scenario (three scenarios"
                + " held out, in turn), streams the other train messages, shuffled, through the router, has a"
                + " simulated teacher label each escalated one (its scenario, or none for a held-out one; wrong at"
                + " --noise), applies the automatic rules and the held-back guard, and prints the routing figures"
                + " on the test file after every --every labels. Options without a default take the policy"
                + " default (defaults.yaml, learning.automatic).")
public final class LearningSimulation implements Callable<Integer> {

    /** Issue 12's targets after 2,000 labelled escalations. */
    static final double TARGET_ACCURACY = 0.90;

    static final double TARGET_IN_SCOPE_ESCALATED = 0.05;
    static final double TARGET_HELD_OUT_ESCALATED = 0.75;

    @Spec
    CommandSpec spec;

    @Parameters(
            paramLabel = "DATA_DIR",
            description = "Folder holding " + Hwu64.TRAIN_FILE + " and " + Hwu64.TEST_FILE + ".")
    Path data;

    @Option(
            names = "--model",
            paramLabel = "ID",
            defaultValue = EmbeddingCache.ALL_MINILM_L6_V2_Q,
            description = "The classifier's embedding model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--examples",
            paramLabel = "K",
            defaultValue = "20",
            description = "Examples a scenario to start with (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(
            names = "--out-of-scope",
            paramLabel = "N",
            defaultValue = "0",
            description = "Out-of-scope examples to start with: the first train messages of each held-out scenario"
                    + " (default ${DEFAULT-VALUE}).")
    int outOfScope;

    @Option(
            names = "--labels",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Escalated messages labelled before the run stops (default ${DEFAULT-VALUE}).")
    int labels;

    @Option(
            names = "--every",
            paramLabel = "N",
            defaultValue = "250",
            description = "Labels between two reports on the test file (default ${DEFAULT-VALUE}).")
    int every;

    @Option(
            names = "--noise",
            paramLabel = "SHARE",
            defaultValue = "0.05",
            description = "Share of wrong teacher labels, each uniformly another domain or none (default"
                    + " ${DEFAULT-VALUE}).")
    double noise;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            defaultValue = "42",
            description = "Seed of the teacher's mistakes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--triples",
            paramLabel = "N",
            defaultValue = "6",
            description = "Held-out triples run, the first of the six (default ${DEFAULT-VALUE}).")
    int triples;

    @Option(names = "--agreement", paramLabel = "N", description = "learning.automatic.agreement.")
    Integer agreement;

    @Option(
            names = "--runner-up",
            paramLabel = "true|false",
            arity = "1",
            description = "learning.automatic.runner-up.")
    Boolean runnerUp;

    @Option(
            names = "--examples-per-day",
            paramLabel = "N",
            description = "learning.automatic.examples-per-day, the daily cap.")
    Integer examplesPerDay;

    @Option(names = "--held-back", paramLabel = "SHARE", description = "learning.automatic.held-back.")
    Double heldBack;

    @Option(names = "--min-held-back", paramLabel = "N", description = "learning.automatic.min-held-back.")
    Integer minHeldBack;

    @Option(names = "--retrain-every", paramLabel = "N", description = "learning.automatic.retrain-every.")
    Integer retrainEvery;

    @Option(
            names = "--day",
            paramLabel = "N|off",
            description = "Escalated messages in a simulated day, for the daily cap; off: no cap (default:"
                    + " learning.labels-per-day, the most a day can label, as every escalation is labelled).")
    String day;

    @Option(
            names = "--variant",
            paramLabel = "OPTIONS",
            description = "Another run after the first, in the same process (embeddings computed once), with these"
                    + " options over the others, e.g. --variant=\"--noise 0.15\"; repeatable.")
    List<String> variants = List.of();

    /** One run's settings, said in the report. */
    private record Settings(Policy.Automatic rules, OptionalInt day) {}

    /** One run's means at its end, for the summary. */
    private record Outcome(String name, Checkpoint end, double minutes) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new LearningSimulation()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Row> train = Hwu64.read(data.resolve(Hwu64.TRAIN_FILE));
        List<Row> test = Hwu64.read(data.resolve(Hwu64.TEST_FILE));
        List<LearningSimulation> runs = new ArrayList<>(List.of(this));
        List<String> names = new ArrayList<>(List.of("as given"));
        List<String> given = spec.commandLine().getParseResult().originalArgs();
        for (String variant : variants) {
            LearningSimulation run = new LearningSimulation();
            List<String> args = new ArrayList<>(given);
            args.addAll(List.of(variant.trim().split("\\s+")));
            new CommandLine(run).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
            runs.add(run);
            names.add(variant.trim());
        }
        for (LearningSimulation run : runs) {
            run.validate();
        }

        System.out.printf(
                Locale.ROOT,
                "Machine: %d cores, %s %s (%s), %s %s, %s, load average %.1f at start%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.vm.version"),
                System.getProperty("java.vm.vendor"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                LocalDate.now(),
                loadAverage());
        EmbeddingCache cache = new EmbeddingCache(2L * (train.size() + test.size()) + 1_000);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            outcomes.add(runs.get(i).simulate(names.get(i), cache, train, test));
        }
        System.out.println("## Summary");
        System.out.println();
        System.out.println("| run | labelled | accuracy @0.55 | in-scope escalated | held-out escalated | learned"
                + " (wrong) | swaps, rejected (better on test) | minutes |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Outcome outcome : outcomes) {
            Checkpoint end = outcome.end();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.1f%% | %.1f%% | %.1f%% | %d (%d) | %d, %d (%d) | %.1f |%n",
                    outcome.name(),
                    end.labelled(),
                    100 * end.accuracy(),
                    100 * end.inScopeEscalated(),
                    100 * end.heldOutEscalated(),
                    end.learned(),
                    end.learnedWrong(),
                    end.swaps(),
                    end.rejected(),
                    end.rejectedBetter(),
                    outcome.minutes());
        }
        System.out.printf(Locale.ROOT, "%nLoad average %.1f at the end.%n", loadAverage());
        return 0;
    }

    private void validate() {
        if (examples < 1 || outOfScope < 0 || labels < 1 || every < 1 || triples < 1 || triples > 6) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--examples, --labels and --every must be at least 1, --out-of-scope at least 0, --triples 1"
                            + " to 6");
        }
        if (!(noise >= 0 && noise <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--noise must be in [0,1]: " + noise);
        }
        if (day != null && !day.equals("off") && !day.matches("[1-9][0-9]*")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--day takes a number of escalated messages or off: " + day);
        }
    }

    private Outcome simulate(String name, EmbeddingCache cache, List<Row> train, List<Row> test) {
        long begin = System.nanoTime();
        log("run '%s': embedding %d messages with %s", name, train.size() + test.size(), model);
        cache.embedAll(
                model,
                Stream.concat(train.stream(), test.stream()).map(Row::text).toList());
        List<List<Checkpoint>> curves = new ArrayList<>();
        Settings settings = null;
        for (List<String> heldOut : Hwu64.HELD_OUT.subList(0, triples)) {
            log("run '%s': held out %s", name, heldOut);
            Policy start = start(train, heldOut);
            settings = settings(start);
            List<String> domains =
                    start.domains().stream().map(Policy.Domain::name).toList();
            LearningLoop loop = new LearningLoop(
                    start,
                    policy -> EmbeddingDomainClassifier.of(policy, cache),
                    settings.rules(),
                    settings.day(),
                    new SimulatedTeacher(domains, noise, new Random(seed)),
                    message -> log("%s", message));
            curves.add(loop.run(stream(start, train, heldOut), Hwu64.labelled(test, heldOut), labels, every));
        }
        double minutes = (System.nanoTime() - begin) / 60e9;
        Checkpoint end = report(name, settings, curves, minutes);
        return new Outcome(name, end, minutes);
    }

    /** The start policy, in automatic learning mode, so that its rules are the policy defaults. */
    private Policy start(List<Row> train, List<String> heldOut) {
        ObjectNode tree = Hwu64.policyTree(model, Hwu64.DEFAULT_THRESHOLD, train, examples, heldOut, outOfScope);
        tree.putObject("learning").put("directory", "learning").put("mode", "automatic");
        return Hwu64.load(tree);
    }

    /** The policy's automatic rules and day, with the options given over them. */
    private Settings settings(Policy start) {
        Policy.Automatic defaults = start.learning().automatic();
        Policy.Automatic rules = new Policy.Automatic(
                agreement != null ? agreement : defaults.agreement(),
                runnerUp != null ? runnerUp : defaults.runnerUp(),
                examplesPerDay != null ? examplesPerDay : defaults.examplesPerDay(),
                heldBack != null ? heldBack : defaults.heldBack(),
                minHeldBack != null ? minHeldBack : defaults.minHeldBack(),
                retrainEvery != null ? retrainEvery : defaults.retrainEvery());
        OptionalInt days = day == null
                ? OptionalInt.of(start.learning().labelsPerDay())
                : day.equals("off") ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(day));
        return new Settings(rules, days);
    }

    /** The train messages the policy does not hold, shuffled: held-out scenarios' labelled none. */
    private static List<Message> stream(Policy start, List<Row> train, List<String> heldOut) {
        Set<String> known = new HashSet<>(start.classifier().outOfScopeExamples());
        start.domains().forEach(domain -> known.addAll(domain.examples()));
        List<Message> stream = new ArrayList<>();
        for (Row row : train) {
            if (!known.contains(row.text())) {
                stream.add(new Message(row.text(), heldOut.contains(row.scenario()) ? Label.NONE : row.scenario()));
            }
        }
        Collections.shuffle(stream, new Random(Hwu64.SEED));
        return stream;
    }

    /** Prints a run's curve of means over the triples, its end per triple and against the targets. */
    private Checkpoint report(String name, Settings settings, List<List<Checkpoint>> curves, double minutes) {
        Policy.Automatic rules = settings.rules();
        System.out.printf(
                Locale.ROOT,
                "## Run: %s%n%n%s, %d examples a scenario%s, %s; teacher wrong at %.0f%%; agreement %d, runner-up %s,"
                        + " examples-per-day %d (%s), held-back %.2f, min-held-back %d, retrain-every %d; means over %d"
                        + " held-out triple(s); %.1f minutes.%n%n",
                name,
                model,
                examples,
                outOfScope > 0 ? " and " + outOfScope + " out-of-scope examples from each held-out scenario" : "",
                "threshold " + Hwu64.DEFAULT_THRESHOLD,
                100 * noise,
                rules.agreement(),
                rules.runnerUp(),
                rules.examplesPerDay(),
                settings.day().isPresent()
                        ? "a day: " + settings.day().getAsInt() + " escalated messages"
                        : "no daily cap",
                rules.heldBack(),
                rules.minHeldBack(),
                rules.retrainEvery(),
                curves.size(),
                minutes);
        System.out.println("| labelled | streamed | top-1 | accuracy @0.55 | in-scope escalated | held-out escalated"
                + " | learned | of them wrong | held back | swaps | rejected | rejected, better on test |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        int shown = 0;
        for (int i = 0; reachedByAll(curves, i); i++) {
            int at = i;
            row(
                    String.valueOf(at * every),
                    curves.stream().map(curve -> curve.get(at)).toList());
            shown = at * every;
        }
        List<Checkpoint> ends =
                curves.stream().map(curve -> curve.get(curve.size() - 1)).toList();
        Checkpoint end = mean(ends);
        int lastShown = shown;
        if (!ends.stream().allMatch(checkpoint -> checkpoint.labelled() == lastShown)) {
            row(String.format(Locale.ROOT, "end: %d", end.labelled()), ends);
        }
        System.out.println();
        System.out.println("At the end, per held-out triple (labelled; accuracy, in-scope escalated, held-out"
                + " escalated, %):");
        System.out.println();
        for (int t = 0; t < curves.size(); t++) {
            Checkpoint last = curves.get(t).get(curves.get(t).size() - 1);
            System.out.printf(
                    Locale.ROOT,
                    "- %s: %d; %.1f, %.1f, %.1f%n",
                    String.join(", ", Hwu64.HELD_OUT.get(t)),
                    last.labelled(),
                    100 * last.accuracy(),
                    100 * last.inScopeEscalated(),
                    100 * last.heldOutEscalated());
        }
        System.out.printf(
                Locale.ROOT,
                "%nTargets after %d labels (mean): accuracy %.1f%% (target >= %.0f%%: %s), in-scope escalated %.1f%%"
                        + " (<= %.0f%%: %s), held-out escalated %.1f%% (>= %.0f%%: %s).%n%n",
                end.labelled(),
                100 * end.accuracy(),
                100 * TARGET_ACCURACY,
                end.accuracy() >= TARGET_ACCURACY ? "reached" : "not reached",
                100 * end.inScopeEscalated(),
                100 * TARGET_IN_SCOPE_ESCALATED,
                end.inScopeEscalated() <= TARGET_IN_SCOPE_ESCALATED ? "reached" : "not reached",
                100 * end.heldOutEscalated(),
                100 * TARGET_HELD_OUT_ESCALATED,
                end.heldOutEscalated() >= TARGET_HELD_OUT_ESCALATED ? "reached" : "not reached");
        System.out.flush();
        return end;
    }

    /** Whether every triple has its {@code i}-th checkpoint after {@code i * every} labels. */
    private boolean reachedByAll(List<List<Checkpoint>> curves, int i) {
        return curves.stream()
                .allMatch(curve -> curve.size() > i && curve.get(i).labelled() == i * every);
    }

    /** Prints one row of the curve: the means of these checkpoints, one per triple. */
    private static void row(String labelled, List<Checkpoint> checkpoints) {
        Checkpoint mean = mean(checkpoints);
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d | %d | %d | %.1f | %.1f | %.1f |%n",
                labelled,
                mean.streamed(),
                100 * mean.top1(),
                100 * mean.accuracy(),
                100 * mean.inScopeEscalated(),
                100 * mean.heldOutEscalated(),
                mean.learned(),
                mean.learnedWrong(),
                mean.heldBack(),
                mean(checkpoints, Checkpoint::swaps),
                mean(checkpoints, Checkpoint::rejected),
                mean(checkpoints, Checkpoint::rejectedBetter));
    }

    /** The means of checkpoints, counts rounded. */
    private static Checkpoint mean(List<Checkpoint> checkpoints) {
        return new Checkpoint(
                (int) Math.round(mean(checkpoints, Checkpoint::labelled)),
                (int) Math.round(mean(checkpoints, Checkpoint::streamed)),
                mean(checkpoints, Checkpoint::top1),
                mean(checkpoints, Checkpoint::accuracy),
                mean(checkpoints, Checkpoint::inScopeEscalated),
                mean(checkpoints, Checkpoint::heldOutEscalated),
                (int) Math.round(mean(checkpoints, Checkpoint::learned)),
                (int) Math.round(mean(checkpoints, Checkpoint::learnedWrong)),
                (int) Math.round(mean(checkpoints, Checkpoint::swaps)),
                (int) Math.round(mean(checkpoints, Checkpoint::rejected)),
                (int) Math.round(mean(checkpoints, Checkpoint::rejectedBetter)),
                (int) Math.round(mean(checkpoints, Checkpoint::heldBack)));
    }

    private static double mean(List<Checkpoint> row, ToDoubleFunction<Checkpoint> figure) {
        return row.stream().mapToDouble(figure).average().orElseThrow();
    }

    private static void log(String format, Object... arguments) {
        System.err.printf(
                Locale.ROOT,
                "[%s] %s%n",
                LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                String.format(Locale.ROOT, format, arguments));
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
