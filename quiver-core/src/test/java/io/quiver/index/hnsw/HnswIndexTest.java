package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.distance.DistanceKind;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexStats;
import io.quiver.index.ItemStore;
import io.quiver.index.ProgressTrace;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.WriteTxn;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

class HnswIndexTest {
    static final int N = 5000;
    static final int DIMS = 32;

    @TempDir
    Path dir;

    static HnswBuildOptions opts() {
        return HnswBuildOptions.builder().m(12).efConstruction(100).threads(2).build();
    }

    static Map<Integer, float[]> data(int n, long seed) {
        float[][] v = HnswTestSupport.clustered(n, DIMS, 20, seed);
        Map<Integer, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(i, v[i]);
        }
        return m;
    }

    static double meanRecall(ReadTxn txn, Map<Integer, float[]> live, DistanceKind kind, int ef, RoaringBitmap filter, int queries) {
        HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
        HnswTestSupport.Exact exact = new HnswTestSupport.Exact(kind.create(DIMS), live);
        float[][] qs = HnswTestSupport.clustered(queries, DIMS, 20, 99);
        double sum = 0;
        for (float[] q : qs) {
            SearchResult res = r.search(q, SearchOptions.builder().k(10).ef(ef).filter(filter).build());
            assertThat(res.partial()).isFalse();
            sum += exact.recall(q, res, 10, filter);
        }
        return sum / queries;
    }

    @Test
    void recallOnClusteredData() {
        Map<Integer, float[]> d = data(N, 1);
        try (Store store = Store.open(dir)) {
            ProgressTrace trace = store.writeAndReturn(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(w::add);
                return w.build(opts());
            });
            assertThat(trace.asMap().keySet()).contains("retrieve the updated items", "inserting items", "writing links", "write metadata");
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(meanRecall(txn, d, DistanceKind.EUCLIDEAN, 64, null, 200)).isGreaterThanOrEqualTo(0.95);
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                assertThat(r.size()).isEqualTo(N);
                // Items find themselves through their stored vectors. Not every one: with two build
                // threads 25 graphs left 0-7 of the 5,000 unfound at ef 64, nearly all among the first
                // 500 inserted (up to 5 of them; one CI run saw 6), and one verify run missed item 17,
                // which this line used to require. So every tenth item is asked, not the first 500.
                int unfound = 0;
                for (int id = 0; id < N; id += 10) {
                    int[] self = r.searchItem(id, SearchOptions.k(1)).ids();
                    assertThat(self).hasSize(1);
                    unfound += self[0] == id ? 0 : 1;
                }
                assertThat(unfound).isLessThanOrEqualTo(5);
                IndexStats stats = r.stats();
                assertThat(stats.algorithm()).isEqualTo(Algorithm.HNSW);
                assertThat((Integer) stats.structure().get("levels")).isGreaterThanOrEqualTo(2);
            }
        }
    }

    /** A refused vector's message names the index and the item, or says it was the query. */
    @Test
    void refusedVectorsAreNamed() {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 2, DistanceKind.EUCLIDEAN, 3);
                w.add(1, new float[] {1, 2, 3});
                w.build(opts());
            });
            assertThatThrownBy(() -> store.write(txn -> HnswWriter.open(txn, 2).add(7, new float[] {1, Float.NaN, 3})))
                    .isInstanceOf(QuiverException.class).hasMessage("index 2, item 7: vector component 1 is NaN");
            try (ReadTxn txn = store.read()) {
                assertThatThrownBy(() -> HnswReader.open(txn, 2).search(new float[] {1, 2}, SearchOptions.k(1)))
                        .isInstanceOf(QuiverException.class).hasMessage("index 2, query: vector has 2 dimensions, index expects 3")
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.WRONG_DIMENSIONS);
            }
        }
    }

    @Test
    void otherFloatDistances() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.COSINE, DistanceKind.DOT, DistanceKind.MANHATTAN}) {
            Map<Integer, float[]> d = data(2000, 2);
            try (Store store = Store.open(dir.resolve(kind.cliName()))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, kind, DIMS);
                    d.forEach(w::add);
                    w.build(opts());
                });
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                    // Inner product is no metric and needs a wider beam for the same recall.
                    assertThat(meanRecall(txn, d, kind, kind == DistanceKind.DOT ? 256 : 64, null, 100)).as(kind.cliName()).isGreaterThanOrEqualTo(0.9);
                }
            }
        }
    }

    @Test
    void binaryDistances() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.HAMMING, DistanceKind.BQ_COSINE}) {
            Map<Integer, float[]> d = data(2000, 3);
            if (kind == DistanceKind.HAMMING) {
                d.replaceAll((id, v) -> {
                    float[] b = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        b[i] = v[i] > 0 ? 1 : 0;
                    }
                    return b;
                });
            }
            try (Store store = Store.open(dir.resolve(kind.cliName()))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, kind, DIMS);
                    d.forEach(w::add);
                    w.build(opts());
                });
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                    assertThat(meanRecall(txn, d, kind, 64, null, 100)).as(kind.cliName()).isGreaterThanOrEqualTo(0.9);
                }
            }
        }
    }

    @Test
    void filteredSearchKeepsRecallAndOnlyAllowedIds() {
        Map<Integer, float[]> d = data(N, 4);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(w::add);
                w.build(opts());
            });
            Random rnd = new Random(5);
            try (ReadTxn txn = store.read()) {
                HnswReader reader = HnswReader.open(txn, 0).walkingSmallIndexes();
                HnswTestSupport.Exact exact = new HnswTestSupport.Exact(DistanceKind.EUCLIDEAN.create(DIMS), d);
                float[][] qs = HnswTestSupport.clustered(100, DIMS, 20, 77);
                for (double sel : new double[] {0.01, 0.1, 0.5}) {
                    RoaringBitmap allowed = new RoaringBitmap();
                    for (int i = 0; i < N; i++) {
                        if (rnd.nextDouble() < sel) {
                            allowed.add(i);
                        }
                    }
                    // Default choice (scan for small sets), then forced through the graph.
                    for (long limit : new long[] {-1, 0}) {
                        reader.bruteForceLimit(limit);
                        double sum = 0;
                        for (float[] q : qs) {
                            SearchResult res = reader.search(q, SearchOptions.builder().k(10).ef(64).filter(allowed).build());
                            for (int id : res.ids()) {
                                assertThat(allowed.contains(id)).isTrue();
                            }
                            sum += exact.recall(q, res, 10, allowed);
                        }
                        assertThat(sum / qs.length).as("selectivity %s limit %s", sel, limit).isGreaterThanOrEqualTo(0.9);
                    }
                }
            }
        }
    }

    @Test
    void growingInBatchesWithDeletesMatchesOneShotBuild() {
        // One build thread for both indexes: with two, each graph depends on how the threads
        // interleave, and the gap between two such builds swung from -0.001 to 0.021 over eleven
        // runs (0.007 on average), past the 0.02 allowed once in a full-suite run. Parallel and
        // repeated incremental builds are checked by the tests around this one.
        HnswBuildOptions serial = HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).build();
        Map<Integer, float[]> all = data(N, 6);
        Map<Integer, float[]> live = new LinkedHashMap<>();
        Random rnd = new Random(7);
        RoaringBitmap deleted = new RoaringBitmap();
        try (Store store = Store.open(dir.resolve("batches"))) {
            int per = N / 5;
            for (int b = 0; b < 5; b++) {
                int from = b * per;
                store.write(txn -> {
                    HnswWriter w = b(txn, from);
                    for (int i = from; i < from + per; i++) {
                        w.add(i, all.get(i));
                        live.put(i, all.get(i));
                    }
                    // delete ~10% of what is live, including possibly the entry point
                    Integer[] keys = live.keySet().toArray(new Integer[0]);
                    for (int j = 0; j < per / 10; j++) {
                        int id = keys[rnd.nextInt(keys.length)];
                        if (live.remove(id) != null) {
                            assertThat(w.delete(id)).isTrue();
                            deleted.add(id);
                        }
                    }
                    if (from > 0) {
                        // delete the entry point too, to exercise moving it
                        HnswMetadata hm = HnswMetadata.read(txn, 0);
                        if (live.remove(hm.entry()) != null) {
                            w.delete(hm.entry());
                            deleted.add(hm.entry());
                        }
                    }
                    w.build(serial);
                });
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                }
            }
            double grown;
            try (ReadTxn txn = store.read()) {
                grown = meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 1000);
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                assertThat(r.size()).isEqualTo(live.size());
                float[][] qs = HnswTestSupport.clustered(100, DIMS, 20, 5);
                for (float[] q : qs) {
                    for (int id : r.search(q, SearchOptions.builder().k(50).ef(100).build()).ids()) {
                        assertThat(deleted.contains(id)).isFalse();
                    }
                }
            }
            try (Store oneShot = Store.open(dir.resolve("oneshot"))) {
                oneShot.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                    live.forEach(w::add);
                    w.build(serial);
                });
                try (ReadTxn txn = oneShot.read()) {
                    double once = meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 1000);
                    assertThat(grown).as("grown %s vs one-shot %s", grown, once).isGreaterThanOrEqualTo(once - 0.02);
                }
            }
        }
    }

    private static HnswWriter b(WriteTxn txn, int from) {
        return from == 0 ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : HnswWriter.open(txn, 0);
    }

    @Test
    void severalBuildsInOneWriteTransaction() {
        Map<Integer, float[]> all = data(3000, 8);
        Map<Integer, float[]> live = new LinkedHashMap<>();
        try (Store store = Store.open(dir)) {
            // A committed base, then one transaction with three builds touching it.
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < 1000; i++) {
                    w.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                w.build(opts());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 1000; i < 2000; i++) {
                    w.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                w.build(opts());
                HnswWriter w2 = HnswWriter.open(txn, 0);
                for (int i = 2000; i < 3000; i++) {
                    w2.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                // delete nodes built in this transaction and in the commit, and change one
                for (int i = 0; i < 3000; i += 7) {
                    if (i < 2000) {
                        w2.delete(i);
                        live.remove(i);
                    }
                }
                w2.add(1001, all.get(5));
                live.put(1001, all.get(5));
                w2.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
                for (int i = 1; i < 3000; i += 13) {
                    if (live.remove(i) != null) {
                        w2.delete(i);
                    }
                }
                w2.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswReader.open(txn, 0).ids()).isEqualTo(RoaringBitmap.bitmapOf(live.keySet().stream().mapToInt(Integer::intValue).toArray()));
                assertThat(meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 200)).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void convertsAForestInPlace() {
        Map<Integer, float[]> d = data(2000, 9);
        try (Store store = Store.open(dir)) {
            // A forest as the forest family leaves it: items, a tree node, its metadata, algorithm FOREST.
            store.write(txn -> {
                ItemStore items = ItemStore.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(items::add);
                txn.put(0, KeyKind.TREE_NODE, 0, new byte[] {1, 2, 3});
                txn.put(0, KeyKind.METADATA, IndexMetadata.FOREST, new byte[] {1});
                items.setMetadata(items.metadata().withAlgorithm(Algorithm.FOREST));
                items.writeBuiltItems(RoaringBitmap.bitmapOf(d.keySet().stream().mapToInt(Integer::intValue).toArray()));
                items.clearUpdated();
            });
            try (ReadTxn txn = store.read()) {
                assertThatThrownBy(() -> HnswReader.open(txn, 0)).isInstanceOf(QuiverException.class)
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.INDEX_MISMATCH);
            }
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                assertThat(w.needsBuild()).isTrue();
                w.build(opts());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(txn.get(0, KeyKind.TREE_NODE, 0)).isNull();
                assertThat(txn.get(0, KeyKind.METADATA, IndexMetadata.FOREST)).isNull();
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(meanRecall(txn, d, DistanceKind.EUCLIDEAN, 64, null, 100)).isGreaterThanOrEqualTo(0.95);
            }
            // forceRebuild gives a consistent graph too
            store.write(txn -> HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().m(8).threads(2).forceRebuild(true).build()));
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswMetadata.read(txn, 0).m()).isEqualTo(8);
            }
        }
    }

    @Test
    void convertsARealForest() {
        Map<Integer, float[]> d = data(2000, 12);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                io.quiver.index.forest.ForestWriter f = io.quiver.index.forest.ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(f::add);
                f.build(io.quiver.index.forest.ForestBuildOptions.builder().threads(2).build());
            });
            boolean[] hadTrees = {false};
            try (ReadTxn txn = store.read()) {
                txn.scan(0, KeyKind.TREE_NODE, (id, level, v) -> {
                    hadTrees[0] = true;
                    return false;
                });
            }
            assertThat(hadTrees[0]).isTrue();
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                w.delete(5);
                w.add(5000, d.get(6));
                w.build(opts());
            });
            d.remove(5);
            d.put(5000, d.get(6));
            try (ReadTxn txn = store.read()) {
                boolean[] trees = {false};
                txn.scan(0, KeyKind.TREE_NODE, (id, level, v) -> {
                    trees[0] = true;
                    return false;
                });
                assertThat(trees[0]).as("forest nodes dropped").isFalse();
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(meanRecall(txn, d, DistanceKind.EUCLIDEAN, 64, null, 100)).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void changedVectorsAreReinserted() {
        Map<Integer, float[]> d = data(2000, 13);
        Map<Integer, float[]> extra = data(300, 14);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(w::add);
                w.build(opts());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 0; i < 300; i++) {
                    int id = i * 6;
                    w.add(id, extra.get(i));
                    d.put(id, extra.get(i));
                }
                w.build(opts());
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                assertThat(r.search(extra.get(7), SearchOptions.k(1)).ids()).containsExactly(42);
                assertThat(meanRecall(txn, d, DistanceKind.EUCLIDEAN, 64, null, 100)).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void aSmallIndexIsScannedWholeSoNothingIsMissed() {
        // A fuzzing helper's kind of case (2026-11-23): 8 tight clusters, m 4, alpha 1.2. Through
        // the graph, 113 of these 121 items find themselves, with or without a filter of ids
        // 0-99,999 (a k = 121 search returned 16 before the entry point joined the level-0 beam).
        int n = 121;
        float[][] v = tightClusters(n, 576, 8, 2);
        try (Store store = Store.open(dir)) {
            store.write(txn -> buildTight(txn, v, 2));
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0);
                // a filter that names ids the index lacks is still a filter of a small index
                RoaringBitmap wide = new RoaringBitmap();
                wide.add(0L, 100_000L);
                for (int i = 0; i < n; i++) {
                    assertThat(r.search(v[i], SearchOptions.k(1)).ids()).as("item %d", i).containsExactly(i);
                    assertThat(r.search(v[i], SearchOptions.builder().k(1).filter(wide).build()).ids()).as("item %d, filtered", i).containsExactly(i);
                }
                SearchResult all = r.search(v[0], SearchOptions.k(n));
                assertThat(all.size()).isEqualTo(n);
                assertThat(all.neighbors()).isSorted();
            }
        }
    }

    @Test
    void aSearchCanLeaveAClusterThatLinksOnlyWithinItself() {
        // Through the graph alone: with the entry point a candidate of level 0 too, a k = n search
        // reaches every node the build made reachable from it. Without that, these seeds' searches
        // from item 0 returned 16, 30, 20 and 14 of 121.
        int n = 121;
        for (int seed : new int[] {2, 12, 14, 20}) {
            float[][] v = tightClusters(n, 576, 8, seed);
            Path d = dir.resolve("seed" + seed);
            try (Store store = Store.open(d)) {
                store.write(txn -> buildTight(txn, v, seed));
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                    HnswReader walked = HnswReader.open(txn, 0).walkingSmallIndexes();
                    assertThat(walked.search(v[0], SearchOptions.k(n)).size()).as("seed %d", seed).isEqualTo(n);
                }
            }
        }
    }

    private static void buildTight(WriteTxn txn, float[][] v, int seed) {
        HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, v[0].length);
        for (int i = 0; i < v.length; i++) {
            w.add(i, v[i]);
        }
        w.build(HnswBuildOptions.builder().m(4).efConstruction(32).alpha(1.2).threads(1).seed(seed).build());
    }

    /** Points within 0.05 of one of {@code clusters} random centres. */
    private static float[][] tightClusters(int n, int dims, int clusters, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[clusters][dims];
        for (float[] c : centres) {
            for (int d = 0; d < dims; d++) {
                c[d] = r.nextFloat();
            }
        }
        float[][] out = new float[n][dims];
        for (int i = 0; i < n; i++) {
            float[] c = centres[r.nextInt(clusters)];
            for (int d = 0; d < dims; d++) {
                out[i][d] = c[d] + (float) (r.nextGaussian() * 0.05 / Math.sqrt(dims));
            }
        }
        return out;
    }

    @Test
    void sparseAndUnsignedIds() {
        Map<Integer, float[]> byIndex = data(600, 15);
        Map<Integer, float[]> d = new LinkedHashMap<>();
        byIndex.forEach((i, v) -> d.put(i * 7_919_777 + 3, v)); // spreads over the whole u32 range
        // One build thread: the graph is then the same on every run, so the island allowance below
        // cannot flake (with two threads a full-suite run on 2026-11-22 saw 7 misses against 5 allowed).
        HnswBuildOptions single = HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).build();
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(w::add);
                w.build(single);
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                int n = 0;
                for (var it = d.keySet().iterator(); it.hasNext() && n < 60; n++) {
                    w.delete(it.next());
                    it.remove();
                }
                w.build(single);
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                // Every id, however large, comes back as itself. checkGraph has seen every node
                // reachable from the entry point, but links are one-way: from where the descent
                // enters level 0 on 20 tight clusters a node may still be missed, so up to 1% may
                // be answered by a neighbour: the ids themselves are what this test is about.
                int missed = 0;
                for (Map.Entry<Integer, float[]> e : d.entrySet()) {
                    int[] ids = r.search(e.getValue(), SearchOptions.k(1)).ids();
                    assertThat(ids).hasSize(1);
                    assertThat(d).containsKey(ids[0]);
                    if (ids[0] != e.getKey()) {
                        missed++;
                    }
                }
                assertThat(missed).isLessThanOrEqualTo(d.size() / 100);
            }
        }
    }

    @Test
    void readerRefusesUnbuiltChanges() {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                w.add(1, new float[] {1, 2});
                w.build(opts());
                w.add(2, new float[] {1, 3});
            });
            try (ReadTxn txn = store.read()) {
                assertThatThrownBy(() -> HnswReader.open(txn, 0)).isInstanceOf(QuiverException.class)
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.NEEDS_BUILD);
                assertThatThrownBy(() -> HnswReader.open(txn, 3)).isInstanceOf(QuiverException.class)
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.UNKNOWN_INDEX);
            }
            store.write(txn -> {
                assertThatThrownBy(() -> HnswWriter.create(txn, 0, DistanceKind.COSINE, 2))
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.INDEX_MISMATCH);
                HnswWriter w = HnswWriter.open(txn, 0);
                w.build(opts());
                w.delete(1);
                w.delete(2);
                w.build(opts());
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswReader.open(txn, 0).walkingSmallIndexes().search(new float[] {0, 0}, SearchOptions.k(3)).neighbors()).isEmpty();
            }
        }
    }

    /** An id added and deleted again before any build leaves nothing to build, and no mark behind. */
    @Test
    void changesThatCancelOutLeaveNoNeedToBuild() {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                w.add(1, new float[] {0, 0});
                w.add(2, new float[] {1, 1});
                w.build(opts());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                w.add(3, new float[] {2, 2});
                w.delete(3);
                assertThat(w.needsBuild()).isTrue();
                w.build(opts());
                assertThat(w.needsBuild()).isFalse();
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).walkingSmallIndexes().search(new float[] {0, 0}, SearchOptions.k(3)).neighbors())
                        .extracting(n -> n.id()).containsExactly(1, 2);
            }
        }
    }

    @Test
    void searchCancellationReturnsPartialResults() {
        Map<Integer, float[]> d = data(2000, 10);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach(w::add);
                w.build(opts());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                SearchResult res = r.search(d.get(3), SearchOptions.builder().k(10).ef(200).cancel(() -> true).build());
                assertThat(res.partial()).isTrue();
                assertThat(res.size()).isLessThanOrEqualTo(10);
                RoaringBitmap small = RoaringBitmap.bitmapOf(1, 2, 3, 4, 5);
                assertThat(r.search(d.get(3), SearchOptions.builder().k(3).filter(small).cancel(() -> true).build()).partial()).isTrue();
                SearchResult full = r.search(d.get(3), SearchOptions.builder().k(10).ef(200).cancel(() -> false).build());
                assertThat(full.partial()).isFalse();
                assertThat(full.ids()[0]).isEqualTo(3);
            }
        }
    }

    /** Creates index 0 with the items of {@code d}, deletes every {@code deleteEvery}-th id again (0: none) and builds, in one transaction. */
    private static void createAndBuild(Store store, Map<Integer, float[]> d, int deleteEvery, HnswBuildOptions options) {
        store.write(txn -> {
            HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
            d.forEach(w::add);
            for (int i = 0; deleteEvery > 0 && i < d.size(); i += deleteEvery) {
                w.delete(i);
            }
            w.build(options);
        });
    }

    /**
     * A deadline stops a search as a cancel callback does, and what a stopped search returns is
     * the best it found so far: not empty, sorted, only live items.
     */
    @Test
    void aDeadlineStopsASearchAndAStoppedSearchReturnsTheBestSoFar() {
        Map<Integer, float[]> d = data(2000, 10);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 5, opts());
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                float[] q = d.get(3);
                assertThat(r.search(q, SearchOptions.builder().k(10).ef(200).timeout(java.time.Duration.ZERO).build()).partial()).isTrue();
                SearchResult inTime = r.search(q, SearchOptions.builder().k(10).ef(200).timeout(java.time.Duration.ofMinutes(5)).build());
                assertThat(inTime.partial()).isFalse();
                assertThat(inTime.ids()[0]).isEqualTo(3);
                // beyond Duration.toNanos' range (about 292 years): no deadline in practice, and no ArithmeticException
                SearchResult forever = r.search(q, SearchOptions.builder().k(10).ef(200).timeout(java.time.temporal.ChronoUnit.FOREVER.getDuration()).build());
                assertThat(forever.partial()).isFalse();
                assertThat(forever.ids()[0]).isEqualTo(3);
                assertThat(r.search(q, SearchOptions.builder().k(10).ef(200).timeout(java.time.Duration.ofDays(-365L * 300)).build()).partial()).isTrue();

                AtomicInteger polls = new AtomicInteger();
                SearchResult early = r.search(q, SearchOptions.builder().k(10).ef(200).cancel(() -> polls.incrementAndGet() > 1).build());
                assertThat(early.partial()).isTrue();
                assertThat(early.size()).as("the best found before the stop").isPositive();
                for (int i = 0; i < early.size(); i++) {
                    int id = early.ids()[i];
                    assertThat(id % 5 != 0 && d.containsKey(id)).as("live id %d", id).isTrue();
                    if (i > 0) {
                        assertThat(early.neighbors().get(i).distance()).isGreaterThanOrEqualTo(early.neighbors().get(i - 1).distance());
                    }
                }
            }
        }
    }

    /**
     * A filter of a few ids is answered by measuring them all (exact), not by a walk that would
     * pass most of the graph to find them: the exact scan polls its cancel callback once per 64
     * allowed ids, a walk once per handful of expanded nodes (79 times here when a mutation
     * forced the walk).
     */
    @Test
    void aSmallFilterIsAnsweredByAnExactScan() {
        Map<Integer, float[]> d = data(N, 12);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 0, opts());
            RoaringBitmap allowed = new RoaringBitmap();
            Map<Integer, float[]> allowedItems = new LinkedHashMap<>();
            for (int i = 0; i < N; i += 100) {
                allowed.add(i);
                allowedItems.put(i, d.get(i));
            }
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0);
                HnswTestSupport.Exact exact = new HnswTestSupport.Exact(DistanceKind.EUCLIDEAN.create(DIMS), allowedItems);
                for (float[] q : HnswTestSupport.clustered(20, DIMS, 20, 98)) {
                    AtomicInteger polls = new AtomicInteger();
                    SearchResult res = r.search(q, SearchOptions.builder().k(10).ef(64).filter(allowed).cancel(() -> {
                        polls.incrementAndGet();
                        return false;
                    }).build());
                    assertThat(res.size()).isEqualTo(10);
                    assertThat(exact.recall(q, res, 10, null)).isEqualTo(1.0);
                    assertThat(polls.get()).as("cancel polls of a 50-id filter").isLessThanOrEqualTo(2);
                }
            }
        }
    }

    /** The figures of stats(), against the lists read one by one. */
    @Test
    void statsCountWhatTheGraphHolds() {
        Map<Integer, float[]> d = data(2000, 13);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 9, opts());
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0);
                long[] nodes = new long[Links.MAX_LEVEL + 1];
                long[] links = new long[Links.MAX_LEVEL + 1];
                long bytes = 0;
                int levels = 0;
                for (int id : r.ids()) {
                    for (int level = 0; level <= Links.MAX_LEVEL; level++) {
                        java.nio.ByteBuffer v = txn.get(0, KeyKind.LINKS, id, level);
                        if (v == null) {
                            break;
                        }
                        nodes[level]++;
                        links[level] += v.remaining() / 4;
                        bytes += v.remaining() + 8;
                        levels = Math.max(levels, level + 1);
                    }
                }
                Map<String, Object> s = r.stats().structure();
                assertThat(s.get("levels")).isEqualTo(levels);
                assertThat(levels).isGreaterThanOrEqualTo(2);
                java.util.List<Long> perLevel = new java.util.ArrayList<>();
                java.util.List<Double> degree = new java.util.ArrayList<>();
                for (int l = 0; l < levels; l++) {
                    perLevel.add(nodes[l]);
                    degree.add(Math.round(100.0 * links[l] / nodes[l]) / 100.0);
                }
                assertThat(perLevel.get(0)).isEqualTo(r.size());
                assertThat(s.get("nodes_per_level")).isEqualTo(perLevel);
                assertThat(s.get("mean_degree")).isEqualTo(degree);
                assertThat(s.get("link_bytes")).isEqualTo(bytes);
                assertThat(s.get("m")).isEqualTo(12);
                assertThat(s.get("ef_construction")).isEqualTo(100);
            }
        }
    }

    /**
     * Deleting a third of the nodes (fewer than remain: repaired, not rebuilt) refills the lists
     * the deleted nodes leave short, from the deleted nodes' own neighbours: the level-0 degree
     * stays (10.24 before, 10.27 after; 6.85 when a mutation skipped the refill), and so does
     * recall: 0.929 at ef 64 before, 0.934 after. A rebuild of the survivors does better, 0.974:
     * the survivors' lists were chosen among five thousand items, shorter than a graph of 3,333
     * would choose, and a repair only touches the lists that named deleted nodes (a second hop
     * through deleted neighbours, a re-prune with the survivors, or a beam search from the node
     * moved recall by 0.01 at most).
     */
    @Test
    void deletionsRefillTheListsTheyShorten() {
        Map<Integer, float[]> d = data(N, 14);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 0, HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).build());
            double before;
            double recallBefore;
            try (ReadTxn txn = store.read()) {
                before = (Double) ((java.util.List<?>) HnswReader.open(txn, 0).stats().structure().get("mean_degree")).get(0);
                recallBefore = meanRecall(txn, d, DistanceKind.EUCLIDEAN, 64, null, 200);
            }
            Map<Integer, float[]> live = new LinkedHashMap<>(d);
            ProgressTrace trace = store.writeAndReturn(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 0; i < N; i += 3) {
                    w.delete(i);
                    live.remove(i);
                }
                return w.build(HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).build());
            });
            assertThat(trace.asMap()).containsKey("repair deleted links");
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                double after = (Double) ((java.util.List<?>) HnswReader.open(txn, 0).stats().structure().get("mean_degree")).get(0);
                assertThat(after).as("level-0 mean degree after deleting a third (before: %.2f)", before).isGreaterThanOrEqualTo(0.9 * before);
            }
            double repaired;
            try (ReadTxn txn = store.read()) {
                repaired = meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 200);
            }
            store.write(txn -> HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).forceRebuild(true).build()));
            try (ReadTxn txn = store.read()) {
                double rebuilt = meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 200);
                assertThat(repaired).as("recall@10 at ef 64 after the repair (before the deletions: %.3f; rebuilt: %.3f)", recallBefore, rebuilt)
                        .isGreaterThanOrEqualTo(recallBefore - 0.02);
                assertThat(rebuilt).isGreaterThanOrEqualTo(repaired - 0.02);
            }
        }
    }

    /**
     * Three builds in one transaction over a committed base, each reading what the ones before it
     * changed: A deletes a block of committed nodes and inserts new ones, B deletes more (some of
     * A's new ones among them) and inserts, C inserts copies of deleted vectors, next to the holes.
     * Workers read the committed graph, where A's and B's deleted nodes still stand.
     */
    @Test
    void buildsInOneTransactionSeeEachOthersDeletionsAndInserts() {
        Map<Integer, float[]> all = data(3000, 15);
        Map<Integer, float[]> live = new LinkedHashMap<>();
        RoaringBitmap deleted = new RoaringBitmap();
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < 2000; i++) {
                    w.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                w.build(opts());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 0; i < 400; i++) {
                    w.delete(i);
                    live.remove(i);
                    deleted.add(i);
                }
                for (int i = 2000; i < 2400; i++) {
                    w.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                w.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
                for (int i = 400; i < 600; i++) {
                    w.delete(i);
                    live.remove(i);
                    deleted.add(i);
                }
                for (int i = 2000; i < 2200; i++) {
                    w.delete(i);
                    live.remove(i);
                    deleted.add(i);
                }
                for (int i = 2400; i < 2600; i++) {
                    w.add(i, all.get(i));
                    live.put(i, all.get(i));
                }
                w.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
                Random r = new Random(3);
                for (int i = 2600; i < 3000; i++) {
                    float[] near = all.get(r.nextInt(600)).clone();
                    near[0] += 0.01f;
                    w.add(i, near);
                    live.put(i, near);
                }
                w.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                HnswReader r = HnswReader.open(txn, 0);
                assertThat(r.ids()).isEqualTo(RoaringBitmap.bitmapOf(live.keySet().stream().mapToInt(Integer::intValue).toArray()));
                assertThat(meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 200)).isGreaterThanOrEqualTo(0.95);
                for (int id = 0; id < 600; id += 7) {
                    for (int found : r.search(all.get(id), SearchOptions.builder().k(10).ef(64).build()).ids()) {
                        assertThat(deleted.contains(found)).as("deleted id %d returned", found).isFalse();
                    }
                }
            }
        }
    }

    /** Every link list (outgoing and incoming) and int8 code of the index, by key, as bytes. */
    private static Map<String, java.nio.ByteBuffer> listsAndCodes(Store store) {
        Map<String, java.nio.ByteBuffer> out = new java.util.HashMap<>();
        try (ReadTxn txn = store.read()) {
            txn.scan(0, KeyKind.LINKS, (id, level, v) -> {
                out.put("L" + id + "/" + level, copy(v));
                return true;
            });
            txn.scan(0, KeyKind.CODE, (id, level, v) -> {
                out.put("C" + id, copy(v));
                return true;
            });
        }
        return out;
    }

    private static java.nio.ByteBuffer copy(java.nio.ByteBuffer v) {
        java.nio.ByteBuffer c = java.nio.ByteBuffer.allocate(v.remaining());
        c.put(v.duplicate()).flip();
        return c;
    }

    /**
     * An incremental build writes in proportion to its changes: inserting 10 items and deleting 5
     * in an index of 5,000 rewrites the lists of the new nodes, of their neighbours and of the
     * deleted nodes' neighbours, and codes only the new items: 266 of 15,925 lists and codes
     * changed here. (A build from scratch of the same items changed 1,042: with the same seed it
     * draws the same levels and finds most of the same lists again, so this bounds what changes,
     * not what is rewritten.)
     */
    @Test
    void anIncrementalBuildWritesInProportionToItsChanges() {
        Map<Integer, float[]> d = data(N, 17);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 0, opts());
            Map<String, java.nio.ByteBuffer> before = listsAndCodes(store);
            Map<Integer, float[]> more = data(N + 10, 18);
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = N; i < N + 10; i++) {
                    w.add(i, more.get(i));
                }
                for (int i = 100; i < 600; i += 100) {
                    w.delete(i);
                }
                w.build(opts());
            });
            Map<String, java.nio.ByteBuffer> after = listsAndCodes(store);
            long changed = after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).count()
                    + before.keySet().stream().filter(k -> !after.containsKey(k)).count();
            assertThat(changed).as("lists and codes written or removed, of %d", before.size()).isLessThanOrEqualTo(700);
            assertThat(before.size()).isGreaterThan(10_000);
        }
    }

    /** Converting a graph to a forest leaves nothing of the graph: no lists, no graph metadata. */
    @Test
    void convertingToAForestDropsTheGraph() {
        Map<Integer, float[]> d = data(2000, 16);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 0, opts());
            store.write(txn -> io.quiver.index.forest.ForestWriter.open(txn, 0).build(io.quiver.index.forest.ForestBuildOptions.builder().threads(2).build()));
            try (ReadTxn txn = store.read()) {
                AtomicInteger lists = new AtomicInteger();
                txn.scan(0, KeyKind.LINKS, (id, level, value) -> {
                    lists.incrementAndGet();
                    return true;
                });
                assertThat(lists.get()).as("link lists left").isZero();
                assertThat(HnswMetadata.read(txn, 0)).isNull();
                assertThat(ItemStore.open(txn, 0).metadata().algorithm()).isEqualTo(Algorithm.FOREST);
                assertThat(io.quiver.index.forest.ForestReader.open(txn, 0).search(d.get(7), SearchOptions.builder().k(1).build()).ids()).containsExactly(7);
            }
        }
    }

    /**
     * A writer opened before another writer of the same transaction converted its index acts on
     * the index as it now is: the graph writer sees the forest, needs a build, and its build drops
     * every tree node (a cached "still a graph" left them all behind).
     */
    @Test
    void aWriterOpenedBeforeAConversionInTheSameTransactionSeesIt() {
        Map<Integer, float[]> d = data(2000, 17);
        try (Store store = Store.open(dir)) {
            createAndBuild(store, d, 0, opts());
            store.write(txn -> {
                HnswWriter early = HnswWriter.open(txn, 0);
                io.quiver.index.forest.ForestWriter.open(txn, 0).build(io.quiver.index.forest.ForestBuildOptions.builder().threads(2).build());
                assertThat(early.needsBuild()).isTrue();
                assertThat(early.keptParameters()).isNull();
                early.build(opts());
            });
            try (ReadTxn txn = store.read()) {
                AtomicInteger treeNodes = new AtomicInteger();
                txn.scan(0, KeyKind.TREE_NODE, (id, level, value) -> {
                    treeNodes.incrementAndGet();
                    return true;
                });
                assertThat(treeNodes.get()).as("forest nodes left").isZero();
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
                assertThat(HnswReader.open(txn, 0).search(d.get(7), SearchOptions.builder().k(1).build()).ids()).containsExactly(7);
            }
            store.write(txn -> {
                io.quiver.index.forest.ForestWriter early = io.quiver.index.forest.ForestWriter.open(txn, 0);
                HnswWriter.open(txn, 0).clear();
                HnswWriter.open(txn, 0).build(opts());
                assertThat(early.needsBuild()).as("after a clear and a graph build")
                        .isEqualTo(io.quiver.index.forest.ForestWriter.open(txn, 0).needsBuild());
                ItemStore.open(txn, 0).drop();
                HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS + 1);
                assertThatThrownBy(early::needsBuild).isInstanceOf(QuiverException.class)
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.INDEX_MISMATCH);
            });
        }
    }

    /** An index created and never built, or emptied by clear(), is sound and has no parameters yet. */
    @Test
    void anEmptyOrClearedIndexChecksCleanAndHasNoParameters() {
        try (Store store = Store.open(dir)) {
            createAndBuild(store, data(300, 18), 0, opts());
            store.write(txn -> {
                HnswWriter.open(txn, 0).clear();
                HnswWriter.create(txn, 1, DistanceKind.EUCLIDEAN, DIMS);
            });
            try (ReadTxn txn = store.read()) {
                for (int index : new int[] {0, 1}) {
                    HnswReader r = HnswReader.open(txn, index);
                    assertThat(r.check()).as("index %d", index).isEmpty();
                    assertThat(r.parameters()).as("index %d", index).isNull();
                    assertThat(r.size()).isZero();
                    assertThat(r.stats().algorithm()).as("index %d", index).isEqualTo(Algorithm.NONE);
                    assertThat(r.search(new float[DIMS], SearchOptions.builder().k(3).build()).ids()).isEmpty();
                }
            }
        }
    }

    @Test
    void buildCancellationLeavesNoHalfBuiltState() {
        Map<Integer, float[]> d = data(3000, 11);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < 1000; i++) {
                    w.add(i, d.get(i));
                }
                w.build(opts());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 1000; i < 3000; i++) {
                    w.add(i, d.get(i));
                }
                for (int i = 0; i < 100; i++) {
                    w.delete(i);
                }
                AtomicInteger polls = new AtomicInteger();
                HnswBuildOptions cancelling = HnswBuildOptions.builder().m(12).efConstruction(100).threads(2)
                        .cancel(() -> polls.incrementAndGet() > 5).build();
                assertThatThrownBy(() -> w.build(cancelling)).isInstanceOf(QuiverException.class)
                        .extracting(e -> ((QuiverException) e).kind()).isEqualTo(ErrorKind.CANCELLED);
                assertThat(w.needsBuild()).isTrue();
                assertThat(txn.get(0, KeyKind.LINKS, 1500, 0)).isNull();
                assertThat(txn.get(0, KeyKind.LINKS, 5, 0)).isNotNull();
                w.build(opts());
                HnswTestSupport.checkGraph(txn, 0);
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswReader.open(txn, 0).size()).isEqualTo(2900);
            }
        }
    }
}
