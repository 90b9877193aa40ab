package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vector addresses incremental builds remember across transactions must never outlive the
 * value they point to: after every commit, each remembered address must hold the vector the
 * store holds for that id now, whatever came in between (replaced and deleted items, a commit
 * without a build, an aborted build, a map resize, two builds in one transaction).
 */
class CommittedItemAddressesTest {
    // 600 floats (2,400 bytes) do not fit in a leaf: LMDB gives each its own overflow page.
    private static final int DIMS = 600;
    private static final int POOL = 1200;
    /** Where the other process draws its vectors from, out of the pool's end. */
    private static final int FOREIGN_DRAWS = 1000;
    private final float[][] pool = HnswTestSupport.clustered(POOL, DIMS, 12, 7);
    private int drawn;
    private final Map<Integer, float[]> live = new HashMap<>();
    /** Two threads: the workers share the cache. */
    private final HnswBuildOptions opts = HnswBuildOptions.builder().m(16).efConstruction(100).threads(2).build();
    /**
     * The first build, from scratch, never uses the cache: one thread keeps its graph the same on
     * every run. Built with two threads, tight clusters left up to 12 of 300 items unable to find
     * themselves in about one run in two on a loaded machine (before builds linked islands in).
     */
    private final HnswBuildOptions firstBuild = HnswBuildOptions.builder().m(16).efConstruction(100).threads(1).build();

    private float[] vector() {
        return pool[drawn++];
    }

    private void add(HnswWriter w, int id) {
        float[] v = vector();
        w.add(id, v);
        live.put(id, v);
    }

    private void delete(HnswWriter w, int id) {
        w.delete(id);
        live.remove(id);
    }

    /** Items 0-299, built from scratch. */
    private void buildBase(Store store) {
        store.write(txn -> {
            HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
            for (int id = 0; id < 300; id++) {
                add(w, id);
            }
            w.build(firstBuild);
        });
    }

    /** Level-0 lists the cache kept at the last {@link #checkCache}. */
    private int keptLists;

    /** Returns how many ids the cache remembers, after checking each (and each kept list) against the store. */
    private int checkCache(Store store) {
        CommittedItemAddresses cache = CommittedItemAddresses.of(store, 0);
        Distance d = DistanceKind.EUCLIDEAN.create(DIMS);
        int remembered = 0;
        for (int id = 0; id < 1000; id++) {
            long a = cache.get(id);
            if (a == 0) {
                continue;
            }
            remembered++;
            assertThat(live).as("remembered id %d is live", id).containsKey(id);
            assertThat(store.isOverflowValue(a)).isTrue();
            assertThat(d.decode(a)).as("vector at the remembered address of %d", id).containsExactly(live.get(id));
        }
        try (ReadTxn txn = store.read()) {
            keptLists = 0;
            for (int id = 0; id < 1000; id++) {
                int[] kept = cache.links0(id);
                if (kept != null) {
                    keptLists++;
                    assertThat(live).as("id %d with a kept list is live", id).containsKey(id);
                    assertThat(kept).as("kept level-0 list of %d", id).containsExactly(Links.read(txn, 0, id, 0));
                }
            }
            HnswTestSupport.checkGraph(txn, 0);
            HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
            int misses = 0;
            for (Map.Entry<Integer, float[]> e : live.entrySet()) {
                assertThat(r.vector(e.getKey())).containsExactly(e.getValue());
                if (r.search(e.getValue(), SearchOptions.builder().k(1).ef(64).build()).neighbors().get(0).distance() != 0f) {
                    misses++;
                }
            }
            assertThat(misses).as("items that do not find themselves of %s", live.size()).isLessThanOrEqualTo(live.size() / 50);
        }
        return remembered;
    }

    @Test
    void aLeafLookupRemembersTheVectorsBesideItExceptTheSkippedOnes(@TempDir Path dir) {
        try (Store store = Store.open(dir)) {
            buildBase(store);
            store.write(txn -> {
                CommittedItemAddresses cache = CommittedItemAddresses.of(store, 0).open(txn, new org.roaringbitmap.RoaringBitmap(), 299, 300);
                try (ReadTxn snapshot = store.read()) {
                    long a = cache.lookUpLeaf(snapshot, 0, 151, id -> id % 3 == 0);
                    assertThat(a).isEqualTo(io.quiver.storage.NativeMemory.address(snapshot.get(0, io.quiver.storage.KeyKind.ITEM, 151)));
                    assertThat(cache.lookUpLeaf(snapshot, 0, 5000, id -> false)).as("absent").isEqualTo(-1);
                    int remembered = 0;
                    for (int id = 0; id < 300; id++) {
                        long r = cache.get(id);
                        if (id % 3 == 0) {
                            assertThat(r).as("skipped id %d", id).isZero();
                        } else if (r != 0) {
                            remembered++;
                            assertThat(r).as("id %d", id).isEqualTo(io.quiver.storage.NativeMemory.address(snapshot.get(0, io.quiver.storage.KeyKind.ITEM, id)));
                        }
                    }
                    // 2,400-byte vectors: ~150 keys to a leaf, a third of them skipped.
                    assertThat(remembered).isGreaterThan(50);
                }
            });
        }
    }

