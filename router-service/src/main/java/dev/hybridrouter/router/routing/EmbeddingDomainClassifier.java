package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Classifies conversations with an in-process sentence embedding and a softmax regression trained
 * on the policy's example messages when the policy loads. See {@code docs/classifier.md}.
 *
 * <ul>
 *   <li>The conversation's embedding is the weighted mean of its user turns' embeddings (last turn
 *       1, each earlier one half the next, at most four), scaled back to unit length. System
 *       messages, assistant turns and tool results are ignored.
 *   <li>The regression gives one logit per domain. Beside the domains stands a "none of them"
 *       alternative with a fixed logit, the <em>reject level</em>. A domain's confidence is the
 *       softmax probability of its logit among the domains' and the reject level, at a temperature:
 *       the estimated probability that the conversation belongs to that domain rather than to
 *       another domain or to none. Temperature and reject level are fitted when the policy loads, by
 *       maximum likelihood on cross-validated logits of the policy's examples, of its out-of-scope
 *       examples ({@code classifier.out-of-scope-examples}) and of built-in generic requests ({@link
 *       GenericRequests}); the out-of-scope examples and the generic requests each count together as
 *       much as one domain. Both train the "none" alternative of the regression too: the out-of-scope
 *       examples together with one domain's weight, the generic requests with a tenth.
 *   <li>The conversation is out of scope when the reject level beats every domain's logit.
 * </ul>
 *
 * <p>Immutable and thread-safe; a policy reload builds a new one and shares the {@link
 * EmbeddingCache}. Classifying costs one embedding per new user turn (milliseconds) plus
 * microseconds of arithmetic.
 */
public final class EmbeddingDomainClassifier implements DomainClassifier {

    /*
     * The constants below, SoftmaxRegression's and GenericRequests.TEXTS are part of the key of classifiers
     * stored on disk (ClassifierDiskCache.Key), so that a release that changes them does not read a classifier
     * an older one trained. Any other change to what training computes must raise ClassifierDiskCache.FORMAT.
     */

    /** L2 penalty of the regression, chosen by cross-validation on the HWU64 train split. */
    static final double LAMBDA = 4e-4;

    /**
     * The generic requests' weight in training, as a share of an average domain's: enough to give a
     * single-domain policy a contrast, too little to pull domains apart.
     */
    static final double GENERIC_TRAINING_WEIGHT = 0.1;

    /**
     * The temperature fit is pulled towards {@value #PRIOR_TEMPERATURE} (HWU64 policies of 5 to 100
     * examples a domain fit 0.33 to 0.49, with either model), so that a few perfectly separable
     * examples do not make every answer look certain.
     */
    static final double PRIOR_TEMPERATURE = 0.4;

    /**
     * The policy's out-of-scope examples together weigh this many average domains, in the regression and in
     * the calibration, however many there are. On HWU64 (20 examples a scenario, 10, 20 or 40 out-of-scope
     * examples from each held-out scenario) one domain's weight gave the same figures at every count; more
     * weight bought out-of-scope escalation with as much in-scope escalation (docs/benchmarks.md).
     */
    static final double OUT_OF_SCOPE_TRAINING_WEIGHT = 1.0;

    static final int FOLDS = 5;

    static final double PRIOR_LOG_SIGMA = 0.5;
    static final long SEED = 42;

    private final String modelId;
    private final EmbeddingCache embeddings;
    private final List<String> domains;
    private final SoftmaxRegression regression;
    private final Calibration calibration;

    private EmbeddingDomainClassifier(
            String modelId,
            EmbeddingCache embeddings,
            List<String> domains,
            SoftmaxRegression regression,
            Calibration calibration) {
        this.modelId = modelId;
        this.embeddings = embeddings;
        this.domains = domains;
        this.regression = regression;
        this.calibration = calibration;
    }

    /**
     * What a classifier is trained on: policies with equal inputs train the same classifier.
     *
     * @param embeddingModel the embedding model's id
     * @param domains the domains' names, in policy order
     * @param examples each domain's examples, in the same order
     * @param outOfScopeExamples the classifier's out-of-scope examples
     */
    public record Inputs(
            String embeddingModel, List<String> domains, List<List<String>> examples, List<String> outOfScopeExamples) {

        public static Inputs of(Policy policy) {
            return new Inputs(
                    policy.classifier().embeddingModel(),
                    policy.domains().stream().map(Policy.Domain::name).toList(),
                    policy.domains().stream().map(Policy.Domain::examples).toList(),
                    policy.classifier().outOfScopeExamples());
        }

        /** The same inputs embedded by another model, e.g. the fast stage's. */
        public Inputs withEmbeddingModel(String embeddingModel) {
            return new Inputs(embeddingModel, domains, examples, outOfScopeExamples);
        }
    }

    /**
     * Trains a classifier on the policy's domain examples with the policy's embedding model. Takes
     * about a second for tens of examples, tens of seconds for thousands (two cores).
     *
     * @param embeddings the process's embedding models and cache
     * @throws IllegalArgumentException if a domain has no examples, or the embedding model is unknown
     */
    public static EmbeddingDomainClassifier of(Policy policy, EmbeddingCache embeddings) {
        return of(Inputs.of(policy), embeddings);
    }

