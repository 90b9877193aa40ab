package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.cli.Json;
import io.quiver.cli.QuiverCli;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The real CLI, killed with SIGKILL ({@code Process.destroyForcibly} on Linux) at random moments of
 * {@code import}, {@code build --algo forest} and {@code delete} + {@code build}, leaves the store at
 * its last commit: it opens, {@code quiver check} passes, {@code stats --json} counts the committed
 * items, and every search returns exactly what it returned before the kill (so recall is
 * unchanged). The next writer then runs normally: a killed writer leaves no lock behind.
 */
class CrashSafetyTest {
    private static final int DIMS = 32;
    private static final int BLOCK = 30_000;
    private static final List<String> JVM_FLAGS = List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    @TempDir
    Path tmp;
    Path db;
    final Random rnd = new Random(System.nanoTime());
    float[][] centres;
    float[][] vectors = new float[0][];
    final RoaringBitmap expected = new RoaringBitmap();
    float[][] queries;
    int kills;
    int interrupted;
    final List<String> log = new ArrayList<>();
    final Map<String, Long> est = new java.util.HashMap<>();

    @Test
    void killedWritersLoseNothingCommitted() throws Exception {
        run(2);
    }

    @Test
    @Tag("slow")
    void killedWritersLoseNothingCommittedTwentyOneTimes() throws Exception {
        run(7);
        assertThat(kills).isGreaterThanOrEqualTo(21);
    }

    private void run(int rounds) throws Exception {
        db = tmp.resolve("db");
        Random data = new Random(17);
        centres = new float[40][DIMS];
        for (float[] c : centres) {
            for (int d = 0; d < DIMS; d++) {
                c[d] = (float) (data.nextGaussian() * 4);
            }
        }
        queries = clustered(20, data);
        Path first = writeBlock(0, data);
        // the first import and build run in child processes to completion: their durations calibrate the kills
        est.put("import", timed("import", "-q", "--db", db.toString(), "--distance", "euclidean", first.toString()));
        est.put("build", timed("build", "-q", "--db", db.toString(), "--algo", "forest", "--seed", "1", "--threads", "1"));
        est.put("delete", est.get("import") * 3 / 4);
        est.put("build after delete", est.get("build"));
        log.add("calibration (ms, JVM start included): " + est);
        State state = capture();
        assertThat(state.recall()).isGreaterThan(0.7);
        for (int round = 0; round < rounds; round++) {
            int firstId = (round + 1) * BLOCK;
            Path block = writeBlock(firstId, data);
            // 1. import: killed, then completed
            State before = state;
            boolean done = killAt("import", 300, 1800, "import", "-q", "--db", db.toString(), "--first-id", Integer.toString(firstId), block.toString());
            if (!done) {
                verifyUnchanged(before, "import");
                ok("import", "-q", "--db", db.toString(), "--first-id", Integer.toString(firstId), block.toString());
            }
            expected.add((long) firstId, (long) firstId + BLOCK);
            state = capture();
            assertThat(state.needsBuild()).isTrue();
            // 2. build: killed, then completed
            before = state;
            done = killAt("build", 400, 3500, "build", "-q", "--db", db.toString(), "--algo", "forest", "--seed", "1", "--threads", "1");
            if (!done) {
                verifyUnchanged(before, "build");
                ok("build", "-q", "--db", db.toString(), "--algo", "forest", "--seed", "1", "--threads", "1");
            }
            state = capture();
            assertThat(state.needsBuild()).isFalse();
            log.add("round " + round + ": recall@10 " + state.recall() + " over " + state.ids().getCardinality() + " items");
            assertThat(state.recall()).as("recall after round %d", round).isGreaterThan(0.7);
            // 3. delete + build: one of them killed
            int[] victims = new int[3000];
            for (int i = 0; i < victims.length; i++) {
                victims[i] = expected.select(rnd.nextInt(expected.getCardinality()));
            }
            String ids = Arrays.stream(victims).distinct().sorted().mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
            before = state;
            if (rnd.nextBoolean()) {
                done = killAt("delete", 250, 1200, "delete", "-q", "--db", db.toString(), "--ids", ids);
                if (!done) {
                    verifyUnchanged(before, "delete");
                    ok("delete", "-q", "--db", db.toString(), "--ids", ids);
                }
                for (int v : victims) {
                    expected.remove(v);
                }
                state = capture();
            } else {
                ok("delete", "-q", "--db", db.toString(), "--ids", ids);
                for (int v : victims) {
                    expected.remove(v);
                }
                state = capture();
                before = state;
                done = killAt("build after delete", 400, 3000, "build", "-q", "--db", db.toString(), "--algo", "forest", "--seed", "1", "--threads", "1");
                if (!done) {
                    verifyUnchanged(before, "build after delete");
                }
            }
            ok("build", "-q", "--db", db.toString(), "--algo", "forest", "--seed", "1", "--threads", "1");
            state = capture();
            assertThat(state.needsBuild()).isFalse();
            assertThat(state.ids()).isEqualTo(expected);
            assertThat(state.recall()).isGreaterThan(0.7);
        }
        // a final check by the real CLI in its own process
        Process check = new ProcessBuilder(cli("check", "--db", db.toString())).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
        assertThat(out).contains("OK");
        System.out.printf("kills=%d, of which mid-write=%d%n%s%n", kills, interrupted, String.join("\n", log));
        assertThat(kills).isEqualTo(3 * rounds);
    }