    /**
     * The second of two builds in one transaction reads the last commit, where the items the first
     * build replaced or deleted still have their old vectors; when it fills the cache from the
     * leaves that hold them, those must not be remembered.
     */
    @Test
    void aSecondBuildDoesNotRememberWhatTheFirstReplacedInItsTransaction(@TempDir Path dir) {
        int clusters = 12;
        int per = 160;
        int dims = 520; // 2,080 bytes: an overflow page each
        java.util.Random rnd = new java.util.Random(5);
        float[][] centres = new float[clusters][dims];
        for (float[] c : centres) {
            for (int d = 0; d < dims; d++) {
                c[d] = (float) rnd.nextGaussian() * 4;
            }
        }
        java.util.function.IntFunction<float[]> near = c -> {
            float[] v = new float[dims];
            for (int d = 0; d < dims; d++) {
                v[d] = centres[c][d] + (float) rnd.nextGaussian() * 0.3f;
            }
            return v;
        };
        Map<Integer, float[]> current = new HashMap<>();
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                for (int id = 0; id < clusters * per; id++) {
                    float[] v = near.apply(id / per);
                    w.add(id, v);
                    current.put(id, v);
                }
                w.build(firstBuild);
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int c = 1; c < clusters; c++) {
                    float[] v = near.apply(0);
                    w.add(c * per + per / 2, v);
                    current.put(c * per + per / 2, v);
                    w.delete(c * per + per / 4);
                    current.remove(c * per + per / 4);
                }
                w.build(opts);
                // As if the first build had read none of these leaves (a build reads the leaves
                // of the nodes it meets): the second one then reads them all.
                CommittedItemAddresses.of(store, 0).forget(org.roaringbitmap.RoaringBitmap.bitmapOfRange(0, clusters * per));
                int next = clusters * per;
                for (int c = 1; c < clusters; c++) {
                    for (int j = 0; j < 4; j++) {
                        float[] v = near.apply(c);
                        w.add(next, v);
                        current.put(next++, v);
                    }
                }
                w.build(opts);
            });
            CommittedItemAddresses cache = CommittedItemAddresses.of(store, 0);
            Distance d = DistanceKind.EUCLIDEAN.create(dims);
            int remembered = 0;
            for (int id = 0; id < clusters * per + 44; id++) {
                long a = cache.get(id);
                if (a != 0) {
                    remembered++;
                    assertThat(current).as("remembered id %d is live", id).containsKey(id);
                    assertThat(d.decode(a)).as("vector at the remembered address of %d", id).containsExactly(current.get(id));
                }
            }
            assertThat(remembered).isGreaterThan(clusters * per / 2);
        }
    }

    @Test
    void rememberedAddressesAndListsAlwaysMatchTheStore(@TempDir Path dir) throws Exception {
        try (Store store = Store.open(dir)) {
            buildBase(store);
            assertThat(checkCache(store)).as("a build from scratch remembers nothing").isZero();

            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 300; id < 340; id++) {
                    add(w, id);
                }
                w.build(opts);
            });
            int afterInsert = checkCache(store);
            assertThat(afterInsert).as("an incremental build remembers the committed nodes it met").isGreaterThan(20);
            assertThat(keptLists).as("and the level-0 lists it read and did not change").isGreaterThan(20);

            // Replaced and deleted items in the next build's own transaction.
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 0; id < 340; id += 7) {
                    add(w, id);
                }
                for (int id = 3; id < 340; id += 11) {
                    delete(w, id);
                }
                w.build(opts);
            });
            assertThat(checkCache(store)).isGreaterThan(20);

            // A commit without a build (as another process might make) in between.
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 1; id < 340; id += 5) {
                    add(w, id);
                }
                for (int id = 2; id < 340; id += 13) {
                    delete(w, id);
                }
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                add(w, 340);
                w.build(opts);
            });
            checkCache(store);

            // An aborted build: its changes never happened, whatever its workers met.
            Map<Integer, float[]> before = new HashMap<>(live);
            assertThatThrownBy(() -> store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 4; id < 340; id += 6) {
                    add(w, id);
                }
                w.build(opts);
                throw new IllegalStateException("abort");
            })).hasMessage("abort");
            live.clear();
            live.putAll(before);
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                add(w, 341);
                w.build(opts);
            });
            checkCache(store);

            // A resize remaps the file: every address moves.
            store.grow(store.mapSize());
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 342; id < 360; id++) {
                    add(w, id);
                }
                w.build(opts);
            });
            checkCache(store);

            // Two builds in one transaction, with items replaced between them.
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 360; id < 380; id++) {
                    add(w, id);
                }
                w.build(opts);
                for (int id = 0; id < 380; id += 9) {
                    add(w, id);
                }
                delete(w, 361);
                w.build(opts);
            });
            assertThat(checkCache(store)).isGreaterThan(20);

            // Items replaced by the first of two builds in one transaction: the second build's
            // snapshot still holds their old vectors, on the leaf pages it reads for other ids.
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 1; id < 380; id += 4) {
                    if (live.containsKey(id)) {
                        add(w, id);
                    }
                }
                w.build(opts);
                for (int id = 380; id < 400; id++) {
                    add(w, id);
                }
                w.build(opts);
            });
            checkCache(store);

            // Another process replaces items and builds, which consumes the list of changed items:
            // only the commit count tells this process that its addresses may be stale.
            for (int id = 0; id < 380; id += 10) {
                live.put(id, pool[FOREIGN_DRAWS + id / 10]);
            }
            live.remove(5);
            Process child = new ProcessBuilder(javaCommand(ForeignWriter.class.getName(), dir.toString())).inheritIO().start();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                add(w, 380);
                w.build(opts);
            });
            checkCache(store);
        }
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The other process: replaces every tenth item, deletes item 5, builds and commits. */
    public static final class ForeignWriter {
        public static void main(String[] args) {
            float[][] pool = HnswTestSupport.clustered(POOL, DIMS, 12, 7);
            try (Store store = Store.open(Path.of(args[0]))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.open(txn, 0);
                    for (int id = 0; id < 380; id += 10) {
                        w.add(id, pool[FOREIGN_DRAWS + id / 10]);
                    }
                    w.delete(5);
                    w.build(HnswBuildOptions.builder().m(8).efConstruction(32).threads(1).build());
                });
            }
        }
    }
}
