package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.quiver.distance.Distance;
import io.quiver.index.IndexMetadata;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.Vectors;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.Example;
import org.roaringbitmap.RoaringBitmap;

/**
 * Random and mutated bytes written raw (with {@code WriteTxn.put}) under the keys of a real forest
 * — item vectors, tree nodes, index metadata, the built item set, forest metadata — must make
 * readers, search, stats and check either work with sound answers or fail with a
 * {@link QuiverException}: never another exception, a JVM crash, a hang, or a silently wrong
 * result (ids that are not live, duplicates, unsorted or misreported distances).
 *
 * <p>One store (on /dev/shm when present) serves every try: each try commits its garbage, reads,
 * then commits the original value back.
 */
class CodecFuzzTest {
    private static final int N = 400;
    private static final int DIMS = 8;
    /** The type byte of the split nodes builds write (TreeNodes.PLANE8: an int8 plane). */
    private static final byte SPLIT = 3;
    private static Fixture fixture;
    private static final ExecutorService EXEC = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-reader");
        t.setDaemon(true);
        return t;
    });

    /** The store and what it looked like when built. */
    record Fixture(Path dir, Store store, float[][] vectors, int[] nodeIds, float[][] queries) {}

    enum Target { ITEM, TREE_NODE, INDEX_METADATA, ITEM_SET, FOREST_METADATA }

    static synchronized Fixture fixture() throws Exception {
        if (fixture == null) {
            Path dir = Rel.fastDir(Path.of(System.getProperty("java.io.tmpdir")), "quiver-fuzz");
            Store store = Store.open(dir.resolve("db"));
            float[][] v = Vectors.clustered(N, DIMS, 6, 11);
            store.write(txn -> {
                ForestWriter w = ForestWriter.create(txn, 0, io.quiver.distance.DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < N; i++) {
                    w.add(i, v[i]);
                }
                w.build(ForestBuildOptions.builder().nTrees(3).splitAfter(16).seed(3).threads(1).build());
            });
            RoaringBitmap nodes = new RoaringBitmap();
            try (ReadTxn txn = store.read()) {
                txn.scan(0, KeyKind.TREE_NODE, (id, level, value) -> {
                    nodes.add(id);
                    return true;
                });
            }
            fixture = new Fixture(dir, store, v, nodes.toArray(), Vectors.clustered(8, DIMS, 6, 12));
        }
        return fixture;
    }

    @AfterContainer
    static synchronized void closeFixture() {
        if (fixture != null) {
            try {
                fixture.store().close();
                Rel.deleteTree(fixture.dir());
            } catch (IllegalStateException e) {
                // a reader that hung (already reported as a failure) still holds its transaction
            }
            fixture = null;
        }
    }

    // ---- properties -----------------------------------------------------------------------------

    @Property(tries = 150)
    void itemValues(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode) throws Exception {
        corruptAndRead(Target.ITEM, seed, mode);
    }

    @Property(tries = 300)
    void treeNodes(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode) throws Exception {
        corruptAndRead(Target.TREE_NODE, seed, mode);
    }

    @Property(tries = 120)
    void indexMetadata(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode) throws Exception {
        corruptAndRead(Target.INDEX_METADATA, seed, mode);
    }

    @Property(tries = 120)
    void builtItemSet(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode) throws Exception {
        corruptAndRead(Target.ITEM_SET, seed, mode);
    }

    @Property(tries = 200)
    void forestMetadata(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode) throws Exception {
        corruptAndRead(Target.FOREST_METADATA, seed, mode);
    }

    @Property(tries = 4000)
    @Tag("slow")
    void everythingLong(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int mode, @ForAll Target target) throws Exception {
        corruptAndRead(target, seed, mode);
    }

    // ---- the hand-written cases the brief names --------------------------------------------------

    @Example
    void leafCountLargerThanTheValueIsCorruptedNotACrash() throws Exception {
        Fixture f = fixture();
        int leaf = findNode(f, (byte) 0);
        ByteBuffer orig = committed(f, KeyKind.TREE_NODE, leaf);
        int count = orig.getInt(2);
        // 4 * (count + 2^30) overflows to 4 * count: the size check must not be fooled.
        for (int fake : new int[] {count + (1 << 30), count + (1 << 30) * 2, count + (1 << 30) * 3, count + 1, Integer.MAX_VALUE, -1}) {
            ByteBuffer v = copy(orig);
            v.putInt(2, fake);
            expectCorrupted(f, KeyKind.TREE_NODE, leaf, bytes(v), orig);
        }
    }

    @Example
    void splitChildPointingToAMissingNodeIsCorrupted() throws Exception {
        Fixture f = fixture();
        int split = findNode(f, SPLIT);
        ByteBuffer orig = committed(f, KeyKind.TREE_NODE, split);
        int missing = f.nodeIds()[f.nodeIds().length - 1] + 1000;
        for (int off : new int[] {2, 6}) {
            ByteBuffer v = copy(orig);
            v.putInt(off, missing);
            expectCorrupted(f, KeyKind.TREE_NODE, split, bytes(v), orig);
        }
    }

    /** An int8 split plane's scale (at byte 18) that is not a finite non-negative float, or a wrong size. */
    @Example
    void int8PlaneWithABadScaleOrSizeIsCorrupted() throws Exception {
        Fixture f = fixture();
        int split = findNode(f, SPLIT);
        ByteBuffer orig = committed(f, KeyKind.TREE_NODE, split);
        for (float scale : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.5f}) {
            ByteBuffer v = copy(orig);
            v.putFloat(18, scale);
            expectCorrupted(f, KeyKind.TREE_NODE, split, bytes(v), orig);
        }
        byte[] b = bytes(orig);
        expectCorrupted(f, KeyKind.TREE_NODE, split, java.util.Arrays.copyOf(b, b.length - 1), orig);
        expectCorrupted(f, KeyKind.TREE_NODE, split, java.util.Arrays.copyOf(b, b.length + 1), orig);
    }

    @Example
    void cyclesAreCorruptedNotAHang() throws Exception {
        Fixture f = fixture();
        int split = findNode(f, SPLIT);
        ByteBuffer orig = committed(f, KeyKind.TREE_NODE, split);
        // both children the node itself: no leaf is ever reached below it
        ByteBuffer v = copy(orig);
        v.putInt(2, split);
        v.putInt(6, split);
        expectCorrupted(f, KeyKind.TREE_NODE, split, bytes(v), orig);
        // one child the node itself
        v = copy(orig);
        v.putInt(6, split);
        expectCorrupted(f, KeyKind.TREE_NODE, split, bytes(v), orig);
        // a root pointing back to the root of the same tree from its left child
        int root = rootOfTree0(f);
        ByteBuffer rootOrig = committed(f, KeyKind.TREE_NODE, root);
        if (rootOrig.get(1) == SPLIT) {
            v = copy(rootOrig);
            v.putInt(2, root);
            expectCorrupted(f, KeyKind.TREE_NODE, root, bytes(v), rootOrig);
        }
    }

    @Example
    void sharedSubtreesAreCorruptedNotExponential() throws Exception {
        Fixture f = fixture();
        // point both children of every split node at its left child: a DAG whose walk doubles per level
        List<Integer> splits = new ArrayList<>();
        try (ReadTxn txn = f.store().read()) {
            for (int id : f.nodeIds()) {
                ByteBuffer v = txn.get(0, KeyKind.TREE_NODE, id);
                if (v.get(1) == SPLIT) {
                    splits.add(id);
                }
            }
        }
        List<byte[]> originals = new ArrayList<>();
        try (ReadTxn txn = f.store().read()) {
            for (int id : splits) {
                originals.add(bytes(txn.get(0, KeyKind.TREE_NODE, id)));
            }
        }
        try {
            f.store().write(txn -> {
                for (int i = 0; i < splits.size(); i++) {
                    ByteBuffer v = ByteBuffer.wrap(originals.get(i).clone()).order(ByteOrder.LITTLE_ENDIAN);
                    v.putInt(6, v.getInt(2));
                    txn.put(0, KeyKind.TREE_NODE, splits.get(i), v.array());
                }
            });
            Outcome o = exercise(f);
            assertThat(o.failure() != null || !o.problems().isEmpty()).as("shared subtrees detected").isTrue();
            if (o.failure() != null) {
                assertThat(o.failure().kind()).isEqualTo(ErrorKind.CORRUPTED);
            }
        } finally {
            f.store().write(txn -> {
                for (int i = 0; i < splits.size(); i++) {
                    txn.put(0, KeyKind.TREE_NODE, splits.get(i), originals.get(i));
                }
            });
        }
        assertThat(exercise(f).problems()).isEmpty();
    }

    // ---- machinery -----------------------------------------------------------------------------

    private static int findNode(Fixture f, byte type) {
        try (ReadTxn txn = f.store().read()) {
            for (int id : f.nodeIds()) {
                if (txn.get(0, KeyKind.TREE_NODE, id).get(1) == type) {
                    return id;
                }
            }
        }
        throw new AssertionError("no node of type " + type);
    }

    private static int rootOfTree0(Fixture f) {
        try (ReadTxn txn = f.store().read()) {
            ByteBuffer v = txn.get(0, KeyKind.METADATA, IndexMetadata.FOREST);
            return v.getInt(17);
        }
    }

    private static ByteBuffer committed(Fixture f, KeyKind kind, int id) {
        try (ReadTxn txn = f.store().read()) {
            ByteBuffer v = txn.get(0, kind, id);
            return v == null ? null : copy(v);
        }
    }

    private static ByteBuffer copy(ByteBuffer v) {
        ByteBuffer c = ByteBuffer.allocate(v.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        c.put(v.duplicate());
        return c.flip();
    }

    private static byte[] bytes(ByteBuffer v) {
        byte[] b = new byte[v.remaining()];
        v.duplicate().get(b);
        return b;
    }

    /** Writes {@code garbage}, expects CORRUPTED from opening, searching or checking (a problem list counts), restores. */
    private static void expectCorrupted(Fixture f, KeyKind kind, int id, byte[] garbage, ByteBuffer orig) throws Exception {
        f.store().write(txn -> txn.put(0, kind, id, garbage));
        try {
            Outcome o = exercise(f);
            assertThat(o.failure() != null || !o.problems().isEmpty())
                    .as("corrupting %s %d must be detected (searches ran: %s)", kind, id, o.searched()).isTrue();
            if (o.failure() != null) {
                assertThat(o.failure().kind()).as(o.failure().getMessage()).isEqualTo(ErrorKind.CORRUPTED);
            }
        } finally {
            f.store().write(txn -> txn.put(0, kind, id, bytes(orig)));
        }
    }

    private static void corruptAndRead(Target target, long seed, int mode) throws Exception {
        Fixture f = fixture();
        Random r = new Random(seed);
        KeyKind kind;
        int id;
        switch (target) {
            case ITEM -> {
                kind = KeyKind.ITEM;
                id = r.nextInt(N);
            }
            case TREE_NODE -> {
                kind = KeyKind.TREE_NODE;
                id = f.nodeIds()[r.nextInt(f.nodeIds().length)];
            }
            case INDEX_METADATA -> {
                kind = KeyKind.METADATA;
                id = IndexMetadata.MAIN;
            }
            case ITEM_SET -> {
                kind = KeyKind.METADATA;
                id = IndexMetadata.ITEMS;
            }
            default -> {
                kind = KeyKind.METADATA;
                id = IndexMetadata.FOREST;
            }
        }
        ByteBuffer orig = committed(f, kind, id);
        byte[] garbage = mutate(bytes(orig), mode, r, f, id);
        if (Arrays.equals(garbage, bytes(orig))) {
            return;
        }
        f.store().write(txn -> txn.put(0, kind, id, garbage));
        try {
            exercise(f);
        } catch (AssertionError e) {
            throw new AssertionError("after writing " + garbage.length + " bytes " + hex(garbage) + " under " + kind + " " + id + ": " + e.getMessage(), e);
        } finally {
            f.store().write(txn -> txn.put(0, kind, id, bytes(orig)));
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 48); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.append(b.length > 48 ? "..." : "").toString();
    }

    /** Mode 0: random bytes; 1: flipped bytes; 2: an interesting int at an offset; 3: truncated or extended; 4: two of the above. */
    static byte[] mutate(byte[] orig, int mode, Random r, Fixture f, int selfId) {
        switch (mode) {
            case 0 -> {
                byte[] b = new byte[r.nextInt(Math.max(8, orig.length * 2 + 8))];
                r.nextBytes(b);
                if (b.length > 1 && r.nextBoolean()) {
                    b[0] = orig.length > 0 ? orig[0] : 1; // keep the version byte: get past the first check
                }
                return b;
            }
            case 1 -> {
                byte[] b = orig.clone();
                if (b.length == 0) {
                    return new byte[] {1};
                }
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 2 -> {
                byte[] b = orig.clone();
                if (b.length < 4) {
                    return mutate(orig, 0, r, f, selfId);
                }
                int off = r.nextInt(b.length - 3);
                if (r.nextBoolean() && b.length >= 10) {
                    off = 1 + r.nextInt(Math.min(b.length - 4, 16)); // header fields
                }
                ByteBuffer v = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                int old = v.getInt(off);
                int[] nodes = f.nodeIds();
                int[] interesting = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, old + (1 << 30), old + (1 << 30) * 2, old + (1 << 30) * 3,
                    old + 1, old - 1, selfId, nodes[0], nodes[r.nextInt(nodes.length)], nodes[nodes.length - 1] + 1 + r.nextInt(1000),
                    N + r.nextInt(100), 0x7FFF, 65536, 1 << 24};
                v.putInt(off, interesting[r.nextInt(interesting.length)]);
                return b;
            }
            case 3 -> {
                int len = r.nextBoolean() ? r.nextInt(Math.max(1, orig.length)) : orig.length + 1 + r.nextInt(16);
                byte[] b = Arrays.copyOf(orig, len);
                for (int i = orig.length; i < len; i++) {
                    b[i] = (byte) r.nextInt();
                }
                return b;
            }
            default -> {
                return mutate(mutate(orig, 1 + r.nextInt(3), r, f, selfId), 1 + r.nextInt(2), r, f, selfId);
            }
        }
    }

    /** What reading the corrupted store gave: a QuiverException, or the problems check() listed. */
    record Outcome(QuiverException failure, List<String> problems, int searched) {}

    /** Opens a reader, searches, asks for stats and a check; in a thread with a time limit (a hang fails). */
    static Outcome exercise(Fixture f) throws Exception {
        Future<Outcome> fut = EXEC.submit(() -> exerciseNow(f));
        try {
            return fut.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fut.cancel(true);
            throw new AssertionError("reading the corrupted store did not finish within 20 s (infinite loop?)");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError("reading the corrupted store threw " + c + " instead of a QuiverException", c);
        }
    }

    private static Outcome exerciseNow(Fixture f) {
        int searched = 0;
        List<String> problems = List.of();
        List<String> wrong = new ArrayList<>();
        try (ReadTxn txn = f.store().read()) {
            ForestReader reader = ForestReader.open(txn, 0);
            RoaringBitmap live = reader.ids();
            for (float[] q : f.queries()) {
                SearchResult res = reader.search(q, SearchOptions.builder().k(10).build());
                validate(reader, live, q, res, wrong);
                searched++;
            }
            {
                int item = N / 2;
                float[] v = reader.vector(item);
                SearchResult res = reader.searchItem(item, SearchOptions.k(5));
                if (v != null) {
                    validate(reader, live, v, res, wrong);
                }
                searched++;
            }
            reader.stats();
            problems = reader.check();
            if (!wrong.isEmpty() && problems.isEmpty()) {
                fail("searches answered wrongly (%s) and check() found nothing", wrong);
            }
            return new Outcome(null, problems, searched);
        } catch (QuiverException e) {
            assertThat(e.getMessage()).as("message of %s", e.kind()).isNotBlank();
            return new Outcome(e, problems, searched);
        }
    }

    /**
     * A sound answer: distinct ids with stored vectors (else the test fails); ids of the index's
     * item set, with sorted distances equal to the distance to the stored vector (else the answer
     * is noted in {@code wrong}: check() must then report the store as unsound).
     */
    private static void validate(ForestReader reader, RoaringBitmap live, float[] q, SearchResult res, List<String> wrong) {
        Set<Integer> seen = new HashSet<>();
        Distance d = reader.distance();
        float last = Float.NEGATIVE_INFINITY;
        try (Arena arena = Arena.ofConfined()) {
            long qa = arena.allocate(d.itemBytes() + 64L, 64).address();
            long xa = arena.allocate(d.itemBytes() + 64L, 64).address();
            d.encode(q, qa);
            for (Neighbor n : res.neighbors()) {
                if (!live.contains(n.id())) {
                    wrong.add("id " + Integer.toUnsignedString(n.id()) + " is not in the item set");
                }
                if (!seen.add(n.id())) {
                    fail("search returned id %s twice", Integer.toUnsignedString(n.id()));
                }
                float[] v = reader.vector(n.id());
                if (v == null) {
                    fail("search returned id %s, which has no stored vector", Integer.toUnsignedString(n.id()));
                }
                boolean finite = true;
                for (float x : v) {
                    finite &= Float.isFinite(x);
                }
                if (!finite) {
                    continue; // garbage floats in a stored item: nothing to compare against
                }
                d.encode(v, xa);
                float raw = d.distance(qa, xa);
                float expected = d.userDistance(raw);
                if (Float.isFinite(expected) && Float.isFinite(n.distance())) {
                    if (Math.abs(expected - n.distance()) > 1e-3 * Math.max(1, Math.abs(expected))) {
                        wrong.add("distance " + n.distance() + " reported for id " + n.id() + ", the stored vector is at " + expected);
                    }
                    if (raw < last - 1e-4 * Math.max(1, Math.abs(last))) {
                        wrong.add("results are not sorted by distance: " + res.neighbors());
                    }
                    last = raw;
                }
            }
        }
    }
}
