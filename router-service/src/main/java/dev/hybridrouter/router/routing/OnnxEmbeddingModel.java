package dev.hybridrouter.router.routing;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One of LangChain4j's bundled embedding models (the ONNX file and tokenizer in its jar) on an ONNX
 * Runtime session of the router's own: one intra-op thread, no spinning. The router embeds one short
 * message per request, from as many threads as there are cores; ONNX Runtime's default (a thread per
 * core, spinning while it waits for work) makes concurrent requests fight over the cores and burns CPU
 * between them. Measured on 2 cores (docs/benchmarks.md): 4.5 instead of 7.9 ms of CPU per message,
 * 391 instead of 169 messages/s from two callers.
 */
final class OnnxEmbeddingModel extends AbstractInProcessEmbeddingModel {

    private final OnnxBertBiEncoder encoder;
    private final int dimension;

    private OnnxEmbeddingModel(OnnxBertBiEncoder encoder, int dimension) {
        super(null); // LangChain4j's own pool, for batches (a policy's examples)
        this.encoder = encoder;
        this.dimension = dimension;
    }

    /**
     * @param jar a class of the jar that holds the model, e.g. LangChain4j's model class
     * @param model the ONNX file's resource name at the jar's root
     * @param tokenizer the tokenizer's resource name at the jar's root
     */
    static OnnxEmbeddingModel load(Class<?> jar, String model, String tokenizer, PoolingMode pooling, int dimension) {
        try (InputStream onnx = resource(jar, model);
                InputStream vocabulary = resource(jar, tokenizer)) {
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            OrtSession session = environment.createSession(onnx.readAllBytes(), options);
            return new OnnxEmbeddingModel(new OnnxBertBiEncoder(environment, session, vocabulary, pooling), dimension);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedding model " + model, e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the embedding model " + model, e);
        }
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }

    @Override
    protected Integer knownDimension() {
        return dimension;
    }

    private static InputStream resource(Class<?> jar, String name) {
        InputStream stream = jar.getResourceAsStream("/" + name);
        if (stream == null) {
            throw new IllegalStateException(name + " is missing from the jar of " + jar.getName());
        }
        return stream;
    }
}
