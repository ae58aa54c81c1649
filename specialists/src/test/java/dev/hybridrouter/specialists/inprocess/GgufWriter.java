package dev.hybridrouter.specialists.inprocess;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files (little-endian): header, metadata, tensor infos, aligned F32 tensor data. Just
 * enough of the format for the tests to make their own models, and broken ones.
 */
final class GgufWriter {

    static final int ALIGNMENT = 32;

    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_INT32 = 5;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;
    private static final int GGML_TYPE_F32 = 0;

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int version = 3;

    private record Tensor(String name, long[] dims, float[] data) {}

    private record Typed(int type, Object value) {}

    GgufWriter version(int version) {
        this.version = version;
        return this;
    }

    GgufWriter putString(String key, String value) {
        metadata.put(key, new Typed(TYPE_STRING, value));
        return this;
    }

    GgufWriter putUint32(String key, int value) {
        metadata.put(key, new Typed(TYPE_UINT32, value));
        return this;
    }

    GgufWriter putFloat32(String key, float value) {
        metadata.put(key, new Typed(TYPE_FLOAT32, value));
        return this;
    }

    GgufWriter putBool(String key, boolean value) {
        metadata.put(key, new Typed(TYPE_BOOL, value));
        return this;
    }

    GgufWriter putStrings(String key, List<String> values) {
        metadata.put(key, new Typed(TYPE_ARRAY, new Typed(TYPE_STRING, List.copyOf(values))));
        return this;
    }

    GgufWriter putFloats(String key, float[] values) {
        metadata.put(key, new Typed(TYPE_ARRAY, new Typed(TYPE_FLOAT32, values.clone())));
        return this;
    }

    GgufWriter putInts(String key, int[] values) {
        metadata.put(key, new Typed(TYPE_ARRAY, new Typed(TYPE_INT32, values.clone())));
        return this;
    }

    /** Adds an F32 tensor; {@code dims} in GGML order (innermost first), e.g. {@code {n_embd, n_vocab}}. */
    GgufWriter addTensor(String name, long[] dims, float[] data) {
        long elements = 1;
        for (long dim : dims) {
            elements *= dim;
        }
        if (elements != data.length) {
            throw new IllegalArgumentException(name + ": " + elements + " elements expected, got " + data.length);
        }
        tensors.add(new Tensor(name, dims.clone(), data));
        return this;
    }

    /** Drops a tensor, to make a file llama.cpp itself refuses. */
    GgufWriter removeTensor(String name) {
        tensors.removeIf(t -> t.name().equals(name));
        return this;
    }

    void write(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            Sink sink = new Sink(out);
            sink.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
            sink.u32(version);
            sink.u64(tensors.size());
            sink.u64(metadata.size());
            for (Map.Entry<String, Object> entry : metadata.entrySet()) {
                sink.string(entry.getKey());
                Typed typed = (Typed) entry.getValue();
                sink.u32(typed.type());
                value(sink, typed);
            }
            long offset = 0;
            for (Tensor tensor : tensors) {
                sink.string(tensor.name());
                sink.u32(tensor.dims().length);
                for (long dim : tensor.dims()) {
                    sink.u64(dim);
                }
                sink.u32(GGML_TYPE_F32);
                sink.u64(offset);
                offset = align(offset + 4L * tensor.data().length);
            }
            sink.pad();
            for (Tensor tensor : tensors) {
                ByteBuffer buffer =
                        ByteBuffer.allocate(4 * tensor.data().length).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(tensor.data());
                sink.bytes(buffer.array());
                sink.pad();
            }
        }
    }

    private static long align(long offset) {
        return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    @SuppressWarnings("unchecked")
    private static void value(Sink sink, Typed typed) throws IOException {
        switch (typed.type()) {
            case TYPE_UINT32, TYPE_INT32 -> sink.u32((Integer) typed.value());
            case TYPE_FLOAT32 -> sink.u32(Float.floatToIntBits((Float) typed.value()));
            case TYPE_BOOL -> sink.bytes(new byte[] {(byte) (((Boolean) typed.value()) ? 1 : 0)});
            case TYPE_STRING -> sink.string((String) typed.value());
            case TYPE_ARRAY -> {
                Typed elements = (Typed) typed.value();
                sink.u32(elements.type());
                switch (elements.type()) {
                    case TYPE_STRING -> {
                        List<String> strings = (List<String>) elements.value();
                        sink.u64(strings.size());
                        for (String s : strings) {
                            sink.string(s);
                        }
                    }
                    case TYPE_FLOAT32 -> {
                        float[] floats = (float[]) elements.value();
                        sink.u64(floats.length);
                        for (float f : floats) {
                            sink.u32(Float.floatToIntBits(f));
                        }
                    }
                    case TYPE_INT32 -> {
                        int[] ints = (int[]) elements.value();
                        sink.u64(ints.length);
                        for (int i : ints) {
                            sink.u32(i);
                        }
                    }
                    default -> throw new IllegalStateException("array of " + elements.type());
                }
            }
            default -> throw new IllegalStateException("type " + typed.type());
        }
    }

    private static final class Sink {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long position;

        Sink(OutputStream out) {
            this.out = out;
        }

        void bytes(byte[] bytes) throws IOException {
            out.write(bytes);
            position += bytes.length;
        }

        void u32(int value) throws IOException {
            scratch.clear();
            scratch.putInt(value);
            bytes(java.util.Arrays.copyOf(scratch.array(), 4));
        }

        void u64(long value) throws IOException {
            scratch.clear();
            scratch.putLong(value);
            bytes(scratch.array().clone());
        }

        void string(String value) throws IOException {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            bytes(utf8);
        }

        void pad() throws IOException {
            int padding = (int) (align(position) - position);
            bytes(new byte[padding]);
        }
    }
}
