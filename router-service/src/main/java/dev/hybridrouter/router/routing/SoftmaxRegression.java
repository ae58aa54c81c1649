package dev.hybridrouter.router.routing;

import java.util.Arrays;
import java.util.Random;

/**
 * Multinomial logistic regression: {@code logits = W x + b}, fitted by minimising the weighted mean
 * cross-entropy plus {@code lambda / 2 * |W|^2} (the bias is not penalised) with Nesterov's
 * accelerated gradient descent. Deterministic; immutable once fitted.
 */
final class SoftmaxRegression {

    /** Part of the key of classifiers stored on disk ({@link ClassifierDiskCache}), as are the next. */
    static final double TOLERANCE = 1e-4;

    static final int MAX_ITERATIONS = 1_000;

    private final double[][] weights;
    private final double[] bias;

    private SoftmaxRegression(double[][] weights, double[] bias) {
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * A fitted regression from its weights ({@code classes x dimension}) and biases ({@code classes}), as
     * {@link #weights()} and {@link #bias()} gave them.
     *
     * @throws IllegalArgumentException if they are empty, not rectangular, of other counts, or not finite
     */
    static SoftmaxRegression of(double[][] weights, double[] bias) {
        if (weights.length == 0 || weights.length != bias.length || weights[0].length == 0) {
            throw new IllegalArgumentException("a regression needs as many bias terms as weight rows, at least one");
        }
        double[][] w = new double[weights.length][];
        for (int c = 0; c < weights.length; c++) {
            if (weights[c].length != weights[0].length) {
                throw new IllegalArgumentException("weight rows differ in length");
            }
            w[c] = weights[c].clone();
        }
        boolean finite = Arrays.stream(w).flatMapToDouble(Arrays::stream).allMatch(Double::isFinite)
                && Arrays.stream(bias).allMatch(Double::isFinite);
        if (!finite) {
            throw new IllegalArgumentException("weights and bias must be finite");
        }
        return new SoftmaxRegression(w, bias.clone());
    }

    /**
     * @param x the examples, all of the same dimension
     * @param y each example's class, in {@code [0, classes)}
     * @param weight each example's weight in the loss, positive
     * @param classes the number of classes
     * @param lambda the L2 penalty on the weights, positive
     */
    static SoftmaxRegression fit(float[][] examples, int[] y, double[] weight, int classes, double lambda) {
        int n = examples.length;
        double totalWeight = Arrays.stream(weight).sum();
        int dim = examples[0].length;
        double[][] x = new double[n][dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                x[i][j] = examples[i][j];
            }
        }
        // The loss's gradient is Lipschitz with constant 0.5 * (largest eigenvalue of the examples'
        // second-moment matrix, bias input included) + lambda; step 1/L, momentum for condition L/lambda.
        double lipschitz = 0.5 * largestEigenvalue(x, weight, totalWeight) + lambda;
        double ratio = Math.sqrt(lambda / lipschitz);
        double momentum = (1 - ratio) / (1 + ratio);

        double[][] w = new double[classes][dim];
        double[] b = new double[classes];
        double[][] wPrevious = new double[classes][dim];
        double[] bPrevious = new double[classes];
        double[][] wLook = new double[classes][dim];
        double[] bLook = new double[classes];
        double[][] gradW = new double[classes][dim];
        double[] gradB = new double[classes];
        double[] probabilities = new double[classes];

        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < dim; j++) {
                    wLook[c][j] = w[c][j] + momentum * (w[c][j] - wPrevious[c][j]);
                }
                bLook[c] = b[c] + momentum * (b[c] - bPrevious[c]);
                Arrays.fill(gradW[c], 0);
            }
            Arrays.fill(gradB, 0);
            for (int i = 0; i < n; i++) {
                softmax(logits(wLook, bLook, x[i]), 1, probabilities);
                probabilities[y[i]] -= 1;
                for (int c = 0; c < classes; c++) {
                    double g = probabilities[c] * weight[i] / totalWeight;
                    gradB[c] += g;
                    double[] row = gradW[c];
                    double[] xi = x[i];
                    for (int j = 0; j < dim; j++) {
                        row[j] += g * xi[j];
                    }
                }
            }
            double largest = 0;
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < dim; j++) {
                    gradW[c][j] += lambda * wLook[c][j];
                    largest = Math.max(largest, Math.abs(gradW[c][j]));
                }
                largest = Math.max(largest, Math.abs(gradB[c]));
            }
            if (largest < TOLERANCE) {
                break;
            }
            for (int c = 0; c < classes; c++) {
                System.arraycopy(w[c], 0, wPrevious[c], 0, dim);
                for (int j = 0; j < dim; j++) {
                    w[c][j] = wLook[c][j] - gradW[c][j] / lipschitz;
                }
                bPrevious[c] = b[c];
                b[c] = bLook[c] - gradB[c] / lipschitz;
            }
        }
        return new SoftmaxRegression(w, b);
    }

    /** A copy of the weights, one row per class. */
    double[][] weights() {
        return Arrays.stream(weights).map(double[]::clone).toArray(double[][]::new);
    }

    /** A copy of the bias terms, one per class. */
    double[] bias() {
        return bias.clone();
    }

    /** The logit of each class for one input. */
    double[] logits(float[] x) {
        double[] z = new double[weights.length];
        for (int c = 0; c < weights.length; c++) {
            double sum = bias[c];
            for (int j = 0; j < x.length; j++) {
                sum += weights[c][j] * x[j];
            }
            z[c] = sum;
        }
        return z;
    }

    /** Softmax of {@code logits / temperature}, written into {@code out}. */
    static double[] softmax(double[] logits, double temperature, double[] out) {
        double max = Arrays.stream(logits).max().orElse(0);
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            out[c] = Math.exp((logits[c] - max) / temperature);
            sum += out[c];
        }
        for (int c = 0; c < logits.length; c++) {
            out[c] /= sum;
        }
        return out;
    }

    private static double[] logits(double[][] w, double[] b, double[] x) {
        double[] z = new double[w.length];
        for (int c = 0; c < w.length; c++) {
            double sum = b[c];
            double[] row = w[c];
            for (int j = 0; j < x.length; j++) {
                sum += row[j] * x[j];
            }
            z[c] = sum;
        }
        return z;
    }

    /** Largest eigenvalue of the weighted mean of x̃ x̃ᵀ with x̃ = [x, 1], by power iteration. */
    private static double largestEigenvalue(double[][] x, double[] weight, double totalWeight) {
        int dim = x[0].length;
        double[] v = new Random(0).doubles(dim + 1).toArray();
        double eigenvalue = 0;
        for (int iteration = 0; iteration < 30; iteration++) {
            double[] next = new double[dim + 1];
            for (int i = 0; i < x.length; i++) {
                double projection = v[dim];
                for (int j = 0; j < dim; j++) {
                    projection += x[i][j] * v[j];
                }
                projection *= weight[i];
                for (int j = 0; j < dim; j++) {
                    next[j] += projection * x[i][j];
                }
                next[dim] += projection;
            }
            double norm = Math.sqrt(Arrays.stream(next).map(a -> a * a).sum());
            eigenvalue = norm / totalWeight;
            for (int j = 0; j <= dim; j++) {
                v[j] = next[j] / norm;
            }
        }
        return eigenvalue;
    }
}