    /**
     * Trains a classifier on the inputs' domain examples with their embedding model.
     *
     * @throws IllegalArgumentException if a domain has no examples, or the embedding model is unknown
     */
    public static EmbeddingDomainClassifier of(Inputs inputs, EmbeddingCache embeddings) {
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int domain = 0; domain < inputs.domains().size(); domain++) {
            List<String> examples = inputs.examples().get(domain);
            if (examples.isEmpty()) {
                throw new IllegalArgumentException(
                        "Domain '" + inputs.domains().get(domain) + "' has no examples to classify by");
            }
            for (String example : examples) {
                texts.add(example);
                labels.add(domain);
            }
        }
        List<String> domains = inputs.domains();
        int examples = texts.size();
        int classes = domains.size();
        List<String> outOfScope = inputs.outOfScopeExamples();
        texts.addAll(outOfScope);
        texts.addAll(GenericRequests.TEXTS);
        outOfScope.forEach(text -> labels.add(classes));
        GenericRequests.TEXTS.forEach(text -> labels.add(classes));

        String modelId = inputs.embeddingModel();
        Training training = new Training(
                embeddings.embedAll(modelId, texts).toArray(float[][]::new),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                examples,
                outOfScope.size(),
                classes);
        SoftmaxRegression regression =
                SoftmaxRegression.fit(training.x(), training.y(), training.weights(), classes + 1, LAMBDA);
        return new EmbeddingDomainClassifier(
                modelId, embeddings, List.copyOf(domains), regression, training.calibrate());
    }

    /**
     * A classifier that {@link #of} trained, from the parts {@link ClassifierDiskCache} stored of it.
     *
     * @throws IllegalArgumentException if the parts do not fit together: a regression without one class per
     *     domain and the "none" class, or a calibration that is not finite and positive
     */
    static EmbeddingDomainClassifier restored(
            String modelId,
            EmbeddingCache embeddings,
            List<String> domains,
            SoftmaxRegression regression,
            Calibration calibration) {
        if (domains.isEmpty() || regression.bias().length != domains.size() + 1) {
            throw new IllegalArgumentException("the regression has " + regression.bias().length + " classes for "
                    + domains.size() + " domains and the \"none\" class");
        }
        if (!(calibration.temperature() > 0)
                || !Double.isFinite(calibration.temperature())
                || !Double.isFinite(calibration.rejectLevel())) {
            throw new IllegalArgumentException("the calibration is not finite and positive: " + calibration);
        }
        return new EmbeddingDomainClassifier(modelId, embeddings, List.copyOf(domains), regression, calibration);
    }

    String modelId() {
        return modelId;
    }

    List<String> domains() {
        return domains;
    }

    SoftmaxRegression regression() {
        return regression;
    }

    @Override
    public Classification classify(List<ChatMessage> conversation) {
        List<TurnWeights.WeightedText> turns = TurnWeights.of(conversation);
        Map<String, Double> scores = new LinkedHashMap<>();
        if (turns.isEmpty()) {
            domains.forEach(domain -> scores.put(domain, 0.0));
            return new Classification(scores, true);
        }
        double[] logits = Arrays.copyOf(regression.logits(embed(turns)), domains.size());
        double[] confidences = calibration.confidences(logits);
        for (int c = 0; c < domains.size(); c++) {
            scores.put(domains.get(c), confidences[c]);
        }
        boolean outOfScope = Arrays.stream(logits).allMatch(logit -> logit <= calibration.rejectLevel());
        return new Classification(scores, outOfScope);
    }

    /** What the classifier learned about its own reliability when it was trained. */
    public Calibration calibration() {
        return calibration;
    }

    /**
     * Figures fitted by cross-validation when the classifier was trained.
     *
     * @param temperature divides the logits before the softmax
     * @param rejectLevel the logit of the "none of the domains" alternative
     * @param crossValidatedAccuracy share of the policy's examples put in their own domain by a
     *     regression trained without them: what to expect of top-1 accuracy on similar messages
     */
    public record Calibration(double temperature, double rejectLevel, double crossValidatedAccuracy) {

        /** Each domain's confidence: softmax over the domains' logits and the reject level. */
        double[] confidences(double[] domainLogits) {
            double[] withReject = Arrays.copyOf(domainLogits, domainLogits.length + 1);
            withReject[domainLogits.length] = rejectLevel;
            double[] probabilities = SoftmaxRegression.softmax(withReject, temperature, new double[withReject.length]);
            return Arrays.copyOf(probabilities, domainLogits.length);
        }
    }

    private float[] embed(List<TurnWeights.WeightedText> turns) {
        List<float[]> vectors = embeddings.embedAll(
                modelId, turns.stream().map(TurnWeights.WeightedText::text).toList());
        float[] sum = new float[vectors.get(0).length];
        for (int t = 0; t < turns.size(); t++) {
            float weight = (float) turns.get(t).weight();
            float[] vector = vectors.get(t);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += weight * vector[j];
            }
        }
        return Vectors.normalized(sum);
    }

    /**
     * The training set: the policy's examples (classes 0 to {@code classes - 1}) followed by the
     * generic requests (class {@code classes}).
     */
    private record Training(float[][] x, int[] y, int examples, int outOfScope, int classes) {

        double[] weights() {
            return weights(IntStream.range(0, x.length).toArray());
        }

        /**
         * Domain examples weigh 1; the out-of-scope examples together OUT_OF_SCOPE_TRAINING_WEIGHT of an
         * average domain, the generic requests together GENERIC_TRAINING_WEIGHT of one.
         */
        double[] weights(int[] rows) {
            long generic = Arrays.stream(rows).filter(this::generic).count();
            long domainRows = Arrays.stream(rows).filter(i -> i < examples).count();
            long outOfScopeRows = rows.length - generic - domainRows;
            double averageDomain = (double) domainRows / classes;
            double genericWeight = GENERIC_TRAINING_WEIGHT * averageDomain / generic;
            double outOfScopeWeight = OUT_OF_SCOPE_TRAINING_WEIGHT * averageDomain / Math.max(1, outOfScopeRows);
            return Arrays.stream(rows)
                    .mapToDouble(i -> i < examples ? 1 : generic(i) ? genericWeight : outOfScopeWeight)
                    .toArray();
        }

        private boolean generic(int row) {
            return row >= examples + outOfScope;
        }

        Calibration calibrate() {
            double[][] logits = crossValidatedLogits();
            long correct = IntStream.range(0, examples)
                    .filter(i -> argMax(logits[i]) == y[i])
                    .count();
            double[] fit = temperatureAndRejectLevel(logits);
            return new Calibration(fit[0], fit[1], correct / (double) examples);
        }

        /**
         * Each row's domain logits from a regression trained on the other folds; the examples are
         * split by domain, the generic requests among themselves.
         */
        private double[][] crossValidatedLogits() {
            int[] fold = new int[x.length];
            Random random = new Random(SEED);
            for (int c = 0; c <= classes; c++) {
                int label = c;
                List<Integer> members = new ArrayList<>(IntStream.range(0, x.length)
                        .filter(i -> y[i] == label)
                        .boxed()
                        .toList());
                Collections.shuffle(members, random);
                for (int k = 0; k < members.size(); k++) {
                    fold[members.get(k)] = k % FOLDS;
                }
            }
            double[][] logits = new double[x.length][];
            IntStream.range(0, FOLDS).parallel().forEach(k -> {
                int[] train =
                        IntStream.range(0, x.length).filter(i -> fold[i] != k).toArray();
                SoftmaxRegression model = SoftmaxRegression.fit(
                        Arrays.stream(train).mapToObj(i -> x[i]).toArray(float[][]::new),
                        Arrays.stream(train).map(i -> y[i]).toArray(),
                        weights(train),
                        classes + 1,
                        LAMBDA);
                IntStream.range(0, x.length)
                        .filter(i -> fold[i] == k)
                        .forEach(i -> logits[i] = Arrays.copyOf(model.logits(x[i]), classes));
            });
            return logits;
        }

        /**
         * Minimises the log loss of the examples (their own domain), of the policy's out-of-scope examples
         * and of the generic requests ("none"), each of the latter two together weighing as much as an
         * average domain, plus a log-normal prior on the temperature; by grid search.
         */
        private double[] temperatureAndRejectLevel(double[][] logits) {
            double[] exampleMaxima = IntStream.range(0, examples)
                    .mapToDouble(i -> Arrays.stream(logits[i]).max().orElseThrow())
                    .sorted()
                    .toArray();
            double low = exampleMaxima[0] - 1;
            double high = exampleMaxima[exampleMaxima.length - 1];
            int generic = x.length - examples - outOfScope;
            double averageDomain = (double) examples / classes;
            double genericWeight = averageDomain / generic; // together: an average domain
            double outOfScopeWeight = OUT_OF_SCOPE_TRAINING_WEIGHT * averageDomain / Math.max(1, outOfScope);
            double[] best = {PRIOR_TEMPERATURE, low};
            double bestLoss = Double.POSITIVE_INFINITY;
            double[] row = new double[classes + 1];
            for (double logT = Math.log(0.05); logT <= Math.log(5); logT += 0.05) {
                double temperature = Math.exp(logT);
                double prior = Math.log(temperature / PRIOR_TEMPERATURE) / PRIOR_LOG_SIGMA;
                for (int step = 0; step <= 40; step++) {
                    double reject = low + (high - low) * step / 40;
                    double loss = 0.5 * prior * prior;
                    for (int i = 0; i < x.length; i++) {
                        System.arraycopy(logits[i], 0, row, 0, classes);
                        row[classes] = reject;
                        double p = SoftmaxRegression.softmax(row, temperature, row)[y[i]];
                        double weight = i < examples ? 1 : generic(i) ? genericWeight : outOfScopeWeight;
                        loss -= weight * Math.log(Math.max(p, 1e-12));
                    }
                    if (loss < bestLoss) {
                        bestLoss = loss;
                        best = new double[] {temperature, reject};
                    }
                }
            }
            return best;
        }
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