    // ---- the kill and what must hold after it -----------------------------------------------------

    /**
     * Starts the CLI and kills it with SIGKILL after a random delay. Returns true when it had
     * finished (exit 0) before the kill, false when the kill stopped it.
     */
    private boolean killAt(String phase, int unusedMin, int unusedMax, String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cli(args)).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        // somewhere between "the JVM has started" and "it is about to finish" of the last run of this phase
        long full = est.get(phase);
        long delay = (long) (full * (0.35 + 0.6 * rnd.nextDouble()));
        boolean finished = p.waitFor(delay, TimeUnit.MILLISECONDS);
        if (finished) {
            est.put(phase, (System.nanoTime() - t0) / 1_000_000L);
        }
        if (!finished) {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        int exit = p.exitValue();
        kills++;
        if (finished) {
            assertThat(exit).as("%s finished before the kill: %s", phase, Files.readString(tmp.resolve("child.log"))).isZero();
            log.add(phase + ": finished before the kill at " + delay + " ms");
            return true;
        }
        log.add(phase + ": killed after " + delay + " ms (exit " + exit + ")");
        return false;
    }

    /** After a kill: the store is exactly as before, or (a commit that won the race with the kill) as after. */
    /** Runs the CLI in a child process to completion; returns its wall time in ms. */
    private long timed(String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cli(args)).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isZero();
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    private void verifyUnchanged(State before, String phase) throws Exception {
        State now = capture();
        if (!now.ids().equals(before.ids()) || now.needsBuild() != before.needsBuild()) {
            // the kill came after the commit: nothing lost, the whole change is there
            log.add(phase + ": the commit had happened before the kill");
            return;
        }
        interrupted++;
        assertThat(now).as("state after killing %s", phase).isEqualTo(before);
        Run check = quiver("check", "--db", db.toString());
        assertThat(check.code()).as("quiver check after killing %s: %s %s", phase, check.out(), check.err()).isZero();
        Run stats = quiver("stats", "--db", db.toString(), "--json", "-q");
        assertThat(stats.code()).as(stats.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(stats.out().strip());
        @SuppressWarnings("unchecked")
        Map<String, Object> ix = ((List<Map<String, Object>>) m.get("indexes")).get(0);
        assertThat((Long) ix.get("items")).isEqualTo(before.ids().getLongCardinality());
        assertThat((Boolean) ix.get("needs_build")).isEqualTo(before.needsBuild());
    }

    /** What the last commit shows: the ids, whether it needs a build, and the answers to the queries. */
    record State(RoaringBitmap ids, boolean needsBuild, List<String> answers, double recall) {}

    private State capture() {
        try (Store store = Store.open(db, StoreOptions.builder().readOnly(true).build()); ReadTxn txn = store.read()) {
            ItemStore items = ItemStore.open(txn, 0);
            RoaringBitmap ids = items.currentIds();
            boolean needsBuild = items.needsBuild();
            List<String> answers = new ArrayList<>();
            double recall = 0;
            if (needsBuild) {
                try {
                    ForestReader.open(txn, 0);
                    throw new AssertionError("a reader opened an index that needs a build");
                } catch (QuiverException e) {
                    assertThat(e.kind()).isEqualTo(ErrorKind.NEEDS_BUILD);
                }
            } else {
                ForestReader r = ForestReader.open(txn, 0);
                assertThat(r.check()).isEmpty();
                for (float[] q : queries) {
                    int[] found = r.search(q, SearchOptions.builder().k(10).searchK(1500).build()).ids();
                    answers.add(Arrays.toString(found));
                    recall += recall(found, truth(q, ids, 10));
                }
                recall /= queries.length;
            }
            return new State(ids, needsBuild, answers, recall);
        }
    }

    private int[] truth(float[] q, RoaringBitmap ids, int k) {
        float[] best = new float[k];
        int[] bestId = new int[k];
        Arrays.fill(best, Float.MAX_VALUE);
        for (int id : ids) {
            float[] v = vectors[id];
            float s = 0;
            for (int d = 0; d < DIMS; d++) {
                float x = q[d] - v[d];
                s += x * x;
            }
            if (s < best[k - 1]) {
                int i = k - 1;
                while (i > 0 && best[i - 1] > s) {
                    best[i] = best[i - 1];
                    bestId[i] = bestId[i - 1];
                    i--;
                }
                best[i] = s;
                bestId[i] = id;
            }
        }
        return bestId;
    }

    private static double recall(int[] found, int[] truth) {
        RoaringBitmap t = RoaringBitmap.bitmapOf(truth);
        int hit = 0;
        for (int f : found) {
            if (t.contains(f)) {
                hit++;
            }
        }
        return (double) hit / truth.length;
    }

    // ---- data and processes ---------------------------------------------------------------------

    private float[][] clustered(int n, Random r) {
        float[][] out = new float[n][DIMS];
        for (float[] v : out) {
            float[] c = centres[r.nextInt(centres.length)];
            for (int d = 0; d < DIMS; d++) {
                v[d] = c[d] + (float) r.nextGaussian();
            }
        }
        return out;
    }

    /** Writes BLOCK vectors with ids firstId.. as .fvecs and remembers them. */
    private Path writeBlock(int firstId, Random r) throws IOException {
        float[][] v = clustered(BLOCK, r);
        if (vectors.length < firstId + BLOCK) {
            vectors = Arrays.copyOf(vectors, firstId + BLOCK);
        }
        System.arraycopy(v, 0, vectors, firstId, BLOCK);
        if (firstId == 0) {
            expected.add(0L, BLOCK);
        }
        ByteBuffer b = ByteBuffer.allocate(BLOCK * (4 + 4 * DIMS)).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : v) {
            b.putInt(DIMS);
            for (float x : row) {
                b.putFloat(x);
            }
        }
        Path f = tmp.resolve("block" + firstId + ".fvecs");
        Files.write(f, b.array());
        return f;
    }

    static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(QuiverCli.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    record Run(int code, String out, String err) {}

    static Run quiver(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuiverCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run ok(String... args) {
        Run r = quiver(args);
        assertThat(r.code()).as("quiver %s: %s %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }
}
