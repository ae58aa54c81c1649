package dev.hybridrouter.specialists.inprocess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a GGUF model file says about itself, checked in Java before llama.cpp opens it: a chat model file that
 * llama.cpp b4916 (the build inside {@code de.kherud:llama} 4.2.0) can load, with all its tensor data present.
 *
 * @param file the model file
 * @param fileSizeBytes its length
 * @param ggufVersion GGUF version (2 or 3)
 * @param architecture {@code general.architecture}, e.g. {@code llama}, {@code qwen2}
 * @param name {@code general.name}, or {@code null}
 * @param contextLength {@code <arch>.context_length}: the context the model was trained for
 * @param blockCount {@code <arch>.block_count} (layers)
 * @param embeddingLength {@code <arch>.embedding_length}
 * @param tokenizerModel {@code tokenizer.ggml.model}, e.g. {@code llama} (SentencePiece) or {@code gpt2} (BPE)
 * @param vocabularySize number of tokens in {@code tokenizer.ggml.tokens}
 * @param addsBos whether llama.cpp puts a BOS token before a prompt (from {@code tokenizer.ggml.add_bos_token}, else
 *     llama.cpp's default for the tokenizer)
 * @param chatTemplate {@code tokenizer.chat_template}, or {@code null} (llama.cpp then falls back to ChatML)
 * @param tensorCount number of tensors
 * @param kvBytesPerToken bytes of F16 KV cache one token of context takes, or {@code null} when the header does
 *     not say enough to compute it (recurrent architectures, per-layer head counts beyond what is kept)
 */
public record GgufModelInfo(
        Path file,
        long fileSizeBytes,
        int ggufVersion,
        String architecture,
        String name,
        int contextLength,
        int blockCount,
        int embeddingLength,
        String tokenizerModel,
        long vocabularySize,
        boolean addsBos,
        String chatTemplate,
        int tensorCount,
        Long kvBytesPerToken) {

    /** {@code general.architecture} values llama.cpp b4916 knows (its {@code LLM_ARCH_NAMES}). */
    public static final Set<String> KNOWN_ARCHITECTURES = Set.of(
            "llama",
            "deci",
            "falcon",
            "grok",
            "gpt2",
            "gptj",
            "gptneox",
            "mpt",
            "baichuan",
            "starcoder",
            "refact",
            "bert",
            "nomic-bert",
            "jina-bert-v2",
            "bloom",
            "stablelm",
            "qwen",
            "qwen2",
            "qwen2moe",
            "qwen2vl",
            "phi2",
            "phi3",
            "phimoe",
            "plamo",
            "codeshell",
            "orion",
            "internlm2",
            "minicpm",
            "minicpm3",
            "gemma",
            "gemma2",
            "gemma3",
            "starcoder2",
            "mamba",
            "xverse",
            "command-r",
            "cohere2",
            "dbrx",
            "olmo",
            "olmo2",
            "olmoe",
            "openelm",
            "arctic",
            "deepseek",
            "deepseek2",
            "chatglm",
            "bitnet",
            "t5",
            "t5encoder",
            "jais",
            "nemotron",
            "exaone",
            "rwkv6",
            "rwkv6qwen2",
            "rwkv7",
            "arwkv7",
            "granite",
            "granitemoe",
            "chameleon",
            "wavtokenizer-dec");

    /** Known architectures that do not generate text (encoders, embedding models, audio decoders). */
    public static final Set<String> NON_GENERATIVE_ARCHITECTURES =
            Set.of("bert", "nomic-bert", "jina-bert-v2", "t5encoder", "wavtokenizer-dec");

    private static final Set<String> TOKENIZERS = Set.of("llama", "gpt2", "bert", "t5", "rwkv");

    /**
     * Reads and checks {@code file}.
     *
     * @throws ModelLoadException naming the file and the reason: missing, not GGUF, truncated, corrupt header, an
     *     adapter instead of a model, unsupported or non-generative architecture, no tokenizer
     */
    public static GgufModelInfo inspect(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file, Files.exists(file) ? "not a regular file" : "file not found");
        }
        GgufHeader header = GgufHeader.read(file);
        if (header.fileLength() < header.requiredLength()) {
            throw new ModelLoadException(
                    file,
                    "truncated: the file is " + header.fileLength() + " bytes but its "
                            + header.tensors().size() + " tensors need " + header.requiredLength()
                            + " (an interrupted download?)");
        }
        if ("adapter".equals(header.string("general.type"))) {
            throw new ModelLoadException(file, "this is an adapter (general.type 'adapter'), not a model");
        }
        String arch = header.string("general.architecture");
        if (arch == null) {
            throw new ModelLoadException(file, "no general.architecture in its metadata");
        }
        if (!KNOWN_ARCHITECTURES.contains(arch)) {
            throw new ModelLoadException(
                    file,
                    "unsupported architecture '" + arch + "': llama.cpp b4916 (de.kherud:llama 4.2.0) does not know"
                            + " it; use a model of a supported architecture (e.g. llama, qwen2, gemma2, gemma3,"
                            + " phi3) or a newer engine");
        }
        if (NON_GENERATIVE_ARCHITECTURES.contains(arch)) {
            throw new ModelLoadException(
                    file, "architecture '" + arch + "' is an encoder or embedding model, not a chat model");
        }
        if (header.tensors().isEmpty()) {
            throw new ModelLoadException(file, "the file has no tensors (a vocabulary-only GGUF?)");
        }
        Long contextLength = positive(header, arch + ".context_length");
        if (contextLength == null) {
            throw new ModelLoadException(file, "no " + arch + ".context_length in its metadata");
        }
        String tokenizer = header.string("tokenizer.ggml.model");
        if (tokenizer == null || tokenizer.equals("none") || tokenizer.equals("no_vocab")) {
            throw new ModelLoadException(file, "the file has no tokenizer (tokenizer.ggml.model), chat needs one");
        }
        if (!TOKENIZERS.contains(tokenizer)) {
            throw new ModelLoadException(file, "unsupported tokenizer '" + tokenizer + "' for llama.cpp b4916");
        }
        GgufHeader.Array tokens = header.array("tokenizer.ggml.tokens");
        if (tokens == null || tokens.length() == 0) {
            throw new ModelLoadException(file, "the file has no token list (tokenizer.ggml.tokens)");
        }
        Long blocks = positive(header, arch + ".block_count");
        Long embedding = positive(header, arch + ".embedding_length");
        return new GgufModelInfo(
                file,
                header.fileLength(),
                header.version(),
                arch,
                header.string("general.name"),
                (int) Math.min(Integer.MAX_VALUE, contextLength),
                blocks == null ? 0 : (int) Math.min(Integer.MAX_VALUE, blocks),
                embedding == null ? 0 : (int) Math.min(Integer.MAX_VALUE, embedding),
                tokenizer,
                tokens.length(),
                addsBos(header, tokenizer),
                header.string("tokenizer.chat_template"),
                header.tensors().size(),
                kvBytesPerToken(header, arch, blocks, embedding));
    }

    /**
     * Checks a requested per-request context size against the model's.
     *
     * @param requested tokens of context per request; 0 for the default, {@code min(4096, contextLength)}
     * @return the context size to use
     * @throws ModelLoadException when {@code requested} is over {@link #contextLength()}
     */
    public int contextSizeFor(int requested) {
        if (requested < 0) {
            throw new IllegalArgumentException("context size must not be negative: " + requested);
        }
        if (requested == 0) {
            return Math.min(4096, contextLength);
        }
        if (requested > contextLength) {
            throw new ModelLoadException(
                    file,
                    "context size " + requested + " is over the model's " + contextLength + " (" + architecture
                            + ".context_length)");
        }
        return requested;
    }

    /** The F16 KV cache for {@code tokens} of context in total, or {@code null} when unknown. */
    public Long kvCacheBytes(long tokens) {
        return kvBytesPerToken == null ? null : kvBytesPerToken * tokens;
    }

    private static Long positive(GgufHeader header, String key) {
        Long value = header.integer(key);
        return value != null && value > 0 ? value : null;
    }

    private static boolean addsBos(GgufHeader header, String tokenizer) {
        Boolean explicit = header.bool("tokenizer.ggml.add_bos_token");
        if (explicit != null) {
            return explicit;
        }
        // llama.cpp b4916 defaults (llama-vocab.cpp): SentencePiece and WordPiece add BOS, and so do the
        // llama3-style BPE pre-tokenizers; the rest do not.
        return switch (tokenizer) {
            case "llama", "bert" -> true;
            case "gpt2" -> List.of("llama3", "llama-v3", "llama-bpe", "falcon3")
                    .contains(String.valueOf(header.string("tokenizer.ggml.pre")));
            default -> false;
        };
    }

    private static Long kvBytesPerToken(GgufHeader header, String arch, Long blocks, Long embedding) {
        if (blocks == null
                || embedding == null
                || arch.startsWith("rwkv")
                || arch.equals("arwkv7")
                || arch.equals("mamba")) {
            return null;
        }
        long heads = perLayerMax(header.get(arch + ".attention.head_count"));
        long kvHeads = perLayerMax(header.get(arch + ".attention.head_count_kv"));
        if (kvHeads <= 0) {
            kvHeads = heads;
        }
        if (heads <= 0) {
            return null;
        }
        Long keyLength = positive(header, arch + ".attention.key_length");
        Long valueLength = positive(header, arch + ".attention.value_length");
        long k = keyLength != null ? keyLength : embedding / heads;
        long v = valueLength != null ? valueLength : embedding / heads;
        return blocks * kvHeads * (k + v) * 2L;
    }

    /** A head count is a number, or (per layer) an array; arrays longer than what the reader keeps are unknown. */
    private static long perLayerMax(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof GgufHeader.Array a && a.values().size() == a.length()) {
            return a.values().stream()
                    .mapToLong(o -> o instanceof Long l ? l : 0)
                    .max()
                    .orElse(-1);
        }
        return -1;
    }
}
