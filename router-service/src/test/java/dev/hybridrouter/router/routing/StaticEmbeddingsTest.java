package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.router.Sha256;
import dev.hybridrouter.router.routing.StaticEmbeddings.Table;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticEmbeddingsTest {

    /** The table the build distilled into the classes; loaded once, as the router does. */
    private static final StaticEmbeddings EMBEDDINGS = StaticEmbeddings.load();

    @TempDir
    Path dir;

    @Test
    void should_embed_related_requests_closer_than_unrelated_ones() {
        // when
        float[] alarm = EMBEDDINGS.vector("wake me up at seven tomorrow morning");
        float[] alarmToo = EMBEDDINGS.vector("set an alarm for 7 am");
        float[] weather = EMBEDDINGS.vector("will it rain in paris this weekend");

        // then
        assertThat(Vectors.dot(alarm, alarm)).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(Vectors.dot(alarm, alarmToo)).isGreaterThan(Vectors.dot(alarm, weather) + 0.1);
    }

    @Test
    void should_embed_through_the_embedding_cache_without_filling_it() {
        // given
        EmbeddingCache cache = new EmbeddingCache(100);

        // when
        var vectors = cache.embedAll(EmbeddingCache.STATIC_ALL_MINILM_L6_V2_Q, List.of("set an alarm", "play jazz"));

        // then
        assertThat(vectors.get(0)).containsExactly(EMBEDDINGS.vector("set an alarm"));
        assertThat(vectors.get(1)).containsExactly(EMBEDDINGS.vector("play jazz"));
        assertThat(cache.stats().requestCount()).isZero();
    }

    @Test
    void should_embed_a_text_without_tokens_as_the_zero_vector() {
        // when
        float[] blank = EMBEDDINGS.vector(" \t\n");

        // then
        assertThat(blank).hasSize(StaticEmbeddings.DIMENSIONS).containsOnly(0f);
    }

    @Test
    void should_read_only_the_first_tokens_of_a_long_text() {
        // given
        String head = "remind me to call mom ".repeat(StaticEmbeddings.MAX_TOKENS / 5 + 1);

        // when
        float[] longText = EMBEDDINGS.vector(head + "pizza ".repeat(10_000));
        float[] headOnly = EMBEDDINGS.vector(head);

        // then
        assertThat(longText).containsExactly(headOnly);
    }

    @Test
    void should_fingerprint_the_table_by_its_bytes() {
        // then
        assertThat(EMBEDDINGS.fingerprint()).matches("[0-9a-f]{64}");
        assertThat(StaticEmbeddings.load().fingerprint()).isEqualTo(EMBEDDINGS.fingerprint());
    }

    @Test
    void should_read_a_table_as_it_was_written_within_a_quantisation_step() throws IOException {
        // given
        Random random = new Random(7);
        float[][] rows = new float[3][StaticEmbeddings.DIMENSIONS];
        for (float[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        Table table = Table.quantised(rows, "model");

        // when
        Table read = Table.read(bytes(table));

        // then
        assertThat(read.scales()).containsExactly(table.scales());
        assertThat(read.values()).containsExactly(table.values());
        assertThat(read.source()).isEqualTo("model");
        for (int r = 0; r < rows.length; r++) {
            float[] row = new float[StaticEmbeddings.DIMENSIONS];
            read.addRow(r, row);
            float step = read.scales()[r];
            for (int c = 0; c < row.length; c++) {
                assertThat(Math.abs(row[c] - rows[r][c])).isLessThanOrEqualTo(step / 2 + 1e-6f);
            }
        }
    }

    @Test
    void should_refuse_a_table_of_another_version_or_with_bytes_after_its_rows() throws IOException {
        // given
        byte[] good = bytes(Table.quantised(new float[2][StaticEmbeddings.DIMENSIONS], "model"));
        byte[] otherVersion = good.clone();
        otherVersion[7] = (byte) (StaticEmbeddings.VERSION + 1);
        byte[] longer = Arrays.copyOf(good, good.length + 1);

        // then
        assertThatThrownBy(() -> Table.read(otherVersion))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> Table.read(longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("after");
        assertThatThrownBy(() -> Table.read(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a table");
        assertThat(StaticEmbeddings.distilledFrom(otherVersion, "model")).isFalse();
        assertThat(StaticEmbeddings.distilledFrom(good, "model")).isTrue();
        assertThat(StaticEmbeddings.distilledFrom(good, "another model")).isFalse();
    }

    @Test
    void should_leave_a_table_of_the_current_version_and_model_as_it_is() throws Exception {
        // given: any table of this version distilled from the model on the classpath
        Path file = dir.resolve("table");
        byte[] current =
                bytes(Table.quantised(new float[1][StaticEmbeddings.DIMENSIONS], Sha256.hex(StaticEmbeddings.model())));
        Files.write(file, current);

        // when
        StaticEmbeddings.main(new String[] {file.toString()});

        // then
        assertThat(Files.readAllBytes(file)).isEqualTo(current);
    }

    @Test
    void should_find_the_principal_components_largest_variance_first_with_a_fixed_sign() {
        // given: most variance along (1, 1, 0) / sqrt 2, less along z, almost none along (1, -1, 0)
        Random random = new Random(3);
        float[][] vectors = new float[2_000][];
        for (int i = 0; i < vectors.length; i++) {
            double a = 5 * random.nextGaussian();
            double b = 0.1 * random.nextGaussian();
            double z = 2 * random.nextGaussian();
            vectors[i] = new float[] {(float) (a + b), (float) (a - b), (float) z};
        }

        // when
        double[][] components = StaticEmbeddings.principalComponents(vectors, 2);

        // then
        double half = Math.sqrt(0.5);
        assertThat(components[0])
                .containsExactly(new double[] {half, half, 0}, org.assertj.core.data.Offset.offset(0.01));
        assertThat(components[1]).containsExactly(new double[] {0, 0, 1}, org.assertj.core.data.Offset.offset(0.01));
    }

    private static byte[] bytes(Table table) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            table.write(out);
        }
        return bytes.toByteArray();
    }
}
