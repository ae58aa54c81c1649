package dev.hybridrouter.specialists.inprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny llama-architecture chat model written by the tests themselves: random (seeded) F32 weights, a
 * SentencePiece-style vocabulary with byte fallback, ChatML control tokens and a ChatML chat template. About
 * half a megabyte; it talks gibberish, but through the real llama.cpp code path.
 *
 * <p>The weights are shaped so that generation is useful for tests: every token embedding carries a large
 * constant in dimension 0, and the output rows of control and byte tokens point against it, so the model never
 * samples end-of-turn, control or raw byte tokens on its own (its answers are printable ASCII, one token per
 * character, and end by length, stop sequence, grammar or cancellation). A grammar that has finished still
 * lets end-of-turn through, as only end-of-generation tokens are allowed then.
 *
 * @param architecture {@code general.architecture}; anything but {@code llama} only makes sense for files that
 *     are never loaded natively
 * @param contextLength {@code <arch>.context_length}
 * @param seed seed of the random weights
 */
public record TinyLlamaModel(String architecture, int contextLength, long seed) {

    static final int EMBEDDING = 64;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int FEED_FORWARD = 128;
    static final int HEAD_DIM = EMBEDDING / HEADS;

    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS_TEXT = 2;
    static final int IM_START = 3;
    static final int IM_END = 4;
    private static final int FIRST_BYTE = 5;
    private static final int FIRST_NORMAL = FIRST_BYTE + 256;

    static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final String[] WORDS = {
        "▁the", "▁a", "▁is", "▁of", "▁and", "▁to", "▁in", "▁it", "▁hello", "▁world", "er", "in", "on", "an", "re", "ed"
    };

    private static final int TOKEN_NORMAL = 1;
    private static final int TOKEN_UNKNOWN = 2;
    private static final int TOKEN_CONTROL = 3;
    private static final int TOKEN_BYTE = 6;

    public static TinyLlamaModel ofDefaults() {
        return new TinyLlamaModel("llama", 1024, 42L);
    }

    TinyLlamaModel withArchitecture(String architecture) {
        return new TinyLlamaModel(architecture, contextLength, seed);
    }

    TinyLlamaModel withContextLength(int contextLength) {
        return new TinyLlamaModel(architecture, contextLength, seed);
    }

