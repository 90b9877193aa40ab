package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the real CLI (its own process): a non-zero exit code naming the kind of failure and
 * exactly one line on stderr, and the committed data untouched ({@code quiver check} passes and
 * the answers to a search are the same as before).
 */
class CliBadInputTest {
    @TempDir
    Path tmp;
    Path db;
    String before;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) throws Exception {
        return run(CrashSafetyTest.cli(args));
    }

    static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String e = new String(err, StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), e);
    }

    private static void fails(int code, String text, String... args) throws Exception {
        Run r = cli(args);
        assertThat(r.code()).as("exit code of quiver %s (stderr: %s)", String.join(" ", args), r.err()).isEqualTo(code);
        List<String> lines = r.err().strip().lines().toList();
        assertThat(lines).as("stderr of quiver %s", String.join(" ", args)).hasSize(1);
        assertThat(lines.get(0)).contains("error:").containsIgnoringCase(text);
    }

    private String answers() throws Exception {
        CrashSafetyTest.Run r = CrashSafetyTest.quiver("search", "--db", db.toString(), "--k", "5", "--vector", "0.5,0.5,0.5,0.5", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        CrashSafetyTest.Run c = CrashSafetyTest.quiver("check", "--db", db.toString());
        assertThat(c.code()).as(c.out()).isZero();
        CrashSafetyTest.Run s = CrashSafetyTest.quiver("stats", "--db", db.toString(), "--json", "-q");
        return r.out() + s.out().replaceAll("\"(file_bytes|readers|map_size)\": ?\\d+", "");
    }

    private Path fvecs(String name, float[][] v) throws Exception {
        int bytes = 0;
        for (float[] row : v) {
            bytes += 4 + 4 * row.length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : v) {
            b.putInt(row.length);
            for (float x : row) {
                b.putFloat(x);
            }
        }
        return Files.write(tmp.resolve(name), b.array());
    }

    @BeforeEach
    void setUp() throws Exception {
        db = tmp.resolve("db");
        Random r = new Random(4);
        float[][] v = new float[500][4];
        for (float[] row : v) {
            for (int d = 0; d < 4; d++) {
                row[d] = (float) r.nextGaussian();
            }
        }
        CrashSafetyTest.ok("import", "-q", "--db", db.toString(), "--distance", "euclidean", fvecs("base.fvecs", v).toString());
        CrashSafetyTest.ok("build", "-q", "--db", db.toString(), "--algo", "forest");
        before = answers();
    }

    @Test
    void badVectorFilesAreRefusedAndCommitNothing() throws Exception {
        Path wrongDims = fvecs("wrong.fvecs", new float[][] {{1, 2, 3, 4}, {1, 2, 3}});
        fails(23, "dimensions", "import", "--db", db.toString(), "--first-id", "1000", wrongDims.toString());
        Path nan = Files.writeString(tmp.resolve("nan.csv"), "1,2,3,4\n1,NaN,3,4\n");
        fails(24, "NaN", "import", "--db", db.toString(), "--first-id", "1000", nan.toString());
        Path inf = Files.writeString(tmp.resolve("inf.jsonl"), "{\"id\": 1000, \"vector\": [1, 2, 3, 4]}\n{\"id\": 1001, \"vector\": [1, 2, 3, 1e39]}\n");
        fails(24, "", "import", "--db", db.toString(), inf.toString());
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "{\"id\": 1000, \"vector\": []}\n");
        fails(24, "empty", "import", "--db", db.toString(), empty.toString());
        Path big = Files.writeString(tmp.resolve("big.jsonl"), "{\"id\": 1000, \"vector\": [1, 2, 3, 4]}\n{\"id\": 4294967296, \"vector\": [1, 2, 3, 4]}\n");
        fails(3, "4294967295", "import", "--db", db.toString(), big.toString());
        Path dup = Files.writeString(tmp.resolve("dup.jsonl"), "{\"id\": 1000, \"vector\": [1, 2, 3, 4]}\n{\"id\": 1000, \"vector\": [1, 2, 3, 5]}\n");
        fails(3, "duplicate id 1000", "import", "--db", db.toString(), dup.toString());
        fails(2, "4294967296", "delete", "--db", db.toString(), "--ids", "5,4294967296");
        fails(23, "dimensions", "search", "--db", db.toString(), "--vector", "1,2,3");
        fails(25, "item 7777", "search", "--db", db.toString(), "--item", "7777");
        assertThat(answers()).isEqualTo(before);
    }

    @Test
    void aNativeLibraryThatDoesNotLoadFailsWithOneLine() throws Exception {
        // The command starts loading the library on a thread of its own; the failure must still
        // reach the user as one line, with lmdbjava's reason and the settings that fix it.
        List<String> command = new java.util.ArrayList<>(CrashSafetyTest.cli("search", "--db", db.toString(), "--k", "3", "--item", "5"));
        command.add(1, "-Dlmdbjava.native.lib=" + tmp.resolve("absent.so"));
        Run r = run(command);
        assertThat(r.code()).as(r.err()).isEqualTo(18);
        assertThat(r.err().strip().lines().toList()).hasSize(1);
        assertThat(r.err()).contains("cannot load LMDB's native library", "absent.so", "lmdbjava.extract.dir");
        assertThat(answers()).isEqualTo(before);
    }

    @Test
    void damagedAndForeignStoresFailWithOneLine() throws Exception {
        Path trunc = Files.createDirectories(tmp.resolve("trunc"));
        Files.copy(db.resolve("data.mdb"), trunc.resolve("data.mdb"));
        try (RandomAccessFile f = new RandomAccessFile(trunc.resolve("data.mdb").toFile(), "rw")) {
            f.setLength(100); // shorter than the meta pages (a truncation past them crashes LMDB: see BadInputTest)
        }
        Run cut = cli("check", "--db", trunc.toString());
        assertThat(cut.code()).as(cut.err()).isIn(10, 11, 17);
        assertThat(cut.err().strip().lines().toList()).hasSize(1);
        Path noise = Files.createDirectories(tmp.resolve("noise"));
        byte[] b = new byte[32768];
        new Random(1).nextBytes(b);
        Files.write(noise.resolve("data.mdb"), b);
        fails(11, "not an LMDB file", "check", "--db", noise.toString());
        fails(11, "not an LMDB file", "import", "--db", noise.toString(), "--distance", "euclidean", tmp.resolve("base.fvecs").toString());
        assertThat(Files.readAllBytes(noise.resolve("data.mdb"))).isEqualTo(b);
        Path file = Files.writeString(tmp.resolve("file"), "x");
        fails(11, "not a store directory", "stats", "--db", file.toString());
        fails(10, "no store", "check", "--db", tmp.resolve("absent").toString());
        assertThat(answers()).isEqualTo(before);
    }

    @Test
    void aReadOnlyMountAndAFullDiskGiveClearErrors() throws Exception {
        Path mnt = tmp.resolve("mnt");
        Files.createDirectories(mnt);
        boolean mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt.toString()).start().waitFor() == 0;
        assumeThat(mounted).as("mounting a tmpfs needs root and a permissive sandbox").isTrue();
        try {
            Files.copy(db, mnt.resolve("db"));
            Files.copy(db.resolve("data.mdb"), mnt.resolve("db").resolve("data.mdb"));
            // a full disk: 8 MiB cannot hold 20,000 x 128 floats
            Random r = new Random(2);
            float[][] v = new float[20000][128];
            for (float[] row : v) {
                for (int d = 0; d < row.length; d++) {
                    row[d] = (float) r.nextGaussian();
                }
            }
            Path big = fvecs("big.fvecs", v);
            Path full = mnt.resolve("full");
            CrashSafetyTest.ok("import", "-q", "--db", full.toString(), "--distance", "euclidean", fvecs("small.fvecs", java.util.Arrays.copyOf(v, 100)).toString());
            fails(16, "no space left", "import", "--db", full.toString(), "--first-id", "1000", big.toString());
            Run stats = cli("stats", "--db", full.toString(), "--json", "-q");
            assertThat(stats.code()).as(stats.err()).isZero();
            assertThat(stats.out()).contains("\"items\":100");
            // read-only (the store was copied in before the disk filled up)
            assumeThat(new ProcessBuilder("mount", "-o", "remount,ro", mnt.toString()).start().waitFor()).isZero();
            fails(13, "not writable", "import", "--db", mnt.resolve("db").toString(), "--first-id", "1000", tmp.resolve("base.fvecs").toString());
            // reading there registers no snapshot: refused unless the caller says nothing writes the store
            fails(13, "read-only file system", "search", "--db", mnt.resolve("db").toString(), "--k", "5", "--vector", "0.5,0.5,0.5,0.5");
            fails(2, "--immutable is for commands that only read", "delete", "--immutable", "--db", mnt.resolve("db").toString(), "--ids", "1");
            Run search = cli("search", "--immutable", "--db", mnt.resolve("db").toString(), "--k", "5", "--vector", "0.5,0.5,0.5,0.5", "--json");
            assertThat(search.code()).as(search.err()).isZero();
            assertThat(before).startsWith(search.out());
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }
}
