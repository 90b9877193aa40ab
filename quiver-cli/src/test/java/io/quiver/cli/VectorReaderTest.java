package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.cli.io.Ivecs;
import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

class VectorReaderTest {
    @TempDir
    Path dir;

    private static List<VectorRecord> readAll(Path f) throws IOException {
        List<VectorRecord> out = new ArrayList<>();
        try (VectorReader r = VectorReader.open(f)) {
            VectorRecord rec;
            while ((rec = r.next()) != null) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void everyFormatYieldsTheSameVectors() throws IOException {
        float[][] v = TestFiles.gaussian(5, 3, 1);
        for (Path f : List.of(TestFiles.fvecs(dir.resolve("a.fvecs"), v), TestFiles.npy(dir.resolve("a.npy"), v, "<f4", false),
                TestFiles.csv(dir.resolve("a.csv"), v, 0, ','), TestFiles.csv(dir.resolve("a.tsv"), v, 0, '\t'),
                TestFiles.jsonl(dir.resolve("a.jsonl"), v, 0))) {
            List<VectorRecord> recs = readAll(f);
            assertThat(recs).as(f.toString()).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(recs.get(i).vector()).as(f + " row " + i).containsExactly(v[i]);
                assertThat(recs.get(i).row()).isEqualTo(i);
            }
        }
        assertThat(readAll(dir.resolve("a.csv")).get(2).id()).isEqualTo(2);
        assertThat(readAll(dir.resolve("a.csv")).get(2).line()).isEqualTo(4);
        assertThat(readAll(dir.resolve("a.jsonl")).get(3).id()).isEqualTo(3);
        assertThat(readAll(dir.resolve("a.fvecs")).get(3).hasId()).isFalse();
    }

    @Test
    void bvecsAndHeaderlessCsv() throws IOException {
        TestFiles.bvecs(dir.resolve("b.bvecs"), new int[][] {{0, 255, 7}, {1, 2, 3}});
        List<VectorRecord> recs = readAll(dir.resolve("b.bvecs"));
        assertThat(recs.get(0).vector()).containsExactly(0f, 255f, 7f);
        Files.writeString(dir.resolve("h.csv"), "1,2,3\n\n\"4\",5,6,\n");
        recs = readAll(dir.resolve("h.csv"));
        assertThat(recs).hasSize(2);
        assertThat(recs.get(1).vector()).containsExactly(4f, 5f, 6f);
        assertThat(recs.get(1).line()).isEqualTo(3);
        assertThat(recs.get(1).hasId()).isFalse();
    }

    @Test
    void malformedInputNamesFileAndLine() throws IOException {
        Files.writeString(dir.resolve("x.csv"), "1,2\n3,abc\n");
        assertThatThrownBy(() -> readAll(dir.resolve("x.csv"))).isInstanceOf(CliException.class).hasMessageContaining("x.csv:2:")
                .hasMessageContaining("'abc' is not a number");
        Files.writeString(dir.resolve("x.jsonl"), "{\"id\": 1, \"vector\": [1, 2]}\n{\"id\": \"a\", \"vector\": [1]}\n");
        assertThatThrownBy(() -> readAll(dir.resolve("x.jsonl"))).hasMessageContaining("x.jsonl:2:");
        Files.write(dir.resolve("t.fvecs"), new byte[] {3, 0, 0, 0, 1, 2});
        assertThatThrownBy(() -> readAll(dir.resolve("t.fvecs"))).hasMessageContaining("truncated");
        float[][] v = TestFiles.gaussian(2, 2, 1);
        TestFiles.npy(dir.resolve("d.npy"), v, "<f8", false);
        assertThatThrownBy(() -> readAll(dir.resolve("d.npy"))).hasMessageContaining("'<f8' is not supported");
        TestFiles.npy(dir.resolve("f.npy"), v, "<f4", true);
        assertThatThrownBy(() -> readAll(dir.resolve("f.npy"))).hasMessageContaining("Fortran");
        Files.writeString(dir.resolve("x.txt"), "1,2");
        assertThatThrownBy(() -> readAll(dir.resolve("x.txt"))).hasMessageContaining("unknown file type");
    }

    /** Java's type suffixes and hexadecimal floats are typos in a vector file, not numbers (they were read as 1, 2 and 8). */
    @Test
    void javaOnlySpellingsAreNotNumbers() throws IOException {
        Files.writeString(dir.resolve("suffix.csv"), "1,2\n3,4d\n");
        assertThatThrownBy(() -> readAll(dir.resolve("suffix.csv"))).hasMessageContaining("suffix.csv:2:").hasMessageContaining("'4d' is not a number");
        Files.writeString(dir.resolve("hex.csv"), "1,2\n0x1p3,4\n");
        assertThatThrownBy(() -> readAll(dir.resolve("hex.csv"))).hasMessageContaining("hex.csv:2:").hasMessageContaining("'0x1p3' is not a number");
        Files.writeString(dir.resolve("ok.csv"), "1.5e3,-.5,+2.,7\n");
        assertThat(readAll(dir.resolve("ok.csv")).get(0).vector()).containsExactly(1500f, -0.5f, 2f, 7f);
    }

    /**
     * A vector of another separator is one field that is not a number: alone in the file it was
     * taken as a header ("the file holds no vectors"); now the first line says what it looks like.
     */
    @Test
    void anotherSeparatorIsNamed() throws IOException {
        Files.writeString(dir.resolve("one.tsv"), "1,2,3\n");
        assertThatThrownBy(() -> readAll(dir.resolve("one.tsv"))).isInstanceOf(CliException.class).hasMessageContaining("one.tsv:1: '1,2,3' is not a number")
                .hasMessageContaining("looks separated by commas").hasMessageContaining(".tsv file is split on tabs");
        Files.writeString(dir.resolve("semi.csv"), "1;2;3\n4;5;6\n");
        assertThatThrownBy(() -> readAll(dir.resolve("semi.csv"))).hasMessageContaining("semi.csv:1:").hasMessageContaining("looks separated by semicolons");
        Files.writeString(dir.resolve("spaces.csv"), "name\n1.5  2 3\n");
        assertThatThrownBy(() -> readAll(dir.resolve("spaces.csv"))).hasMessageContaining("spaces.csv:2:").hasMessageContaining("looks separated by spaces");
        // a one-column header and one-number lines are still a header and vectors
        Files.writeString(dir.resolve("col.csv"), "x\n1.5\n2\n");
        assertThat(readAll(dir.resolve("col.csv"))).hasSize(2);
    }

    @Test
    void rangesAndVectors() {
        RoaringBitmap b = Ranges.parse("1, 5,10-12,4294967295", "--ids");
        assertThat(b.toArray()).containsExactly(1, 5, 10, 11, 12, -1);
        assertThatThrownBy(() -> Ranges.parse("4294967296", "--ids")).hasMessageContaining("outside");
        assertThatThrownBy(() -> Ranges.parse("5-3", "--ids")).hasMessageContaining("ends before");
        assertThat(Ranges.parseVector("[0.5, 1,2]", "--vector")).containsExactly(0.5f, 1f, 2f);
        assertThatThrownBy(() -> Ranges.parseVector("1,NaN", "--vector")).hasMessageContaining("NaN");
    }

    @Test
    void byteOrderMarksBeforeTheHeaderAreSkipped() throws IOException {
        for (String marks : List.of("", "\uFEFF", "\uFEFF\uFEFF")) {
            Path f = Files.writeString(dir.resolve("bom" + marks.length() + ".csv"), marks + "id,a,b\n7,1,2\n9,3,4\n");
            List<VectorRecord> recs = readAll(f);
            assertThat(recs).as("%d marks", marks.length()).hasSize(2);
            assertThat(recs.get(0).id()).isEqualTo(7);
            assertThat(recs.get(1).vector()).containsExactly(3f, 4f);
        }
    }

    @Test
    void jsonRoundTrip() {
        Object o = Json.parse("{\"a\": [1, -2.5e1, true, null, \"x\\\"y\"], \"b\": {}}");
        assertThat(o).isInstanceOf(Map.class);
        assertThat(Json.write(o)).isEqualTo("{\"a\":[1,-25.0,true,null,\"x\\\"y\"],\"b\":{}}");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("[1, NaN]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ivecsRoundTrip() throws IOException {
        int[][] rows = {{1, 2, 3}, {4, 5, 6}};
        Ivecs.write(dir.resolve("t.ivecs"), rows);
        assertThat(Ivecs.read(dir.resolve("t.ivecs"), -1)).isDeepEqualTo(rows);
        assertThat(Ivecs.read(dir.resolve("t.ivecs"), 1)).hasDimensions(1, 3);
    }
}
