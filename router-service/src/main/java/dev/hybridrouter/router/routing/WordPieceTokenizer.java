package dev.hybridrouter.router.routing;

import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A BERT WordPiece tokenizer that gives the ids the Hugging Face {@code tokenizers} library gives for a
 * {@code tokenizer.json} of {@code BertNormalizer}, {@code BertPreTokenizer} and {@code WordPiece} (all
 * MiniLM and BERT uncased models), without the special tokens a model adds around a text. It does what
 * the library does, in its order: the json's added tokens ({@code [CLS]}, {@code [MASK]}...) are found in
 * the raw text first; the rest is cleaned (NUL, U+FFFD and control, format and private-use characters
 * dropped, unassigned ones kept; whitespace made a space), Chinese ideographs are spaced apart, accents
 * are stripped (NFD, then nonspacing marks dropped), letters are lowercased one by one; it is split at
 * whitespace with each punctuation character a word of its own; each word becomes its greedy longest-match
 * pieces, the later ones prefixed ({@code ##}), or one unknown token when it has more than
 * {@code max_input_chars_per_word} characters or a part no piece matches.
 *
 * <p>Why not the library: the fast classifier stage has 50 us per message, and DJL's binding of the Rust
 * library (what LangChain4j's {@code OnnxBertBiEncoder} uses) takes 60-75 us for an HWU64 message, DJL's
 * pure-Java {@code BertFullTokenizer} 53-63 us. This one takes about 1 us (measured on the 1,076 texts of
 * HWU64's first test fold, against 46-73 us for DJL's binding in the same run), and about 3 us for
 * accented, Cyrillic, Greek or Japanese sentences: ASCII text goes through one table per character, with
 * no {@link Normalizer} call, no regular expression and no string per piece, and the vocabulary is a hash
 * table it probes with the pieces' hashes computed in one pass.
 *
 * <p>Equality with the library is tested on generated text of many scripts and character classes against
 * DJL's binding ({@code WordPieceTokenizerTest}), and for each json flag. Where it differs: character
 * properties come from Java's Unicode tables (Unicode 13 in Java 17), while the library (tokenizers 0.21 in
 * DJL 0.36) takes its punctuation, control and nonspacing-mark categories from a Unicode 8 table (crate
 * {@code unicode_categories} 0.1.1) and its NFD from Unicode 9. The characters given one of those
 * categories since Unicode 8 (in scripts such as Newa, Adlam, Bhaiksuki, Masaram Gondi, Sogdian; not the
 * newer emoji, which both read as symbols), and two whose category changed (U+166D, U+111C9), are split or
 * stripped here where the library keeps them in the word. A one-off comparison of every code point, in
 * eight contexts each, found those 367 and no other difference; a newer JDK adds the newest characters of
 * those categories to them.
 *
 * <p>Immutable and safe to share between threads.
 */
final class WordPieceTokenizer {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an ASCII character is after normalization. */
    private static final byte DROPPED = 0, SPACE = 1, PUNCTUATION = 2, LETTER = 3;

    /** About the most characters one NFD call gets: a run is cut before a character that is not a mark. */
    private static final int DECOMPOSITION_RUN = 64;

    private final boolean cleanText;
    private final boolean chineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;
    private final int maxWordCharacters;
    private final int unknown;
    private final Pieces words;
    private final Pieces continuations;
    private final String[] added;
    private final int[] addedIds;
    private final String addedFirstCharacters;
    private final int vocabularySize;
    private final byte[] asciiKinds = new byte[128];
    private final char[] asciiNormalized = new char[128];

    private WordPieceTokenizer(
            boolean cleanText,
            boolean chineseChars,
            boolean stripAccents,
            boolean lowercase,
            int maxWordCharacters,
            String unknownToken,
            String prefix,
            Map<String, Integer> vocabulary,
            Map<String, Integer> addedTokens) {
        this.cleanText = cleanText;
        this.chineseChars = chineseChars;
        this.stripAccents = stripAccents;
        this.lowercase = lowercase;
        this.maxWordCharacters = maxWordCharacters;
        Integer unknownId = vocabulary.get(unknownToken);
        if (unknownId == null) {
            throw new IllegalArgumentException("the unknown token " + unknownToken + " is not in the vocabulary");
        }
        this.unknown = unknownId;
        this.words = new Pieces(vocabulary);
        Map<String, Integer> continued = new HashMap<>();
        vocabulary.forEach((piece, id) -> {
            if (piece.startsWith(prefix)) {
                continued.put(piece.substring(prefix.length()), id);
            }
        });
        this.continuations = new Pieces(continued);
        this.added = addedTokens.keySet().toArray(String[]::new);
        this.addedIds = Arrays.stream(added).mapToInt(addedTokens::get).toArray();
        StringBuilder first = new StringBuilder();
        for (String token : added) {
            if (first.indexOf(String.valueOf(token.charAt(0))) < 0) {
                first.append(token.charAt(0));
            }
        }
        this.addedFirstCharacters = first.toString();
        int largest = -1;
        for (int id : vocabulary.values()) {
            largest = Math.max(largest, id);
        }
        for (int id : addedIds) {
            largest = Math.max(largest, id);
        }
        this.vocabularySize = largest + 1;
        for (char c = 0; c < 128; c++) {
            char normalized = cleanText && isWhitespace(c) ? ' ' : c;
            asciiNormalized[c] = lowercase ? Character.toLowerCase(normalized) : normalized;
            asciiKinds[c] = cleanText && isControl(c)
                    ? DROPPED
                    : isWhitespace(asciiNormalized[c])
                            ? SPACE
                            : isPunctuation(asciiNormalized[c]) ? PUNCTUATION : LETTER;
        }
    }

    /**
     * Reads a Hugging Face tokenizer.json whose normalizer is BertNormalizer, pre-tokenizer BertPreTokenizer
     * and model WordPiece, with its own flags (clean_text, handle_chinese_chars, strip_accents, lowercase,
     * max_input_chars_per_word, unk_token, continuing_subword_prefix) and added tokens.
     *
     * @throws IllegalArgumentException when the json is not such a tokenizer, naming what differs
     */
    static WordPieceTokenizer of(InputStream tokenizerJson) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(tokenizerJson.readAllBytes());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the tokenizer is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode normalizer = component(json, "normalizer", "BertNormalizer");
        component(json, "pre_tokenizer", "BertPreTokenizer");
        JsonNode model = component(json, "model", "WordPiece");
        boolean lowercase = flag(normalizer, "lowercase");
        JsonNode strip = normalizer.path("strip_accents");
        boolean stripAccents = strip.isNull() || strip.isMissingNode() ? lowercase : flag(normalizer, "strip_accents");
        JsonNode maxCharacters = model.path("max_input_chars_per_word");
        if (!maxCharacters.isInt() || maxCharacters.intValue() < 0) {
            throw new IllegalArgumentException(
                    "the tokenizer's model.max_input_chars_per_word is " + maxCharacters + ", not a count");
        }
        Map<String, Integer> vocabulary = new HashMap<>();
        JsonNode vocab = model.path("vocab");
        if (!vocab.isObject()) {
            throw new IllegalArgumentException("the tokenizer's model.vocab is not an object of pieces and ids");
        }
        for (Map.Entry<String, JsonNode> piece : vocab.properties()) {
            vocabulary.put(piece.getKey(), id(piece.getValue(), "model.vocab." + piece.getKey()));
        }
        return new WordPieceTokenizer(
                flag(normalizer, "clean_text"),
                flag(normalizer, "handle_chinese_chars"),
                stripAccents,
                lowercase,
                maxCharacters.intValue(),
                text(model, "unk_token"),
                text(model, "continuing_subword_prefix"),
                vocabulary,
                addedTokens(json.path("added_tokens")));
    }

    /** Every id {@link #ids} gives is below this. */
    int vocabularySize() {
        return vocabularySize;
    }

    /**
     * The ids of the text's tokens, without special tokens ([CLS]/[SEP]), at most {@code maxTokens}: the
     * first ones. It stops reading the text once it has them, so a huge text costs no more than a short
     * one beyond that.
     */
    int[] ids(String text, int maxTokens) {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens is " + maxTokens + ", not a count");
        }
        Run run = new Run(maxTokens);
        int length = text.length();
        for (int i = 0; i < length && !run.full(); ) {
            char c = text.charAt(i);
            if (addedFirstCharacters.indexOf(c) >= 0) {
                int token = addedAt(text, i);
                if (token >= 0) {
                    run.added(addedIds[token]);
                    i += added[token].length();
                    continue;
                }
            }
            if (c < 128) {
                run.ascii(c);
                i++;
            } else {
                int codePoint = text.codePointAt(i);
                i += Character.charCount(codePoint);
                // DJL hands the library a lone surrogate as U+FFFD
                run.clean(Character.isSurrogate(c) && codePoint == c ? 0xFFFD : codePoint);
            }
        }
        return run.finish();
    }

    /** The longest added token at the text's index, or -1: the library's leftmost-longest match. */
    private int addedAt(String text, int index) {
        int found = -1;
        for (int token = 0; token < added.length; token++) {
            if (text.startsWith(added[token], index) && (found < 0 || added[token].length() > added[found].length())) {
                found = token;
            }
        }
        return found;
    }

    /** One call of {@link #ids}: the word being read, the characters waiting for NFD, the ids so far. */
    private final class Run {

        private final int maxTokens;
        private int[] ids = new int[16];
        private int size;
        private char[] word = new char[32];
        private int wordLength;
        private int wordCharacters;
        private final StringBuilder decomposing = new StringBuilder();
        private int[] hashes = new int[16];

        Run(int maxTokens) {
            this.maxTokens = maxTokens;
        }

        boolean full() {
            return size >= maxTokens;
        }

        void added(int id) {
            flush();
            endWord();
            add(id);
        }

        /** The whole normalizer and pre-tokenizer for an ASCII character, from the tables. */
        void ascii(char c) {
            byte kind = asciiKinds[c];
            if (kind == DROPPED) {
                return;
            }
            flush();
            switch (kind) {
                case SPACE -> endWord();
                case PUNCTUATION -> {
                    endWord();
                    append(c);
                    endWord();
                }
                default -> append(asciiNormalized[c]);
            }
        }

        /** The normalizer's clean_text and handle_chinese_chars. */
        void clean(int codePoint) {
            int c = codePoint;
            if (cleanText) {
                if (c == 0xFFFD || isControl(c)) { // NUL is a control
                    return;
                }
                if (isWhitespace(c)) {
                    c = ' ';
                }
            }
            if (chineseChars && isChinese(c)) {
                decompose(' ');
                decompose(c);
                decompose(' ');
            } else {
                decompose(c);
            }
        }

        /** The normalizer's strip_accents: NFD, nonspacing marks dropped. */
        private void decompose(int codePoint) {
            if (!stripAccents) {
                lowercase(codePoint);
            } else if (codePoint < 128) {
                flush();
                lowercase(codePoint);
            } else {
                // cutting before a character that is not a mark keeps NFD's reordering of marks whole
                if (decomposing.length() >= DECOMPOSITION_RUN && !isMark(codePoint)) {
                    flush();
                }
                decomposing.appendCodePoint(codePoint);
            }
        }

        private void flush() {
            if (decomposing.isEmpty()) {
                return;
            }
            String decomposed = Normalizer.normalize(decomposing, Normalizer.Form.NFD);
            decomposing.setLength(0);
            for (int i = 0; i < decomposed.length(); ) {
                int codePoint = decomposed.codePointAt(i);
                i += Character.charCount(codePoint);
                if (Character.getType(codePoint) != Character.NON_SPACING_MARK) {
                    lowercase(codePoint);
                }
            }
        }

        /** The normalizer's lowercase, one character at a time as Rust's {@code char::to_lowercase}. */
        private void lowercase(int codePoint) {
            if (!lowercase) {
                split(codePoint);
            } else if (codePoint == 0x130) { // İ, the one character that lowercases to two: i and a dot above
                split('i');
                split(0x307);
            } else {
                split(Character.toLowerCase(codePoint));
            }
        }

        /** The pre-tokenizer: whitespace ends a word, punctuation is a word of its own. */
        private void split(int codePoint) {
            if (isWhitespace(codePoint)) {
                endWord();
            } else if (isPunctuation(codePoint)) {
                endWord();
                append(codePoint);
                endWord();
            } else {
                append(codePoint);
            }
        }

        private void append(int codePoint) {
            wordCharacters++;
            if (wordCharacters > maxWordCharacters) {
                return; // the word will be one unknown token, whatever follows
            }
            if (wordLength + 2 > word.length) {
                word = Arrays.copyOf(word, word.length * 2);
            }
            wordLength += Character.toChars(codePoint, word, wordLength);
        }

        /** The model: the word's greedy longest-match pieces, or the unknown token. */
        private void endWord() {
            if (wordCharacters == 0) {
                return;
            }
            int before = size;
            if (wordCharacters > maxWordCharacters || !pieces()) {
                size = before;
                add(unknown);
            }
            wordLength = 0;
            wordCharacters = 0;
            size = Math.min(size, maxTokens);
        }

        private boolean pieces() {
            for (int start = 0; start < wordLength; ) {
                Pieces vocabulary = start == 0 ? words : continuations;
                int longest = Math.min(wordLength, start + vocabulary.longest);
                if (hashes.length < longest - start) {
                    hashes = new int[word.length];
                }
                int hash = 0;
                for (int end = start; end < longest; end++) {
                    hash = 31 * hash + word[end];
                    hashes[end - start] = hash;
                }
                int end = longest;
                int id = -1;
                for (; end > start; end--) {
                    boolean inPair = end < wordLength
                            && Character.isLowSurrogate(word[end])
                            && Character.isHighSurrogate(word[end - 1]);
                    if (!inPair) {
                        id = vocabulary.id(word, start, end, hashes[end - start - 1]);
                        if (id >= 0) {
                            break;
                        }
                    }
                }
                if (id < 0) {
                    return false;
                }
                add(id);
                start = end;
            }
            return true;
        }

        private void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        int[] finish() {
            if (!full()) {
                flush();
                endWord();
            }
            return Arrays.copyOf(ids, size);
        }
    }

    /** Pieces and their ids in one open-addressing table, probed with a piece's {@link String#hashCode}. */
    private static final class Pieces {

        private final char[] characters;
        private final int[] starts;
        private final int[] hashes;
        private final int[] ids;
        private final int[] slots;
        private final int mask;
        private final int longest;

        private Pieces(Map<String, Integer> pieces) {
            int count = pieces.size();
            int capacity = Integer.highestOneBit(Math.max(4, count * 2) - 1) << 1;
            slots = new int[capacity];
            mask = capacity - 1;
            starts = new int[count + 1];
            hashes = new int[count];
            ids = new int[count];
            StringBuilder all = new StringBuilder();
            int entry = 0;
            int longestPiece = 0;
            for (Map.Entry<String, Integer> piece : pieces.entrySet()) {
                String text = piece.getKey();
                starts[entry] = all.length();
                all.append(text);
                hashes[entry] = text.hashCode();
                ids[entry] = piece.getValue();
                int slot = spread(hashes[entry]) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = entry + 1;
                longestPiece = Math.max(longestPiece, text.length());
                entry++;
            }
            starts[count] = all.length();
            characters = all.toString().toCharArray();
            longest = longestPiece;
        }

        /** The id of {@code text[from, to)}, whose hash is given, or -1. */
        int id(char[] text, int from, int to, int hash) {
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                int entry = slots[slot] - 1;
                if (entry < 0) {
                    return -1;
                }
                if (hashes[entry] == hash
                        && Arrays.equals(characters, starts[entry], starts[entry + 1], text, from, to)) {
                    return ids[entry];
                }
            }
        }

        private static int spread(int hash) {
            return (hash ^ (hash >>> 16)) * 0x9E3779B1;
        }
    }

    private static JsonNode component(JsonNode json, String name, String type) {
        JsonNode component = json.path(name);
        String actual = component.path("type").asString(null);
        if (!type.equals(actual)) {
            String described = actual != null ? actual : component.isContainer() ? component.toString() : "none";
            throw new IllegalArgumentException("the tokenizer's " + name + " is " + described + ", not " + type);
        }
        return component;
    }

    private static boolean flag(JsonNode normalizer, String name) {
        JsonNode flag = normalizer.path(name);
        if (!flag.isBoolean()) {
            throw new IllegalArgumentException(
                    "the tokenizer's normalizer." + name + " is " + flag + ", not true or false");
        }
        return flag.booleanValue();
    }

    private static String text(JsonNode model, String name) {
        JsonNode text = model.path(name);
        if (!text.isString()) {
            throw new IllegalArgumentException("the tokenizer's model." + name + " is " + text + ", not a string");
        }
        return text.stringValue();
    }

    private static int id(JsonNode id, String name) {
        if (!id.isInt() || id.intValue() < 0) {
            throw new IllegalArgumentException("the tokenizer's " + name + " is " + id + ", not an id");
        }
        return id.intValue();
    }

    /** The added tokens, each matched as it is written in the raw text (the only kind this reads). */
    private static Map<String, Integer> addedTokens(JsonNode tokens) {
        Map<String, Integer> added = new HashMap<>();
        List<String> unsupported = new ArrayList<>();
        for (JsonNode token : tokens) {
            String content = token.path("content").asString("");
            for (String option : List.of("single_word", "lstrip", "rstrip", "normalized")) {
                if (token.path(option).booleanValue(false)) {
                    unsupported.add(content + " " + option);
                }
            }
            if (content.isEmpty()) {
                throw new IllegalArgumentException("the tokenizer has an added token without content: " + token);
            }
            added.put(content, id(token.path("id"), "added token " + content + "'s id"));
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException(
                    "the tokenizer has added tokens with options this tokenizer does not follow: " + unsupported);
        }
        return added;
    }

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
    private static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x85 || Character.isSpaceChar(c);
    }

    /** The library's control characters: categories Cc, Cf and Co, but tab, newline and carriage return. */
    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE;
    }

    /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` | ~) or a Unicode P* category. */
    private static boolean isPunctuation(int c) {
        if (c < 128) {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isMark(int c) {
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** The library's "Chinese" characters: the CJK ideograph blocks it names. */
    private static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
