package dev.hybridrouter.router.routing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.hybridrouter.router.Sha256;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * A sentence embedding in microseconds: the mean of one row per token, from a table distilled from
 * all-MiniLM-L6-v2 (quantised), in the manner of Model2Vec. The classifier's fast stage embeds with it (see
 * {@code docs/classifier.md}).
 *
 * <p>The table is built once, when the router is packaged ({@link #main}: the build runs it, and the jar carries
 * its output, {@value #RESOURCE}): every token of the model's vocabulary goes through the model alone, between
 * {@code [CLS]} and {@code [SEP]}, and the mean of the three output vectors is its row; the rows are reduced to
 * {@value #DIMENSIONS} principal components, each weighted by {@code log(1 + rank)} (the vocabulary lists words by
 * frequency, so frequent words weigh less, as Zipf's law suggests) and quantised to a byte per component with a
 * scale per row: about 8 MB. A text's embedding is then the mean of its tokens' rows (as the model tokenizes it,
 * {@link WordPieceTokenizer}, the first {@value #MAX_TOKENS}), scaled to unit length; a text without tokens gets
 * the zero vector.
 *
 * <p>On HWU64 (docs/benchmarks.md) it routes a little worse than the full model, which is why it only decides the
 * messages it is sure of. Immutable and thread-safe.
 */
final class StaticEmbeddings implements EmbeddingModel {

    /** The table in the jar, written by {@link #main} when the router is packaged. */
    static final String RESOURCE = "/dev/hybridrouter/router/routing/all-minilm-l6-v2-q.static-embeddings";

    /** Components kept of each token's vector. */
    static final int DIMENSIONS = 256;

    /** Tokens of a text embedded: the first ones. */
    static final int MAX_TOKENS = 512;

    /**
     * The version of the table's file and of how it is distilled; a table of another version is built again. Raise
     * it with any change to {@link #distil}.
     */
    static final int VERSION = 2;

    private static final int MAGIC = 0x48525345; // "HRSE"
    private static final String MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
    private static final int CLS = 101;
    private static final int SEP = 102;
    /** Token ids below this are special, unused or single characters; words start here, most frequent first. */
    private static final int FIRST_WORD = 1996;

    private final WordPieceTokenizer tokenizer;
    private final Table table;
    private final String fingerprint;

    private StaticEmbeddings(WordPieceTokenizer tokenizer, Table table, String fingerprint) {
        if (table.rows() != tokenizer.vocabularySize()) {
            throw new IllegalArgumentException("the table has " + table.rows() + " rows for a vocabulary of "
                    + tokenizer.vocabularySize() + " tokens");
        }
        this.tokenizer = tokenizer;
        this.table = table;
        this.fingerprint = fingerprint;
    }

    /**
     * The table the jar carries.
     *
     * @throws IllegalStateException if the jar has none, or one of another version: a build that skipped {@link
     *     #main}
     */
    static StaticEmbeddings load() {
        byte[] bytes;
        try (InputStream in = StaticEmbeddings.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the router's classes: the build makes it"
                        + " (./mvnw package, or process-classes in router-service)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        try {
            return new StaticEmbeddings(tokenizer(), Table.read(bytes), Sha256.hex(bytes));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(RESOURCE + " cannot be used (" + e.getMessage() + "): build it again", e);
        }
    }

    /** The SHA-256 of the table's file: classifiers trained on another table are not reused. */
    String fingerprint() {
        return fingerprint;
    }

    /** The text's embedding, unit length, or zero when it has no token. */
    float[] vector(String text) {
        int[] ids = tokenizer.ids(text, MAX_TOKENS);
        float[] sum = new float[DIMENSIONS];
        for (int id : ids) {
            table.addRow(id, sum);
        }
        return Vectors.normalized(sum);
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        return Response.from(segments.stream()
                .map(segment -> Embedding.from(vector(segment.text())))
                .toList());
    }

    @Override
    public int dimension() {
        return DIMENSIONS;
    }

    /**
     * Builds the table into a file, unless it already holds one of this {@link #VERSION} distilled from the model
     * the classpath has now (by its SHA-256: a LangChain4j upgrade that changes the model builds it again). The build
     * runs it at {@code process-classes}.
     *
     * <p>Usage: {@code StaticEmbeddings <file>}
     */
    public static void main(String[] args) throws IOException, OrtException {
        if (args.length != 1) {
            System.err.println("usage: StaticEmbeddings <file>");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        byte[] model = model();
        String source = Sha256.hex(model);
        if (Files.isRegularFile(file) && distilledFrom(Files.readAllBytes(file), source)) {
            return;
        }
        long start = System.nanoTime();
        Table table = distil(model, source, tokenizer().vocabularySize());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(
                file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(temp))) {
            table.write(out);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf(
                "Static embeddings: %d tokens x %d components in %.1f s -> %s%n",
                table.rows(), DIMENSIONS, (System.nanoTime() - start) / 1e9, file);
    }

    /** Whether the file is a table of this version distilled from the model of this SHA-256. */
    static boolean distilledFrom(byte[] file, String source) {
        try {
            return Table.read(file).source().equals(source);
        } catch (IOException e) {
            return false;
        }
    }

    /** The model's ONNX file, from LangChain4j's jar. */
    static byte[] model() throws IOException {
        try (InputStream in = resource(MODEL)) {
            return in.readAllBytes();
        }
    }

    /** Every token through the model, then principal components, weights and quantisation (see the class). */
    static Table distil(byte[] model, String source, int vocabulary) throws OrtException {
        float[][] vectors = tokenVectors(model, vocabulary);
        double[][] components = principalComponents(vectors, DIMENSIONS);
        double[] mean = mean(vectors);
        float[][] rows = new float[vocabulary][DIMENSIONS];
        IntStream.range(0, vocabulary).parallel().forEach(token -> {
            double weight = Math.log(1 + Math.max(1, token - FIRST_WORD + 1));
            for (int c = 0; c < DIMENSIONS; c++) {
                double projection = 0;
                for (int d = 0; d < mean.length; d++) {
                    projection += (vectors[token][d] - mean[d]) * components[c][d];
                }
                rows[token][c] = (float) (weight * projection);
            }
        });
        return Table.quantised(rows, source);
    }

    /** Each token's output vector: the mean over [CLS], the token and [SEP]. */
    private static float[][] tokenVectors(byte[] model, int vocabulary) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = environment.createSession(model, options)) {
            float[][] vectors = new float[vocabulary][];
            int batch = 256;
            for (int first = 0; first < vocabulary; first += batch) {
                int size = Math.min(batch, vocabulary - first);
                long[][] ids = new long[size][];
                long[][] mask = new long[size][];
                long[][] types = new long[size][3];
                for (int i = 0; i < size; i++) {
                    ids[i] = new long[] {CLS, first + i, SEP};
                    mask[i] = new long[] {1, 1, 1};
                }
                try (OnnxTensor inputIds = OnnxTensor.createTensor(environment, ids);
                        OnnxTensor attention = OnnxTensor.createTensor(environment, mask);
                        OnnxTensor typeIds = OnnxTensor.createTensor(environment, types);
                        OrtSession.Result result = session.run(Map.of(
                                "input_ids", inputIds, "attention_mask", attention, "token_type_ids", typeIds))) {
                    float[][][] hidden = (float[][][]) result.get(0).getValue();
                    for (int i = 0; i < size; i++) {
                        float[] vector = new float[hidden[i][0].length];
                        for (float[] position : hidden[i]) {
                            for (int d = 0; d < vector.length; d++) {
                                vector[d] += position[d] / hidden[i].length;
                            }
                        }
                        vectors[first + i] = vector;
                    }
                }
            }
            return vectors;
        }
    }

    /**
     * The {@code count} leading eigenvectors of the vectors' covariance, largest eigenvalue first, each with its
     * largest component positive (so that the same vectors give the same table whatever the solver's signs).
     */
    static double[][] principalComponents(float[][] vectors, int count) {
        int dimension = vectors[0].length;
        double[] mean = mean(vectors);
        DMatrixRMaj covariance = new DMatrixRMaj(dimension, dimension);
        for (float[] vector : vectors) {
            for (int i = 0; i < dimension; i++) {
                double a = vector[i] - mean[i];
                for (int j = i; j < dimension; j++) {
                    covariance.add(i, j, a * (vector[j] - mean[j]));
                }
            }
        }
        for (int i = 0; i < dimension; i++) {
            for (int j = 0; j < i; j++) {
                covariance.set(i, j, covariance.get(j, i));
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(dimension, true, true);
        if (!eigen.decompose(covariance)) {
            throw new IllegalStateException("the eigendecomposition of the token vectors' covariance failed");
        }
        return IntStream.range(0, dimension)
                .boxed()
                .sorted(Comparator.comparingDouble(
                                (Integer k) -> eigen.getEigenvalue(k).getReal())
                        .reversed())
                .limit(count)
                .map(k -> {
                    double[] v = eigen.getEigenVector(k).getData().clone();
                    double largest = Arrays.stream(v).reduce(0, (a, b) -> Math.abs(b) > Math.abs(a) ? b : a);
                    return largest < 0 ? Arrays.stream(v).map(x -> -x).toArray() : v;
                })
                .toArray(double[][]::new);
    }

    private static double[] mean(float[][] vectors) {
        double[] mean = new double[vectors[0].length];
        for (float[] vector : vectors) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += vector[d];
            }
        }
        for (int d = 0; d < mean.length; d++) {
            mean[d] /= vectors.length;
        }
        return mean;
    }

    private static WordPieceTokenizer tokenizer() {
        try (InputStream in = resource(TOKENIZER)) {
            return WordPieceTokenizer.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TOKENIZER, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream stream = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResourceAsStream("/" + name);
        if (stream == null) {
            throw new IllegalStateException(name + " is missing from LangChain4j's all-MiniLM-L6-v2 jar");
        }
        return stream;
    }

    /**
     * The quantised rows: component {@code c} of row {@code r} is {@code scales[r] * values[r * DIMENSIONS + c]}.
     * {@code source} is the SHA-256 of the model it was distilled from. File: magic, {@link #VERSION}, rows,
     * dimensions (ints), the source (modified UTF-8), then each row's scale (float) and bytes.
     */
    record Table(int rows, float[] scales, byte[] values, String source) {

        static Table quantised(float[][] rows, String source) {
            float[] scales = new float[rows.length];
            byte[] values = new byte[rows.length * DIMENSIONS];
            for (int r = 0; r < rows.length; r++) {
                float largest = 0;
                for (float x : rows[r]) {
                    largest = Math.max(largest, Math.abs(x));
                }
                scales[r] = largest / 127;
                for (int c = 0; c < DIMENSIONS; c++) {
                    values[r * DIMENSIONS + c] = (byte) (largest == 0 ? 0 : Math.round(rows[r][c] / scales[r]));
                }
            }
            return new Table(rows.length, scales, values, source);
        }

        void addRow(int row, float[] sum) {
            float scale = scales[row];
            int offset = row * DIMENSIONS;
            for (int c = 0; c < DIMENSIONS; c++) {
                sum[c] += scale * values[offset + c];
            }
        }

        void write(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(rows);
            out.writeInt(DIMENSIONS);
            out.writeUTF(source);
            for (int r = 0; r < rows; r++) {
                out.writeFloat(scales[r]);
                out.write(values, r * DIMENSIONS, DIMENSIONS);
            }
        }

        static Table read(byte[] bytes) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                if (in.readInt() != MAGIC) {
                    throw new IOException("not a table of static embeddings");
                }
                int version = in.readInt();
                int rows = in.readInt();
                int dimensions = in.readInt();
                if (version != VERSION || dimensions != DIMENSIONS || rows < 1) {
                    throw new IOException("version " + version + ", " + rows + " rows of " + dimensions
                            + " components; expected version " + VERSION + " with " + DIMENSIONS);
                }
                String source = in.readUTF();
                float[] scales = new float[rows];
                byte[] values = new byte[rows * DIMENSIONS];
                for (int r = 0; r < rows; r++) {
                    scales[r] = in.readFloat();
                    in.readFully(values, r * DIMENSIONS, DIMENSIONS);
                }
                if (in.read() != -1) {
                    throw new IOException("bytes after the last row");
                }
                return new Table(rows, scales, values, source);
            }
        }
    }
}
