package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import io.quiver.testing.Vectors;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;

/**
 * Bad input gives a {@link QuiverException} of the right kind with a message that says what and
 * where, and leaves the committed data exactly as it was: bad vectors, corrupt, truncated and
 * foreign files (read in a child JVM, so a native crash would show as a failed exit code rather
 * than take the test JVM down), a store opened twice, read-only directories and a full disk.
 */
class BadInputTest {
    private static final int N = 2000;
    private static final int DIMS = 16;

    @TempDir
    Path tmp;
    Path db;
    float[][] base;
    float[][] queries;

    @BeforeEach
    void setUp() {
        db = tmp.resolve("db");
        base = Vectors.clustered(N, DIMS, 8, 5);
        queries = Vectors.clustered(10, DIMS, 8, 6);
        try (Store store = Store.open(db)) {
            Rel.buildForest(store, base, 8);
        }
    }

    /** The answers of the committed state: ids of every query, then the item count. */
    private List<String> snapshot(Store store) {
        List<String> out = new ArrayList<>();
        try (ReadTxn txn = store.read()) {
            ForestReader r = ForestReader.open(txn, 0);
            for (float[] q : queries) {
                out.add(Arrays.toString(r.search(q, SearchOptions.k(10)).ids()));
            }
            out.add("items=" + ItemStore.open(txn, 0).currentIds().getLongCardinality());
            out.add("problems=" + r.check());
        }
        return out;
    }

