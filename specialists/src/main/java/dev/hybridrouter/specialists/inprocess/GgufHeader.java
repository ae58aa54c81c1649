package dev.hybridrouter.specialists.inprocess;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a GGUF file (versions 2 and 3, little-endian), read in Java without trusting any count or length
 * in it: magic, version, metadata key/value pairs, tensor infos, and the file length the tensor data needs.
 *
 * <p>Arrays keep their element type and length; their values are kept only when short (the token list of a
 * vocabulary is skipped, not stored).
 *
 * @param version the GGUF version
 * @param metadata metadata in file order: {@link Long} for integers (unsigned 64-bit values above
 *     {@code Long.MAX_VALUE} wrap), {@link Double} for floats, {@link Boolean}, {@link String}, {@link Array}
 * @param tensors the tensor infos in file order
 * @param alignment {@code general.alignment}, default 32
 * @param dataOffset where tensor data starts
 * @param requiredLength the smallest file length that holds every tensor's data
 * @param fileLength the file's actual length
 */
record GgufHeader(
        int version,
        Map<String, Object> metadata,
        List<TensorInfo> tensors,
        long alignment,
        long dataOffset,
        long requiredLength,
        long fileLength) {

    static final int MAGIC = 0x46554747; // "GGUF" little-endian

    private static final int MAX_ARRAY_VALUES_KEPT = 64;
    private static final long MAX_STRING_BYTES = 16L * 1024 * 1024;
    private static final int MAX_DIMS = 4;

    /** A metadata array: element type (GGUF value type id), length, and its values when short, else empty. */
    record Array(int elementType, long length, List<Object> values) {}

    /**
     * One tensor info.
     *
     * @param dims dimensions in GGML order (innermost first)
     * @param type the GGML type id
     * @param offset offset of its data from {@code dataOffset}
     * @param byteSize bytes of data
     */
    record TensorInfo(String name, long[] dims, int type, long offset, long byteSize) {}

    GgufHeader {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** Reads the header of {@code file}; a file that is not a readable GGUF file gives {@link ModelLoadException}. */
    static GgufHeader read(Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read the file: " + e.getMessage(), e);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return new Reader(file, in, length).header();
        } catch (EOFException e) {
            throw new ModelLoadException(
                    file, "truncated: the file (" + length + " bytes) ends inside its GGUF header", e);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot read the file: " + e.getMessage(), e);
        }
    }

    Object get(String key) {
        return metadata.get(key);
    }

    String string(String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    Long integer(String key) {
        return metadata.get(key) instanceof Long l ? l : null;
    }

    Boolean bool(String key) {
        return metadata.get(key) instanceof Boolean b ? b : null;
    }

    Array array(String key) {
        return metadata.get(key) instanceof Array a ? a : null;
    }

    /** GGML types: block size in elements and bytes per block, for the types llama.cpp b4916 can load. */
    static long[] typeTraits(int type) {
        return switch (type) {
            case 0 -> new long[] {1, 4}; // F32
            case 1 -> new long[] {1, 2}; // F16
            case 2 -> new long[] {32, 18}; // Q4_0
            case 3 -> new long[] {32, 20}; // Q4_1
            case 6 -> new long[] {32, 22}; // Q5_0
            case 7 -> new long[] {32, 24}; // Q5_1
            case 8 -> new long[] {32, 34}; // Q8_0
            case 9 -> new long[] {32, 36}; // Q8_1
            case 10 -> new long[] {256, 84}; // Q2_K
            case 11 -> new long[] {256, 110}; // Q3_K
            case 12 -> new long[] {256, 144}; // Q4_K
            case 13 -> new long[] {256, 176}; // Q5_K
            case 14 -> new long[] {256, 210}; // Q6_K
            case 15 -> new long[] {256, 292}; // Q8_K
            case 16 -> new long[] {256, 66}; // IQ2_XXS
            case 17 -> new long[] {256, 74}; // IQ2_XS
            case 18 -> new long[] {256, 98}; // IQ3_XXS
            case 19 -> new long[] {256, 50}; // IQ1_S
            case 20 -> new long[] {32, 18}; // IQ4_NL
            case 21 -> new long[] {256, 110}; // IQ3_S
            case 22 -> new long[] {256, 82}; // IQ2_S
            case 23 -> new long[] {256, 136}; // IQ4_XS
            case 24 -> new long[] {1, 1}; // I8
            case 25 -> new long[] {1, 2}; // I16
            case 26 -> new long[] {1, 4}; // I32
            case 27 -> new long[] {1, 8}; // I64
            case 28 -> new long[] {1, 8}; // F64
            case 29 -> new long[] {256, 56}; // IQ1_M
            case 30 -> new long[] {1, 2}; // BF16
            case 34 -> new long[] {256, 54}; // TQ1_0
            case 35 -> new long[] {256, 66}; // TQ2_0
            default -> null; // unknown, or removed (Q4_0_4_4, Q4_0_4_8, Q4_0_8_8, IQ4_NL_4_4/4_8/8_8)
        };
    }

    private static final class Reader {
        private final Path file;
        private final InputStream in;
        private final long length;
        private long position;
        private final byte[] scratch = new byte[8];

        Reader(Path file, InputStream in, long length) {
            this.file = file;
            this.in = in;
            this.length = length;
        }

        GgufHeader header() throws IOException {
            if (length < 4) {
                throw fail("not a GGUF file (only " + length + " bytes)");
            }
            int magic = (int) u32();
            if (magic != MAGIC) {
                throw fail(String.format("not a GGUF file (magic 0x%08x, expected 0x%08x \"GGUF\")", magic, MAGIC));
            }
            long version = u32();
            if (version == 1) {
                throw fail("GGUF version 1 is no longer supported by llama.cpp; convert the model again");
            }
            if (version != 2 && version != 3) {
                boolean bigEndian =
                        Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3;
                throw fail(
                        bigEndian
                                ? "big-endian GGUF file; llama.cpp on this machine reads little-endian files only"
                                : "unsupported GGUF version " + version);
            }
            long tensorCount = u64();
            long kvCount = u64();
            // Each tensor info takes at least 8 (name) + 4 + 8 + 4 + 8 bytes, each pair at least 8 + 4 + 1.
            if (tensorCount < 0 || tensorCount > remaining() / 32) {
                throw fail("truncated or corrupt: " + Long.toUnsignedString(tensorCount) + " tensors cannot fit in "
                        + length + " bytes");
            }
            if (kvCount < 0 || kvCount > remaining() / 13) {
                throw fail("truncated or corrupt: " + Long.toUnsignedString(kvCount)
                        + " metadata entries cannot fit in " + length + " bytes");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string();
                int type = (int) u32();
                Object value = value(type, key);
                if (metadata.put(key, value) != null) {
                    throw fail("corrupt header: duplicate metadata key '" + key + "'");
                }
            }
            long alignment = 32;
            Object align = metadata.get("general.alignment");
            if (align != null) {
                if (!(align instanceof Long a) || a <= 0 || Long.bitCount(a) != 1) {
                    throw fail("corrupt header: general.alignment " + align + " is not a power of two");
                }
                alignment = a;
            }
            List<TensorInfo> tensors = new ArrayList<>();
            long dataEnd = 0;
            for (long i = 0; i < tensorCount; i++) {
                String name = string();
                long nDims = u32();
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw fail("corrupt tensor info: '" + name + "' has " + nDims + " dimensions");
                }
                long[] dims = new long[(int) nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    dims[d] = u64();
                    if (dims[d] < 0 || (dims[d] != 0 && elements > Long.MAX_VALUE / dims[d])) {
                        throw fail("corrupt tensor info: '" + name + "' has an impossible shape");
                    }
                    elements *= dims[d];
                }
                int type = (int) u32();
                long offset = u64();
                long[] traits = typeTraits(type);
                if (traits == null) {
                    throw fail("tensor '" + name + "' has GGML type " + type
                            + ", which llama.cpp b4916 cannot load (unknown, or a repacked type that was removed;"
                            + " convert or quantize the model again)");
                }
                if (dims[0] % traits[0] != 0) {
                    throw fail("corrupt tensor info: '" + name + "' row of " + dims[0]
                            + " elements is not a multiple of its block size " + traits[0]);
                }
                long bytes = elements / traits[0] * traits[1];
                if (offset < 0 || offset % alignment != 0) {
                    throw fail("corrupt tensor info: '" + name + "' data offset " + offset + " is not aligned");
                }
                if (offset > Long.MAX_VALUE - bytes) {
                    throw fail("corrupt tensor info: '" + name + "' data offset " + offset + " is impossible");
                }
                dataEnd = Math.max(dataEnd, offset + bytes);
                tensors.add(new TensorInfo(name, dims, type, offset, bytes));
            }
            long dataOffset = (position + alignment - 1) / alignment * alignment;
            long required = tensors.isEmpty() ? position : dataOffset + dataEnd;
            return new GgufHeader((int) version, metadata, tensors, alignment, dataOffset, required, length);
        }

        private Object value(int type, String key) throws IOException {
            return switch (type) {
                case 0 -> (long) u8();
                case 1 -> (long) (byte) u8();
                case 2 -> (long) (u16());
                case 3 -> (long) (short) u16();
                case 4 -> u32();
                case 5 -> (long) (int) u32();
                case 6 -> (double) Float.intBitsToFloat((int) u32());
                case 7 -> u8() != 0;
                case 8 -> string();
                case 9 -> array(key);
                case 10, 11 -> u64();
                case 12 -> Double.longBitsToDouble(u64());
                default -> throw fail("corrupt metadata: '" + key + "' has unknown value type " + type);
            };
        }

        private Array array(String key) throws IOException {
            int elementType = (int) u32();
            long count = u64();
            long minSize =
                    switch (elementType) {
                        case 0, 1, 7 -> 1;
                        case 2, 3 -> 2;
                        case 4, 5, 6 -> 4;
                        case 8, 10, 11, 12 -> 8;
                        case 9 -> 12;
                        default -> throw fail(
                                "corrupt metadata: array '" + key + "' has unknown element type " + elementType);
                    };
            if (count < 0 || count > remaining() / minSize) {
                throw fail("truncated or corrupt: array '" + key + "' of " + Long.toUnsignedString(count)
                        + " elements does not fit in the file");
            }
            List<Object> values = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                if (elementType == 8 || elementType == 9) {
                    Object v = value(elementType, key);
                    if (count <= MAX_ARRAY_VALUES_KEPT) {
                        values.add(v);
                    }
                } else if (count <= MAX_ARRAY_VALUES_KEPT) {
                    values.add(value(elementType, key));
                } else {
                    skip((count - i) * minSize);
                    break;
                }
            }
            return new Array(elementType, count, Collections.unmodifiableList(values));
        }

        private String string() throws IOException {
            long n = u64();
            if (n < 0 || n > remaining()) {
                throw fail("truncated or corrupt: a string of " + Long.toUnsignedString(n) + " bytes at offset "
                        + (position - 8) + " does not fit in the file");
            }
            if (n > MAX_STRING_BYTES) {
                throw fail("corrupt header: a string of " + n + " bytes at offset " + (position - 8));
            }
            byte[] bytes = in.readNBytes((int) n);
            if (bytes.length != n) {
                throw new EOFException();
            }
            position += n;
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                // llama.cpp does not check, but tokens may hold partial UTF-8 sequences: keep them lossy.
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        private long remaining() {
            return length - position;
        }

        private void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException();
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            position += n;
        }

        private int u8() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            position++;
            return b;
        }

        private int u16() throws IOException {
            fill(2);
            return (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8;
        }

        private long u32() throws IOException {
            fill(4);
            return (scratch[0] & 0xffL)
                    | (scratch[1] & 0xffL) << 8
                    | (scratch[2] & 0xffL) << 16
                    | (scratch[3] & 0xffL) << 24;
        }

        private long u64() throws IOException {
            fill(8);
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = v << 8 | (scratch[i] & 0xffL);
            }
            return v;
        }

        private void fill(int n) throws IOException {
            int read = in.readNBytes(scratch, 0, n);
            if (read != n) {
                throw new EOFException();
            }
            position += n;
        }

        private ModelLoadException fail(String reason) {
            return new ModelLoadException(file, reason);
        }
    }
}
