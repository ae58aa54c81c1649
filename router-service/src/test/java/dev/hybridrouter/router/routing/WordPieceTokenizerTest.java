package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The fast tokenizer gives the ids Hugging Face's tokenizers library gives, here through DJL's binding. */
class WordPieceTokenizerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] MINILM = resource("all-minilm-l6-v2-q-tokenizer.json");
    private static final WordPieceTokenizer TOKENIZER = tokenizer(MINILM);
    private static final HuggingFaceTokenizer LIBRARY = library(MINILM);
    private static final JsonNode VOCABULARY =
            JSON.readTree(MINILM).path("model").path("vocab");

    @Property(tries = 2_000)
    void should_give_the_librarys_ids_for_any_text(@ForAll("texts") String text) {
        assertThat(TOKENIZER.ids(text, Integer.MAX_VALUE))
                .as(codePoints(text))
                .containsExactly(libraryIds(LIBRARY, text));
    }

    /**
     * Text from a mixed alphabet. Not drawn, and only these: the 367 characters that Java 17's Unicode
     * tables (13.0) and the library's (8.0 for categories) put in different categories, which the class's
     * javadoc names (punctuation, nonspacing marks and format characters given those categories since
     * Unicode 8, such as U+2E43..U+2E52, U+1DF6..U+1DFB, U+08D3..U+08E2 and the marks and punctuation of
     * supplementary-plane scripts from Newa to Adlam, and U+166D, U+111C9): the ranges below stop short of
     * them.
     */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
                Tuple.of(20, codePoints(0x20, 0x7E)), // printable ASCII
                Tuple.of(12, Arbitraries.of(WORDS)),
                Tuple.of(8, Arbitraries.of(" ", " ", "\t", "\n", "\r\n")),
                Tuple.of(3, Arbitraries.of(UNICODE_SPACES)),
                Tuple.of(3, Arbitraries.of(INVISIBLE)),
                Tuple.of(2, codePoints(0x00, 0x1F)), // ASCII controls
                Tuple.of(1, Arbitraries.of("\u007f", "\u0085", "\u0080", "\u009f")),
                Tuple.of(6, codePoints(0x80, 0x24F)), // Latin-1 and Latin Extended
                Tuple.of(2, codePoints(0x250, 0x2FF)), // IPA, spacing modifiers
                Tuple.of(6, combiningMarks()),
                Tuple.of(4, codePoints(0x370, 0x3FF)), // Greek
                Tuple.of(2, codePoints(0x1F00, 0x1FFF)), // Greek Extended, many decomposing
                Tuple.of(4, codePoints(0x400, 0x52F)), // Cyrillic
                Tuple.of(2, codePoints(0x590, 0x6FF)), // Hebrew, Arabic
                Tuple.of(2, codePoints(0x900, 0x97F)), // Devanagari
                Tuple.of(2, codePoints(0xE00, 0xE7F)), // Thai
                Tuple.of(2, codePoints(0x1100, 0x11FF)), // Hangul Jamo
                Tuple.of(2, codePoints(0xAC00, 0xD7A3)), // Hangul syllables
                Tuple.of(3, codePoints(0x2000, 0x206F)), // general punctuation, spaces, format
                Tuple.of(2, codePoints(0x2E00, 0x2E42)), // supplemental punctuation
                Tuple.of(2, codePoints(0x2100, 0x218F)), // letterlike, number forms
                Tuple.of(2, codePoints(0x3000, 0x303F)), // CJK symbols, with marks of nonzero combining class
                Tuple.of(4, codePoints(0x3040, 0x30FF)), // kana
                Tuple.of(5, codePoints(0x4E00, 0x9FFF)), // CJK ideographs
                Tuple.of(2, codePoints(0x3400, 0x4DBF)), // CJK Extension A
                Tuple.of(2, codePoints(0xF900, 0xFAFF)), // CJK compatibility ideographs
                Tuple.of(2, codePoints(0xFB00, 0xFB4F)), // ligatures, Hebrew presentation forms
                Tuple.of(2, codePoints(0xFE30, 0xFFFF)), // CJK forms, Arabic forms, BOM, full width, specials
                Tuple.of(2, codePoints(0xE000, 0xF8FF)), // private use
                Tuple.of(4, codePoints(0x1F300, 0x1FAFF)), // emoji and pictographs
                Tuple.of(2, Arbitraries.of(EMOJI_SEQUENCES)),
                Tuple.of(2, codePoints(0x1D100, 0x1D7FF)), // musical symbols, math alphanumerics
                Tuple.of(1, codePoints(0x10300, 0x1044F)), // Old Italic, Gothic, Deseret
                Tuple.of(2, codePoints(0x20000, 0x2FA1F)), // CJK Extensions B to F, compatibility supplement
                Tuple.of(1, codePoints(0x30000, 0x3134A)), // CJK Extension G
                Tuple.of(1, codePoints(0xE0000, 0xE01EF)), // tags, variation selectors
                Tuple.of(1, codePoints(0xF0000, 0x10FFFF)), // private use planes, unassigned
                Tuple.of(1, codePoints(0x3FF00, 0x3FFFF)), // unassigned
                Tuple.of(2, Arbitraries.of(SPECIAL)),
                Tuple.of(1, longWords()));
        return fragment.list().ofMaxSize(40).map(fragments -> String.join("", fragments));
    }

    private static final List<String> WORDS = List.of(
            "wake",
            "Me",
            "UP",
            "at",
            "seven",
            "tomorrow",
            "playlist",
            "Playlists",
            "don't",
            "what's",
            "café",
            "naïve",
            "Zürich",
            "résumé",
            "Straße",
            "ﬁnance",
            "e-mail",
            "3.14",
            "10:30pm",
            "$20",
            "weather",
            "unbelievable",
            "hyperparameterization",
            "olly",
            "alarm",
            "schedule",
            "Москва",
            "Ελλάδα",
            "日本",
            "東京都",
            "こんにちは",
            "カタカナ",
            "한국어",
            "שלום",
            "مرحبا",
            "हिन्दी",
            "ภาษาไทย");
    private static final List<String> UNICODE_SPACES = List.of(
            "\u000b", "\u000c", "\u00a0", "\u1680", "\u2000", "\u2003", "\u2007", "\u200a", "\u2028", "\u2029",
            "\u202f", "\u205f", "\u3000", "\u180e", "\u001c", "\u001f");
    private static final List<String> INVISIBLE = List.of(
            "\u0000",
            "\u00ad",
            "\u061c",
            "\u200b",
            "\u200c",
            "\u200d",
            "\u200e",
            "\u200f",
            "\u2060",
            "\u2066",
            "\ufeff",
            "\ufffd",
            "\ufff9",
            "\uffff",
            "\ue000",
            "\udb40\udc01");
    private static final List<String> EMOJI_SEQUENCES =
            List.of("👩‍💻", "👍🏽", "🇩🇪", "❤️", "🏳️‍🌈", "1️⃣", "🥰", "🫠");
    private static final List<String> SPECIAL = List.of(
            "[CLS]",
            "[SEP]",
            "[MASK]",
            "[PAD]",
            "[UNK]",
            "[cls]",
            "[MASK",
            "[[SEP]]",
            "İ",
            "İstanbul",
            "ΣΑΣ",
            "Å",
            "ǅ",
            "ß",
            "ﬀ",
            "Ⅻ",
            "㎏",
            "\u1fef",
            "\u0344",
            "e\u0301\u0316",
            "a\u0345\u0334",
            "\ud834\udd65\u0301");

    private static Arbitrary<String> codePoints(int first, int last) {
        return Arbitraries.integers().between(first, last).map(Character::toString);
    }

    private static Arbitrary<String> combiningMarks() {
        return Arbitraries.oneOf(
                codePoints(0x300, 0x36F),
                codePoints(0x1AB0, 0x1ABE),
                codePoints(0x20D0, 0x20F0),
                codePoints(0xFE20, 0xFE2F));
    }

    /** Words around the library's 100 characters, of single letters, of pieces, of accented letters. */
    private static Arbitrary<String> longWords() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(95).ofMaxLength(105),
                Arbitraries.integers().between(48, 52).map(n -> " " + "ab".repeat(n) + " "),
                Arbitraries.integers().between(98, 102).map(n -> " " + "é".repeat(n) + " "),
                Arbitraries.integers().between(48, 52).map(n -> " " + "İ".repeat(n) + " "),
                Arbitraries.integers().between(98, 102).map(n -> " x" + "\u0301".repeat(n) + " "));
    }

    @Test
    void should_give_the_word_pieces_of_assistant_requests() {
        // given
        Map<String, List<String>> sentences = Map.of(
                "Wake me up at 7am tomorrow!", List.of("wake", "me", "up", "at", "7", "##am", "tomorrow", "!"),
                "olly, what's the weather in Zürich?",
                        List.of("ol", "##ly", ",", "what", "'", "s", "the", "weather", "in", "zurich", "?"),
                "Play my 'Morning' playlists", List.of("play", "my", "'", "morning", "'", "play", "##lists"),
                "remind me\tto call mum\non Saturday", List.of("remind", "me", "to", "call", "mum", "on", "saturday"),
                "is it going to rain ☔ in 東京", List.of("is", "it", "going", "to", "rain", "[UNK]", "in", "東", "京"));

        sentences.forEach((sentence, pieces) -> {
            // when
            int[] ids = TOKENIZER.ids(sentence, Integer.MAX_VALUE);

            // then
            assertThat(ids).as(sentence).containsExactly(vocabularyIds(pieces));
            assertThat(ids).as(sentence).containsExactly(libraryIds(LIBRARY, sentence));
        });
    }

    @Test
    void should_give_only_the_first_ids_when_cut() {
        // given
        String text = "Set an alarm for the playlists, please";
        int[] all = TOKENIZER.ids(text, Integer.MAX_VALUE);

        // then
        assertThat(all).hasSize(9);
        for (int max = 0; max <= all.length + 1; max++) {
            assertThat(TOKENIZER.ids(text, max))
                    .as("at most " + max)
                    .containsExactly(Arrays.copyOf(all, Math.min(max, all.length)));
        }
        assertThat(TOKENIZER.ids("playlists", 1)).containsExactly(vocabularyIds(List.of("play")));
        assertThat(TOKENIZER.ids("word ".repeat(1_000_000), 3))
                .containsExactly(vocabularyIds(List.of("word", "word", "word")));
        assertThatThrownBy(() -> TOKENIZER.ids(text, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_give_one_unknown_id_for_a_word_with_no_matching_piece_or_too_long() {
        // given
        int unknown = VOCABULARY.path("[UNK]").intValue();

        // then
        assertThat(TOKENIZER.ids("abc\ud835\udc00def", Integer.MAX_VALUE)).containsExactly(unknown);
        assertThat(TOKENIZER.ids("ab".repeat(51), Integer.MAX_VALUE)).containsExactly(unknown);
        assertThat(TOKENIZER.ids("ab".repeat(50), Integer.MAX_VALUE))
                .hasSize(50)
                .doesNotContain(unknown);
        assertThat(TOKENIZER.ids("go \ud835\udc00\ud835\udc01 now", Integer.MAX_VALUE))
                .containsExactly(vocabularyIds(List.of("go", "[UNK]", "now")));
    }

    @Test
    void should_give_no_ids_for_empty_or_blank_text() {
        for (String text : List.of("", " ", " \t\r\n\u00a0\u3000", "\u200b\ufeff\u0000\u0301")) {
            assertThat(TOKENIZER.ids(text, Integer.MAX_VALUE))
                    .as(codePoints(text))
                    .isEmpty();
        }
    }

    @Test
    void should_give_an_added_tokens_id_where_it_is_written_in_the_text() {
        // given
        String text = "[CLS] say[MASK]again[SEP] [cls]";

        // then
        assertThat(TOKENIZER.ids(text, Integer.MAX_VALUE))
                .containsExactly(
                        vocabularyIds(List.of("[CLS]", "say", "[MASK]", "again", "[SEP]", "[", "cl", "##s", "]")))
                .containsExactly(libraryIds(LIBRARY, text));
    }

    @Test
    void should_read_lone_surrogates_as_the_library_does() {
        for (String text : List.of("a\ud800b", "x\udc00", "\udbff", "ok \ud83d")) {
            assertThat(TOKENIZER.ids(text, Integer.MAX_VALUE))
                    .as(codePoints(text))
                    .containsExactly(libraryIds(LIBRARY, text));
        }
    }

    @Test
    void should_put_the_marks_that_stripping_keeps_in_nfds_order() throws Exception {
        // given: a piece of two spacing marks (so kept) of combining classes 216 and 226, in NFD's order
        String ordered = "x\ud834\udd65\ud834\udd6d";
        byte[] json = edit(tokenizer -> ((ObjectNode) model(tokenizer).path("vocab")).put(ordered, 30_522));
        WordPieceTokenizer tokenizer = tokenizer(json);
        String text = "x\ud834\udd6d\u0301\ud834\udd65 x\u0301\ud834\udd6d\ud834\udd65\u0316";

        try (HuggingFaceTokenizer library = library(json)) {
            // then
            assertThat(tokenizer.ids(text, Integer.MAX_VALUE))
                    .containsExactly(30_522, 30_522)
                    .containsExactly(libraryIds(library, text));
        }
    }

    @Test
    void should_count_the_ids_of_the_vocabulary() {
        assertThat(TOKENIZER.vocabularySize()).isEqualTo(VOCABULARY.size()).isEqualTo(30_522);
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("no clean_text", edit(json -> normalizer(json).put("clean_text", false))),
                Arguments.of(
                        "no handle_chinese_chars", edit(json -> normalizer(json).put("handle_chinese_chars", false))),
                Arguments.of(
                        "strip_accents false", edit(json -> normalizer(json).put("strip_accents", false))),
                Arguments.of("cased", edit(json -> normalizer(json).put("lowercase", false))),
                Arguments.of(
                        "cased, strip_accents true",
                        edit(json -> normalizer(json).put("lowercase", false).put("strip_accents", true))),
                Arguments.of("short words, another prefix and unknown token", edit(json -> model(json)
                        .put("max_input_chars_per_word", 5)
                        .put("continuing_subword_prefix", "#")
                        .put("unk_token", "[MASK]"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void should_follow_the_jsons_flags(String variant, byte[] json) throws Exception {
        // given
        WordPieceTokenizer tokenizer = tokenizer(json);
        List<String> texts = List.of(
                "Héllo WÖRLD, İstanbul ΣΑΣ Straße",
                "tab\there\u0001bell\u0007 nbsp\u00a0zwsp\u200bend\ufffd",
                "東京 and 日本語 mixed漢字text",
                "e\u0301\u0316 x\u0345\u0334 \u1fef\u212b \ufb01",
                "unbelievable hyperparameterization playlists",
                "emoji 👩‍💻 and [MASK] tokens");

        try (HuggingFaceTokenizer library = library(json)) {
            for (String text : texts) {
                // then
                assertThat(tokenizer.ids(text, Integer.MAX_VALUE))
                        .as(variant + ": " + text)
                        .containsExactly(libraryIds(library, text));
            }
        }
    }

    static Stream<Arguments> otherTokenizers() {
        return Stream.of(
                Arguments.of(
                        edit(json -> json.putObject("normalizer").put("type", "NFKC")),
                        "the tokenizer's normalizer is NFKC, not BertNormalizer"),
                Arguments.of(
                        edit(json -> json.putNull("normalizer")),
                        "the tokenizer's normalizer is none, not BertNormalizer"),
                Arguments.of(
                        edit(json -> json.putObject("pre_tokenizer").put("type", "Whitespace")),
                        "the tokenizer's pre_tokenizer is Whitespace, not BertPreTokenizer"),
                Arguments.of(
                        edit(json -> model(json).put("type", "BPE")), "the tokenizer's model is BPE, not WordPiece"),
                Arguments.of(
                        edit(json -> normalizer(json).put("lowercase", "yes")),
                        "the tokenizer's normalizer.lowercase is \"yes\", not true or false"),
                Arguments.of(
                        edit(json -> model(json).put("unk_token", "<unk>")),
                        "the unknown token <unk> is not in the vocabulary"),
                Arguments.of(
                        edit(json -> ((ObjectNode) json.path("added_tokens").path(0)).put("lstrip", true)),
                        "the tokenizer has added tokens with options this tokenizer does not follow: [[PAD] lstrip]"),
                Arguments.of("{\"model\":".getBytes(StandardCharsets.UTF_8), "the tokenizer is not JSON"));
    }

    @ParameterizedTest
    @MethodSource("otherTokenizers")
    void should_refuse_a_tokenizer_of_another_kind_naming_what_differs(byte[] json, String message) {
        assertThatThrownBy(() -> WordPieceTokenizer.of(new ByteArrayInputStream(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    private static int[] vocabularyIds(List<String> pieces) {
        return pieces.stream()
                .mapToInt(piece -> {
                    JsonNode id = VOCABULARY.path(piece);
                    assertThat(id.isInt()).as(piece + " is in the vocabulary").isTrue();
                    return id.intValue();
                })
                .toArray();
    }

    private static int[] libraryIds(HuggingFaceTokenizer library, String text) {
        return Arrays.stream(library.encode(text, false, false).getIds())
                .mapToInt(Math::toIntExact)
                .toArray();
    }

    private static String codePoints(String text) {
        return text.codePoints().mapToObj(c -> String.format("U+%04X", c)).collect(Collectors.joining(" "));
    }

    private static ObjectNode normalizer(ObjectNode json) {
        return (ObjectNode) json.path("normalizer");
    }

    private static ObjectNode model(ObjectNode json) {
        return (ObjectNode) json.path("model");
    }

    private static byte[] edit(Consumer<ObjectNode> change) {
        ObjectNode json = (ObjectNode) JSON.readTree(MINILM);
        change.accept(json);
        return JSON.writeValueAsBytes(json);
    }

    private static WordPieceTokenizer tokenizer(byte[] json) {
        try {
            return WordPieceTokenizer.of(new ByteArrayInputStream(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HuggingFaceTokenizer library(byte[] json) {
        try {
            return HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json), Map.of("padding", "false", "truncation", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream stream = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResourceAsStream("/" + name)) {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