    /** Writes the model into {@code dir} as {@code name} and returns its path. */
    public Path writeTo(Path dir, String name) {
        Path file = dir.resolve(name);
        try {
            writer().write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static List<String> vocabulary() {
        List<String> tokens = new ArrayList<>();
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        tokens.add("<|im_start|>");
        tokens.add("<|im_end|>");
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        tokens.add("▁");
        for (char c = 0x21; c <= 0x7e; c++) {
            tokens.add(String.valueOf(c));
        }
        tokens.addAll(List.of(WORDS));
        return tokens;
    }

    GgufWriter writer() {
        List<String> tokens = vocabulary();
        int vocab = tokens.size();
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            if (i == UNK) {
                types[i] = TOKEN_UNKNOWN;
            } else if (i < FIRST_BYTE) {
                types[i] = TOKEN_CONTROL;
            } else if (i < FIRST_NORMAL) {
                types[i] = TOKEN_BYTE;
            } else {
                types[i] = TOKEN_NORMAL;
                scores[i] = tokens.get(i).length() > 1 ? 0f : -1f;
            }
        }
        String arch = architecture;
        GgufWriter writer = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", "hybrid-router-tiny-test")
                .putUint32("general.alignment", GgufWriter.ALIGNMENT)
                .putUint32(arch + ".context_length", contextLength)
                .putUint32(arch + ".embedding_length", EMBEDDING)
                .putUint32(arch + ".block_count", LAYERS)
                .putUint32(arch + ".feed_forward_length", FEED_FORWARD)
                .putUint32(arch + ".attention.head_count", HEADS)
                .putUint32(arch + ".attention.head_count_kv", KV_HEADS)
                .putUint32(arch + ".rope.dimension_count", HEAD_DIM)
                .putFloat32(arch + ".rope.freq_base", 10000f)
                .putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .putUint32(arch + ".vocab_size", vocab)
                .putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putFloats("tokenizer.ggml.scores", scores)
                .putInts("tokenizer.ggml.token_type", types)
                .putUint32("tokenizer.ggml.bos_token_id", BOS)
                .putUint32("tokenizer.ggml.eos_token_id", IM_END)
                .putUint32("tokenizer.ggml.unknown_token_id", UNK)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                .putString("tokenizer.chat_template", CHATML_TEMPLATE);

        Random random = new Random(seed);
        float[] embeddings = gaussian(random, vocab * EMBEDDING, 0.5f);
        for (int t = 0; t < vocab; t++) {
            embeddings[t * EMBEDDING] = 4f;
        }
        float[] output = gaussian(random, vocab * EMBEDDING, 0.3f);
        for (int t = 0; t < vocab; t++) {
            output[t * EMBEDDING] = t < FIRST_NORMAL ? -8f : 0f;
        }
        writer.addTensor("token_embd.weight", new long[] {EMBEDDING, vocab}, embeddings);
        writer.addTensor("output_norm.weight", new long[] {EMBEDDING}, ones(EMBEDDING));
        writer.addTensor("output.weight", new long[] {EMBEDDING, vocab}, output);
        int kv = KV_HEADS * HEAD_DIM;
        for (int layer = 0; layer < LAYERS; layer++) {
            String blk = "blk." + layer + ".";
            writer.addTensor(blk + "attn_norm.weight", new long[] {EMBEDDING}, ones(EMBEDDING));
            writer.addTensor(
                    blk + "attn_q.weight",
                    new long[] {EMBEDDING, EMBEDDING},
                    gaussian(random, EMBEDDING * EMBEDDING, 0.1f));
            writer.addTensor(blk + "attn_k.weight", new long[] {EMBEDDING, kv}, gaussian(random, EMBEDDING * kv, 0.1f));
            writer.addTensor(blk + "attn_v.weight", new long[] {EMBEDDING, kv}, gaussian(random, EMBEDDING * kv, 0.1f));
            writer.addTensor(
                    blk + "attn_output.weight",
                    new long[] {EMBEDDING, EMBEDDING},
                    gaussian(random, EMBEDDING * EMBEDDING, 0.05f));
            writer.addTensor(blk + "ffn_norm.weight", new long[] {EMBEDDING}, ones(EMBEDDING));
            writer.addTensor(
                    blk + "ffn_gate.weight",
                    new long[] {EMBEDDING, FEED_FORWARD},
                    gaussian(random, EMBEDDING * FEED_FORWARD, 0.1f));
            writer.addTensor(
                    blk + "ffn_up.weight",
                    new long[] {EMBEDDING, FEED_FORWARD},
                    gaussian(random, EMBEDDING * FEED_FORWARD, 0.1f));
            writer.addTensor(
                    blk + "ffn_down.weight",
                    new long[] {FEED_FORWARD, EMBEDDING},
                    gaussian(random, EMBEDDING * FEED_FORWARD, 0.05f));
        }
        return writer;
    }

    /**
     * A LoRA adapter for this model that changes its output layer: {@code output.weight += B x A} with random
     * (seeded) rank-{@code rank} factors, large enough to change what the model says.
     */
    GgufWriter loraAdapter(long adapterSeed, int rank) {
        int vocab = vocabulary().size();
        Random random = new Random(adapterSeed);
        return new GgufWriter()
                .putString("general.architecture", architecture)
                .putString("general.type", "adapter")
                .putString("general.name", "hybrid-router-tiny-test-lora")
                .putString("adapter.type", "lora")
                .putFloat32("adapter.lora.alpha", rank)
                .addTensor("output.weight.lora_a", new long[] {EMBEDDING, rank}, gaussian(random, EMBEDDING * rank, 1f))
                .addTensor("output.weight.lora_b", new long[] {rank, vocab}, gaussian(random, rank * vocab, 1f));
    }

    private static float[] gaussian(Random random, int n, float std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * std;
        }
        return values;
    }

    private static float[] ones(int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        return values;
    }
}