    private static QuiverException expect(ErrorKind kind, String text, ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).as("expected a QuiverException %s", kind).isInstanceOf(QuiverException.class);
        QuiverException q = (QuiverException) t;
        assertThat(q.kind()).as(q.getMessage()).isEqualTo(kind);
        assertThat(q.getMessage()).isNotBlank().doesNotContain("\n").containsIgnoringCase(text);
        return q;
    }

    @Test
    void badVectorsAbortTheirTransactionAndLeaveCommittedDataIntact() {
        try (Store store = Store.open(db)) {
            List<String> before = snapshot(store);
            float[] good = base[0].clone();
            float[][] bad = {new float[DIMS + 1], new float[DIMS - 1], new float[0], withValue(Float.NaN),
                withValue(Float.POSITIVE_INFINITY), withValue(Float.NEGATIVE_INFINITY), withValue(1e19f)};
            ErrorKind[] kinds = {ErrorKind.WRONG_DIMENSIONS, ErrorKind.WRONG_DIMENSIONS, ErrorKind.INVALID_VECTOR, ErrorKind.INVALID_VECTOR,
                ErrorKind.INVALID_VECTOR, ErrorKind.INVALID_VECTOR, ErrorKind.INVALID_VECTOR};
            String[] texts = {"dimensions", "dimensions", "empty", "NaN", "Infinity", "Infinity", "squared norm"};
            for (int i = 0; i < bad.length; i++) {
                float[] v = bad[i];
                // the good additions and deletions before the bad vector must vanish with the transaction
                QuiverException added = expect(kinds[i], texts[i], () -> store.write(txn -> {
                    ForestWriter w = ForestWriter.open(txn, 0);
                    w.add(N + 1, good);
                    w.delete(3);
                    w.add(N + 2, v);
                    w.build(ForestBuildOptions.defaults());
                }));
                // named, for a library caller (the command line adds file and line)
                assertThat(added.getMessage()).startsWith("index 0, item " + (N + 2) + ": ");
                try (ReadTxn txn = store.read()) {
                    ForestReader r = ForestReader.open(txn, 0);
                    assertThat(expect(kinds[i], texts[i], () -> r.search(v, SearchOptions.k(5))).getMessage()).startsWith("index 0, query: ");
                }
                assertThat(snapshot(store)).as("after the bad vector %s", Arrays.toString(v)).isEqualTo(before);
            }
            // a dimension count that does not match the existing index
            expect(ErrorKind.INDEX_MISMATCH, "dimensions", () -> store.write(txn -> ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS + 1)));
            expect(ErrorKind.INVALID_ARGUMENT, "dimensions", () -> store.write(txn -> ForestWriter.create(txn, 1, DistanceKind.EUCLIDEAN, 0)));
            assertThat(snapshot(store)).isEqualTo(before);
        }
    }

    private float[] withValue(float x) {
        float[] v = base[1].clone();
        v[DIMS / 2] = x;
        return v;
    }

    @Test
    void aStoreOpenedTwiceInOneProcessIsAlreadyOpen() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), db);
        try (Store store = Store.open(db)) {
            List<String> before = snapshot(store);
            expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(db));
            expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(db.resolve(".").resolve("..").resolve("db")));
            expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(link));
            expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(link, StoreOptions.builder().readOnly(true).build()));
            assertThat(snapshot(store)).isEqualTo(before);
        }
        try (Store again = Store.open(link)) {
            assertThat(again.isClosed()).isFalse();
        }
    }

    /**
     * Renamed while open, a store opened again under its new name (the check compared real
     * paths), and closing the second dropped the first one's reader locks: a live snapshot then
     * read every item as gone once another process wrote (a review helper's run). A bind mount
     * reaches it the same way; the check now compares the directory's identity.
     */
    @Test
    void aStoreRenamedWhileOpenIsStillAlreadyOpen() throws IOException {
        Path moved = tmp.resolve("moved");
        try (Store store = Store.open(db)) {
            List<String> before = snapshot(store);
            Files.move(db, moved);
            try {
                expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(moved));
                expect(ErrorKind.ALREADY_OPEN, "already open", () -> Store.open(moved, StoreOptions.builder().readOnly(true).build()));
            } finally {
                Files.move(moved, db);
            }
            assertThat(snapshot(store)).isEqualTo(before);
        }
    }

    // ---- damaged and foreign files, read by a child JVM --------------------------------------------

    record Probe(int exit, String line) {}

    private Probe probe(Path dir) throws Exception {
        Process p = new ProcessBuilder(Rel.java(StoreProbe.class, dir.toString())).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe of " + dir + " hung");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        String line = text.lines().filter(l -> l.startsWith("OK") || l.startsWith("QUIVER") || l.startsWith("OTHER")).findFirst().orElse(text);
        return new Probe(p.exitValue(), line);
    }

    /** The probe exits cleanly: a QuiverException of one of {@code kinds}, never a crash or another exception. */
    private void expectProbeFails(Path dir, String what, ErrorKind... kinds) throws Exception {
        Probe p = probe(dir);
        assertThat(p.exit()).as("%s: the probe must fail cleanly (exit 3), got %s: %s", what, p.exit(), p.line()).isEqualTo(3);
        assertThat(Arrays.stream(kinds).anyMatch(k -> p.line().startsWith("QUIVER " + k + " "))).as("%s: %s", what, p.line()).isTrue();
    }

    /**
     * Under an address-space limit below the default 64 GiB map, every open failed with LMDB's
     * ENOMEM, whatever the store's size (a review helper's 32 MiB store under 19 GiB): the map is
     * now the largest the limit allows.
     */
    @Test
    void aStoreOpensUnderAnAddressSpaceLimit() throws Exception {
        assertThat(underAddressSpaceLimit(16_000_000, StoreProbe.class, db.toString())).contains("OK items=" + N + " problems=0");
    }

    /**
     * A map growth the address space cannot hold: LMDB unmapped the old map, failed to map the new
     * one and kept none, and the next transaction crashed the JVM (SIGSEGV; a review helper's run
     * under ulimit -v). The growth is now cut to what fits. Here a 1 MiB map asks to grow 100,000
     * times, far beyond an 8 GB limit.
     */
    @Test
    void aMapGrowthBeyondTheAddressSpaceLimitIsCutToWhatFits() throws Exception {
        Path store = tmp.resolve("grown-under-limit");
        String out = underAddressSpaceLimit(8_000_000, GrowerProcess.class, store.toString(), "64", Integer.toString(64 * 1024), "8", "0", "100000");
        assertThat(out).contains("DONE resizes=");
    }

    /** Runs {@code main} in a child JVM under {@code ulimit -v kib}; returns its output once it exited 0. */
    private static String underAddressSpaceLimit(long kib, Class<?> main, String... args) throws Exception {
        StringBuilder cmd = new StringBuilder("ulimit -v " + kib + " && exec");
        for (String a : Rel.java(main, args)) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append("'");
        }
        Process p = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private Path copyOfStore(String name) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.copy(db.resolve("data.mdb"), d.resolve("data.mdb"));
        return d;
    }

    @Test
    void dataFileCutBeforeItsMetaPagesFailsCleanly() throws Exception {
        assertThat(probe(db).line()).startsWith("OK items=" + N + " problems=0");
        for (long keep : new long[] {4096, 100}) {
            Path d = copyOfStore("cut" + keep);
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("data.mdb").toFile(), "rw")) {
                f.setLength(keep);
            }
            expectProbeFails(d, "data.mdb cut to " + keep + " bytes", ErrorKind.CORRUPTED, ErrorKind.FOREIGN_FILE, ErrorKind.NOT_FOUND);
        }
    }

    /**
     * LMDB reads pages through the map, and a page past the end of a truncated file would raise
     * SIGBUS in native code and kill the JVM. Store walks a short file's pages first: when pages
     * in use are gone it fails with CORRUPTED and leaves the file as it was (the same answer on
     * every open); when only free pages were cut it reads in full. Never a crash.
     */
    @Test
    void truncatedDataFileFailsCleanly() throws Exception {
        assertThat(probe(db).line()).startsWith("OK items=" + N + " problems=0");
        long size = Files.size(db.resolve("data.mdb"));
        for (long keep : new long[] {size / 2, size - 10 * 4096, size - 4096, 3 * 4096}) {
            Path d = copyOfStore("trunc" + keep);
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("data.mdb").toFile(), "rw")) {
                f.setLength(keep);
            }
            String what = "data.mdb truncated to " + keep + " of " + size + " bytes";
            if (keep >= size - 4096) {
                // The last page may be a free one: then nothing is lost and the store must read
                // in full; otherwise it must fail cleanly. Never a crash.
                Probe p = probe(d);
                assertThat(p.exit()).as("%s: %s", what, p.line()).isIn(0, 3);
                if (p.exit() == 0) {
                    assertThat(p.line()).as(what).startsWith("OK items=" + N + " problems=0");
                }
            } else {
                expectProbeFails(d, what, ErrorKind.CORRUPTED);
                assertThat(Files.size(d.resolve("data.mdb"))).as("%s: the file is left as it was", what).isEqualTo(keep);
                expectProbeFails(d, what + ", opened again", ErrorKind.CORRUPTED);
            }
        }
    }

    @Test
    void randomBytesAndOtherFilesAreForeign() throws Exception {
        Random r = new Random(3);
        byte[] noise = new byte[64 * 1024];
        r.nextBytes(noise);
        Path d = Files.createDirectories(tmp.resolve("noise"));
        Files.write(d.resolve("data.mdb"), noise);
        expectProbeFails(d, "random bytes", ErrorKind.FOREIGN_FILE);
        expect(ErrorKind.FOREIGN_FILE, "not an LMDB file", () -> Store.open(d).close());

        Path text = Files.createDirectories(tmp.resolve("text"));
        Files.writeString(text.resolve("data.mdb"), "id,x,y\n1,2,3\n".repeat(2000));
        expect(ErrorKind.FOREIGN_FILE, "not an LMDB file", () -> Store.open(text).close());

        Path file = Files.writeString(tmp.resolve("plain.txt"), "hello");
        expect(ErrorKind.FOREIGN_FILE, "not a store directory", () -> Store.open(file).close());
    }

    @Test
    void lmdbFilesOfOtherProgramsAreForeign() throws Exception {
        // another program's LMDB environment: a named database other than Quiver's
        Path other = Files.createDirectories(tmp.resolve("other"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).setMaxDbs(2).open(other.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi("sessions", DbiFlags.MDB_CREATE);
            ByteBuffer k = ByteBuffer.allocateDirect(8).putLong(42).flip();
            ByteBuffer v = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.UTF_8)).flip();
            dbi.put(k, v);
        }
        long size = Files.size(other.resolve("data.mdb"));
        expect(ErrorKind.FOREIGN_FILE, "not written by Quiver", () -> Store.open(other).close());
        expectProbeFails(other, "another program's LMDB file", ErrorKind.FOREIGN_FILE);
        assertThat(Files.size(other.resolve("data.mdb"))).as("the foreign file is left alone").isEqualTo(size);
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).setMaxDbs(2).open(other.toFile())) {
            assertThat(env.getDbiNames()).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("sessions");
        }

        // an LMDB file that uses a database called "quiver" for something else
        Path impostor = Files.createDirectories(tmp.resolve("impostor"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).setMaxDbs(2).open(impostor.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi("quiver", DbiFlags.MDB_CREATE);
            for (int i = 0; i < 10; i++) {
                ByteBuffer k = ByteBuffer.allocateDirect(7);
                k.putShort((short) (i == 0 ? 0xFFFF : i)).put((byte) 0).putInt(0).flip();
                dbi.put(k, ByteBuffer.allocateDirect(8).putLong(-1).flip());
            }
        }
        expect(ErrorKind.FOREIGN_FILE, "did not write", () -> Store.open(impostor).close());
        expect(ErrorKind.FOREIGN_FILE, "did not write", () -> Store.open(impostor, StoreOptions.builder().readOnly(true).build()).close());

        // another program's database of sorted duplicates, a layout Quiver never writes
        Path dups = Files.createDirectories(tmp.resolve("dups"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).setMaxDbs(2).open(dups.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi("tags", DbiFlags.MDB_CREATE, DbiFlags.MDB_DUPSORT);
            for (int i = 0; i < 50; i++) {
                dbi.put(ByteBuffer.allocateDirect(4).putInt(i % 5).flip(), ByteBuffer.allocateDirect(4).putInt(i).flip());
            }
        }
        expect(ErrorKind.FOREIGN_FILE, "not written by Quiver", () -> Store.open(dups).close());

        // a database named "quiver" of another program's 4-byte integer keys (a walk that read
        // integer keys only as 8 bytes called it damaged)
        Path ints = Files.createDirectories(tmp.resolve("ints"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).setMaxDbs(2).open(ints.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi("quiver", DbiFlags.MDB_CREATE, DbiFlags.MDB_INTEGERKEY);
            for (int i : new int[] {1, 256, 70_000}) {
                dbi.put(ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder()).putInt(i).flip(), ByteBuffer.allocateDirect(4).putInt(i).flip());
            }
        }
        expect(ErrorKind.FOREIGN_FILE, "did not write", () -> Store.open(ints).close());

        // a plain key "quiver" in the main database, which LMDB will not open as a database
        Path key = Files.createDirectories(tmp.resolve("key"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).open(key.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi((byte[]) null, DbiFlags.MDB_CREATE);
            dbi.put(ByteBuffer.allocateDirect(6).put("quiver".getBytes(StandardCharsets.UTF_8)).flip(), ByteBuffer.allocateDirect(4).putInt(2).flip());
        }
        expect(ErrorKind.FOREIGN_FILE, "not written by Quiver", () -> Store.open(key).close());

        // data in the unnamed main database
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 24).open(plain.toFile())) {
            Dbi<ByteBuffer> dbi = env.openDbi((byte[]) null, DbiFlags.MDB_CREATE);
            dbi.put(ByteBuffer.allocateDirect(4).putInt(1).flip(), ByteBuffer.allocateDirect(4).putInt(2).flip());
        }
        expect(ErrorKind.FOREIGN_FILE, "not written by Quiver", () -> Store.open(plain).close());
    }

    @Test
    void aDamagedHeaderIsCorruptionNotAForeignFile() throws Exception {
        // The store header is the first key (0x0000, value "QVR" + version). A bit flipped in that
        // key hides the header just as another program's database named "quiver" would lack it;
        // before, that read as FOREIGN_FILE. The key is now out of order, which the page walk sees.
        Path d = copyOfStore("header");
        byte[] file = Files.readAllBytes(d.resolve("data.mdb"));
        // node header: data size 5 (lo, hi), flags 0, key size 2; key 00 00; data 'Q' 'V' 'R'
        byte[] node = {5, 0, 0, 0, 0, 0, 2, 0, 0, 0, 'Q', 'V', 'R'};
        // every copy: free pages keep earlier versions of the leaf
        int copies = 0;
        try (RandomAccessFile f = new RandomAccessFile(d.resolve("data.mdb").toFile(), "rw")) {
            for (int i = 0; i + node.length <= file.length; i++) {
                if (Arrays.equals(file, i, i + node.length, node, 0, node.length)) {
                    f.seek(i + 9);
                    f.write(1);
                    copies++;
                }
            }
        }
        assertThat(copies).as("copies of the header's node").isPositive();
        expect(ErrorKind.CORRUPTED, "keys", () -> Store.open(d).close());
        expectProbeFails(d, "a damaged header key", ErrorKind.CORRUPTED);
    }

    /**
     * Garbage inside stored vectors (a bad disk block, a stray write) is found by check and never
     * crashes a search. Only values are corrupted: LMDB keeps no page checksums and trusts its
     * B-tree pages, so garbage in a page header or node header can crash the process inside LMDB
     * (seen: SIGSEGV in mdb_xcursor_init1); Quiver cannot guard against that (docs/ARCHITECTURE.md).
     */
    @Test
    void corruptedVectorsFailCleanly() throws Exception {
        byte[] file = Files.readAllBytes(db.resolve("data.mdb"));
        Random r = new Random(9);
        int crashes = 0;
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            Path d = copyOfStore("corrupt" + round);
            int hit = 0;
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("data.mdb").toFile(), "rw")) {
                for (int i = 0; i < 64; i++) {
                    float[] v = base[r.nextInt(N)];
                    ByteBuffer pattern = ByteBuffer.allocate(4 * DIMS).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (float x : v) {
                        pattern.putFloat(x);
                    }
                    // every copy: pages of older transactions may still hold one
                    long garbage = i % 2 == 0 ? r.nextLong() : 0x0000C07F0000C07FL; // two little-endian NaNs
                    int offset = 4 * r.nextInt(DIMS - 1);
                    for (int at = indexOf(file, pattern.array(), 0); at >= 0; at = indexOf(file, pattern.array(), at + 1)) {
                        // random bytes (usually finite floats: a valid vector, just wrong) or NaNs
                        f.seek(at + offset);
                        f.writeLong(garbage);
                        hit++;
                    }
                }
            }
            assertThat(hit).as("vectors found in the file").isGreaterThan(32);
            Probe p = probe(d);
            outcomes.add(p.exit() + ": " + p.line());
            if (p.exit() != 0 && p.exit() != 3) {
                crashes++;
            } else if (p.exit() == 0) {
                assertThat(p.line()).as("check finds the NaN components").doesNotContain("problems=0");
            }
        }
        assertThat(crashes).as("corrupt vectors crashed the reader: %s", outcomes).isZero();
    }

    @Test
    void aVectorTooLargeForFloatDistancesStoredByAnEarlierVersionIsReportedByCheck() {
        try (Store store = Store.open(db)) {
            store.write(txn -> {
                // what add wrote before it refused such vectors
                float[] huge = base[7].clone();
                huge[0] = 1e20f;
                ByteBuffer item = ByteBuffer.allocate(DistanceKind.EUCLIDEAN.create(DIMS).itemBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                DistanceKind.EUCLIDEAN.create(DIMS).encode(huge, item);
                txn.put(0, io.quiver.storage.KeyKind.ITEM, 7, item.array());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(ForestReader.open(txn, 0).check()).anySatisfy(p -> assertThat(p).contains("7").contains("stored before such vectors were refused"));
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- read-only --------------------------------------------------------------------------------

    @Test
    void readOnlyStoresRefuseWritesAndStillSearch() {
        try (Store store = Store.open(db, StoreOptions.builder().readOnly(true).build())) {
            List<String> before = snapshot(store);
            expect(ErrorKind.READ_ONLY, "read-only", () -> store.write(txn -> { }));
            expect(ErrorKind.READ_ONLY, "read-only", store::beginWrite);
            assertThat(snapshot(store)).isEqualTo(before);
        }
        expect(ErrorKind.NOT_FOUND, "no store", () -> Store.open(tmp.resolve("absent"), StoreOptions.builder().readOnly(true).build()));
    }

    @Test
    void aReadOnlyMountRefusesWritesClearlyAndStillSearches() throws Exception {
        Path mnt = tmp.resolve("ro-mount");
        assumeThat(Rel.mountTmpfs(mnt, "64m")).as("mounting a tmpfs needs root and a permissive sandbox").isTrue();
        try {
            Path d = Files.createDirectories(mnt.resolve("db"));
            Files.copy(db.resolve("data.mdb"), d.resolve("data.mdb"));
            assumeThat(Rel.remountReadOnly(mnt)).as("remount read-only").isTrue();
            expect(ErrorKind.READ_ONLY, "not writable", () -> Store.open(d).close());
            expect(ErrorKind.READ_ONLY, "", () -> Store.open(mnt.resolve("new-store")).close());
            // LMDB reads there without registering its snapshots: only when the caller says nothing writes the store
            expect(ErrorKind.READ_ONLY, "read-only file system", () -> Store.open(d, StoreOptions.builder().readOnly(true).create(false).build()).close());
            try (Store store = Store.open(d, StoreOptions.builder().readOnly(true).create(false).immutable(true).build())) {
                assertThat(snapshot(store)).contains("items=" + N, "problems=[]");
            }
        } finally {
            Rel.unmount(mnt);
        }
    }

    /**
     * A read-only bind mount of a store that is written through its own path: the JDK reads such
     * a mount as writable, and a read-only open there went on without registering its snapshots
     * (a review helper's run). Refused like any read-only file system, unless immutable.
     */
    @Test
    void aReadOnlyBindMountOfAWrittenStoreIsRefusedUnlessImmutable() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("ro-bind"));
        assumeThat(Rel.sh("mount", "--bind", db.toString(), mnt.toString())).as("bind mounts need root and a permissive sandbox").isTrue();
        try {
            assumeThat(Rel.sh("mount", "-o", "remount,bind,ro", mnt.toString())).as("remount the bind mount read-only").isTrue();
            expect(ErrorKind.READ_ONLY, "read-only file system", () -> Store.open(mnt, StoreOptions.builder().readOnly(true).create(false).build()).close());
            try (Store store = Store.open(mnt, StoreOptions.builder().readOnly(true).create(false).immutable(true).build())) {
                assertThat(snapshot(store)).contains("items=" + N, "problems=[]");
            }
        } finally {
            Rel.unmount(mnt);
        }
    }

    // ---- a full disk ------------------------------------------------------------------------------

    /**
     * LMDB sizes lock.mdb sparse and writes it through a map: on a full disk, opening a store
     * whose lock file had to be made (a restored backup has none) killed the JVM with SIGBUS
     * (a review helper's full tmpfs), for writers and read-only opens alike. Its blocks are now
     * reserved first: a clean DISK_FULL, and the store opens once there is room.
     */
    @Test
    void aFullDiskRefusesToMakeTheLockFileInsteadOfCrashing() throws Exception {
        Path mnt = tmp.resolve("full-disk");
        assumeThat(Rel.mountTmpfs(mnt, "4m")).as("mounting a tmpfs needs root and a permissive sandbox").isTrue();
        try {
            Path small = tmp.resolve("small");
            try (Store store = Store.open(small)) {
                store.write(txn -> txn.put(0, KeyKind.ITEM, 1, new byte[] {1, 2, 3}));
            }
            Path d = Files.createDirectories(mnt.resolve("db"));
            Files.copy(small.resolve("data.mdb"), d.resolve("data.mdb"));
            Path filler = mnt.resolve("filler");
            try (var out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                    out.flush();
                }
            } catch (IOException full) {
                // the file system is full now
            }
            expect(ErrorKind.DISK_FULL, "lock file", () -> Store.open(d).close());
            expect(ErrorKind.DISK_FULL, "lock file", () -> Store.open(d, StoreOptions.builder().readOnly(true).build()).close());
            Files.delete(filler);
            try (Store store = Store.open(d, StoreOptions.builder().readOnly(true).build()); ReadTxn txn = store.read()) {
                assertThat(txn.get(0, KeyKind.ITEM, 1)).isNotNull();
            }
        } finally {
            Rel.unmount(mnt);
        }
    }

    @Test
    void aFullDiskIsDiskFullAndCommittedDataStaysReadable() throws Exception {
        Path mnt = tmp.resolve("small-disk");
        assumeThat(Rel.mountTmpfs(mnt, "8m")).as("mounting a tmpfs needs root and a permissive sandbox").isTrue();
        try {
            Path d = mnt.resolve("db");
            int valueBytes = 64 * 1024;
            int committed = 0;
            QuiverException failure = null;
            try (Store store = Store.open(d)) {
                for (int txnNo = 0; txnNo < 1000 && failure == null; txnNo++) {
                    int from = committed;
                    try {
                        store.write(txn -> {
                            for (int id = from; id < from + 8; id++) {
                                ByteBuffer out = txn.reserve(0, KeyKind.ITEM, id, valueBytes);
                                out.putInt(0, id).putInt(valueBytes - 4, id);
                            }
                        });
                        committed += 8;
                    } catch (QuiverException e) {
                        failure = e;
                    }
                }
                assertThat(failure).as("writing 64 MB into an 8 MiB file system must fail").isNotNull();
                assertThat(failure.kind()).as(failure.getMessage()).isIn(ErrorKind.DISK_FULL, ErrorKind.MAP_FULL);
                assertThat(failure.getMessage()).containsAnyOf("no space left", "full").contains(d.toString());
                assertThat(committed).isPositive();
                // the same store still reads what was committed
                assertThat(countValues(store, valueBytes)).isEqualTo(committed);
            }
            try (Store store = Store.open(d, StoreOptions.builder().readOnly(true).build())) {
                assertThat(countValues(store, valueBytes)).isEqualTo(committed);
            }
            // and a writer that reopens it can still commit small changes (or fails as cleanly)
            try (Store store = Store.open(d)) {
                try {
                    store.write(txn -> txn.delete(0, KeyKind.ITEM, 0));
                    assertThat(countValues(store, valueBytes)).isEqualTo(committed - 1);
                } catch (QuiverException e) {
                    assertThat(e.kind()).isIn(ErrorKind.DISK_FULL, ErrorKind.MAP_FULL);
                    assertThat(countValues(store, valueBytes)).isEqualTo(committed);
                }
            }
        } finally {
            Rel.unmount(mnt);
        }
    }

    private static int countValues(Store store, int valueBytes) {
        int[] n = {0};
        try (ReadTxn txn = store.read()) {
            txn.scan(0, KeyKind.ITEM, (id, level, v) -> {
                assertThat(v.remaining()).isEqualTo(valueBytes);
                assertThat(v.getInt(0)).isEqualTo(id);
                assertThat(v.getInt(valueBytes - 4)).isEqualTo(id);
                n[0]++;
                return true;
            });
        }
        return n[0];
    }

    @Test
    void unknownIndexAndItem() {
        try (Store store = Store.open(db)) {
            try (ReadTxn txn = store.read()) {
                expect(ErrorKind.UNKNOWN_INDEX, "index 7", () -> ForestReader.open(txn, 7));
                expect(ErrorKind.INVALID_ARGUMENT, "index number", () -> ForestReader.open(txn, 70000));
                ForestReader r = ForestReader.open(txn, 0);
                expect(ErrorKind.UNKNOWN_ITEM, "item 4294967295", () -> r.searchItem(-1, SearchOptions.k(3)));
                expect(ErrorKind.INVALID_ARGUMENT, "k", () -> SearchOptions.k(0));
            }
        }
    }
}
