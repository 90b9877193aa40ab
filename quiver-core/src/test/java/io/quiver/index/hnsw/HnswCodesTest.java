package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.distance.DistanceKind;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemCodes;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestWriter;
import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.Txn;
import io.quiver.testing.StoredIds;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/** The int8 codes an HNSW index keeps for traversal: maintained with the graph, and searches stay exact-ranked. */
class HnswCodesTest {
    static final int DIMS = HnswIndexTest.DIMS;

    @TempDir
    Path dir;

    private static RoaringBitmap coded(Txn txn) {
        return StoredIds.of(txn, 0, KeyKind.CODE);
    }

    /** Creates index 0 with every item of {@code d} and builds it. */
    private static void build(Store store, DistanceKind kind, Map<Integer, float[]> d, HnswBuildOptions opts) {
        store.write(txn -> {
            HnswWriter w = HnswWriter.create(txn, 0, kind, DIMS);
            d.forEach(w::add);
            w.build(opts);
        });
    }

    private static RoaringBitmap ids(Map<Integer, float[]> d) {
        return RoaringBitmap.bitmapOf(d.keySet().stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void codesFollowInsertsDeletesAndRebuilds() {
        Map<Integer, float[]> d = HnswIndexTest.data(3000, 3);
        Map<Integer, float[]> live = new LinkedHashMap<>();
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                d.forEach((id, v) -> {
                    if (id < 2000) {
                        w.add(id, v);
                        live.put(id, v);
                    }
                });
                w.build(HnswIndexTest.opts());
            });
            ScalarQuantizer first;
            try (ReadTxn txn = store.read()) {
                first = ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS));
                assertThat(first).isNotNull();
                assertThat(coded(txn)).isEqualTo(ids(live));
                HnswTestSupport.checkGraph(txn, 0);
            }
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 0; id < 2000; id += 7) {
                    w.delete(id);
                    live.remove(id);
                }
                for (int id = 2000; id < 3000; id++) {
                    w.add(id, d.get(id));
                    live.put(id, d.get(id));
                }
                w.build(HnswIndexTest.opts());
            });
            try (ReadTxn txn = store.read()) {
                // an incremental build keeps the range and codes exactly the live items
                assertThat(ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS))).isEqualTo(first);
                assertThat(coded(txn)).isEqualTo(ids(live));
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswIndexTest.meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 100)).isGreaterThanOrEqualTo(0.95);
            }
            // without codes, a rebuild from scratch removes them; the walk then uses the vectors
            store.write(txn -> HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().m(12).efConstruction(100).threads(2)
                    .forceRebuild(true).int8Codes(false).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(txn.get(0, KeyKind.METADATA, IndexMetadata.CODES)).isNull();
                assertThat(coded(txn)).isEmpty();
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(HnswIndexTest.meanRecall(txn, live, DistanceKind.EUCLIDEAN, 64, null, 100)).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void searchesWithCodesRankByExactDistance() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            Map<Integer, float[]> d = HnswIndexTest.data(3000, 4);
            double[] recall = new double[2];
            for (int codes = 0; codes < 2; codes++) {
                boolean withCodes = codes == 1;
                try (Store store = Store.open(dir.resolve(kind.cliName() + codes))) {
                    build(store, kind, d, HnswBuildOptions.builder().m(12).efConstruction(100).threads(2).int8Codes(withCodes).build());
                    try (ReadTxn txn = store.read()) {
                        assertThat(coded(txn).getCardinality()).isEqualTo(withCodes ? 3000 : 0);
                        HnswTestSupport.checkGraph(txn, 0);
                        // ef 128: on this 32-d data recall at ef 64 is 0.93-0.99 with or without codes (seed to seed)
                        recall[codes] = HnswIndexTest.meanRecall(txn, d, kind, 128, null, 300);
                        HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                        // re-ranked: an item finds itself first at distance 0, and distances ascend
                        SearchResult self = r.searchItem(123, SearchOptions.k(5));
                        assertThat(self.ids()[0]).isEqualTo(123);
                        assertThat(self.neighbors().get(0).distance()).isCloseTo(0f, within(1e-5f));
                        for (int i = 1; i < self.neighbors().size(); i++) {
                            assertThat(self.neighbors().get(i).distance()).isGreaterThanOrEqualTo(self.neighbors().get(i - 1).distance());
                        }
                    }
                }
            }
            assertThat(recall[1]).as(kind.cliName() + " with codes").isGreaterThanOrEqualTo(0.97);
            assertThat(recall[1]).as(kind.cliName() + " codes vs vectors").isCloseTo(recall[0], within(0.02));
        }
    }

    /**
     * Items inserted far outside the stored range widen it, and every item is recoded: clamped to
     * the old range, the new items were found by about a third of the queries among them.
     */
    @Test
    void insertsOutsideTheRangeWidenItAndRecodeEveryItem() {
        java.util.Random r = new java.util.Random(11);
        Map<Integer, float[]> old = new LinkedHashMap<>();
        Map<Integer, float[]> all = new LinkedHashMap<>();
        for (int id = 0; id < 1500; id++) {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                // integers 0..200, then integers 300..500: both coded exactly by their own range
                v[j] = id < 1000 ? r.nextInt(201) : 300 + r.nextInt(201);
            }
            (id < 1000 ? old : all).put(id, v);
        }
        all.putAll(old);
        try (Store store = Store.open(dir)) {
            build(store, DistanceKind.EUCLIDEAN, old, HnswIndexTest.opts());
            ScalarQuantizer first;
            try (ReadTxn txn = store.read()) {
                first = ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS));
                assertThat(first.onIntegerGrid()).isTrue();
                assertThat(first.hi()).isLessThan(300f);
            }
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                all.forEach((id, v) -> {
                    if (id >= 1000) {
                        w.add(id, v);
                    }
                });
                assertThat(w.build(HnswIndexTest.opts()).asMap()).containsKey("recode every item (int8 range widened)");
            });
            ScalarQuantizer widened;
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                widened = ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS));
                assertThat(widened.lo()).isLessThanOrEqualTo(0f);
                assertThat(widened.hi()).isGreaterThanOrEqualTo(500f);
                // the old items' largest value is not known, so a widened range promises no exact codes
                assertThat(widened.onIntegerGrid()).isFalse();
                // every code, old items' included, is the code of its vector in the new range
                java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocateDirect(widened.codeBytes());
                for (int id : all.keySet()) {
                    widened.encodeItem(io.quiver.storage.NativeMemory.address(txn.get(0, KeyKind.ITEM, id)), expected);
                    assertThat(txn.get(0, KeyKind.CODE, id)).as("code of %d", id).isEqualTo(expected);
                }
                HnswReader reader = HnswReader.open(txn, 0).walkingSmallIndexes();
                HnswTestSupport.Exact exact = new HnswTestSupport.Exact(DistanceKind.EUCLIDEAN.create(DIMS), all);
                double recall = 0;
                for (int i = 0; i < 100; i++) {
                    float[] q = all.get(1000 + r.nextInt(500)).clone();
                    for (int j = 0; j < DIMS; j++) {
                        q[j] += (float) r.nextGaussian();
                    }
                    recall += exact.recall(q, reader.search(q, SearchOptions.k(10)), 10, null);
                }
                assertThat(recall / 100).as("recall near the new items").isGreaterThanOrEqualTo(0.95);
            }
            // items inside the widened range leave it as it is
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                w.add(5000, all.get(1200).clone());
                assertThat(w.build(HnswIndexTest.opts()).asMap()).containsKey("write int8 codes");
            });
            try (ReadTxn txn = store.read()) {
                assertThat(ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS))).isEqualTo(widened);
            }
        }
    }

    @Test
    void itemsOutsideTheFittedRangeAreStillFound() {
        Map<Integer, float[]> d = HnswIndexTest.data(2000, 5);
        try (Store store = Store.open(dir)) {
            build(store, DistanceKind.EUCLIDEAN, d, HnswIndexTest.opts());
            // far outside the range the codes were fitted to: every component clamps
            float[][] far = new float[20][DIMS];
            for (int i = 0; i < far.length; i++) {
                for (int j = 0; j < DIMS; j++) {
                    far[i][j] = 1000f + 10f * i + (j % 3);
                }
            }
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 0; i < far.length; i++) {
                    w.add(10_000 + i, far[i]);
                }
                w.build(HnswIndexTest.opts());
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                for (int i = 0; i < far.length; i++) {
                    SearchResult res = r.search(far[i], SearchOptions.builder().k(1).ef(64).build());
                    assertThat(res.ids()).as("far item %d", i).containsExactly(10_000 + i);
                }
            }
        }
    }

    @Test
    void aGraphFirstBuiltEmptyGetsCodesWhenItemsArrive() {
        Map<Integer, float[]> d = HnswIndexTest.data(1000, 6);
        try (Store store = Store.open(dir)) {
            store.write(txn -> HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS).build(HnswIndexTest.opts()));
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                d.forEach(w::add);
                w.build(HnswIndexTest.opts());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn)).isEqualTo(ids(d));
                HnswTestSupport.checkGraph(txn, 0);
            }
        }
    }

    @Test
    void conversionsRecodeAndClearingDropsTheCodes() {
        Map<Integer, float[]> d = HnswIndexTest.data(1000, 7);
        try (Store store = Store.open(dir)) {
            build(store, DistanceKind.EUCLIDEAN, d, HnswIndexTest.opts());
            // the forest keeps codes too; without them wanted, the conversion drops them
            store.write(txn -> ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(4).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn)).isEqualTo(ids(d));
            }
            store.write(txn -> HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().int8Codes(false).build()));
            store.write(txn -> ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(4).int8Codes(false).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn)).isEmpty();
                assertThat(txn.get(0, KeyKind.METADATA, IndexMetadata.CODES)).isNull();
            }
            store.write(txn -> HnswWriter.open(txn, 0).build(HnswIndexTest.opts()));
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn)).isEqualTo(ids(d));
                HnswTestSupport.checkGraph(txn, 0);
            }
            store.write(txn -> HnswWriter.open(txn, 0).clear());
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn)).isEmpty();
                assertThat(txn.get(0, KeyKind.METADATA, IndexMetadata.CODES)).isNull();
            }
        }
    }

    /**
     * Integer data coded with step 1 get exact codes, and a search then measures only its best k on
     * the vectors. Its answers must be those of the whole beam re-ranked, with exact distances, also
     * after an item whose code rounds has joined (its code is not exact, so beams holding it are
     * re-ranked whole).
     */
    @Test
    void exactCodesAnswerExactly() {
        java.util.Random r = new java.util.Random(5);
        Map<Integer, float[]> d = new LinkedHashMap<>();
        for (int id = 0; id < 1500; id++) {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = r.nextInt(60);
            }
            d.put(id, v);
        }
        try (Store store = Store.open(dir)) {
            build(store, DistanceKind.EUCLIDEAN, d, HnswIndexTest.opts());
            try (ReadTxn txn = store.read()) {
                assertThat(ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS)).onIntegerGrid()).isTrue();
                for (int id : d.keySet()) {
                    assertThat(txn.get(0, KeyKind.CODE, id).get(0)).as("code header of %d", id).isEqualTo(ScalarQuantizer.CODE_EXACT);
                }
                assertExactAnswers(HnswReader.open(txn, 0).walkingSmallIndexes(), d, r);
            }
            float[] half = d.get(0).clone();
            half[0] += 0.5f;
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                w.add(5000, half);
                w.build(HnswIndexTest.opts());
            });
            d.put(5000, half);
            try (ReadTxn txn = store.read()) {
                // rounded, not exact: its header states half a unit, its one component's rounding
                int header = txn.get(0, KeyKind.CODE, 5000).get(0) & 0xFF;
                assertThat(header).isGreaterThanOrEqualTo(ScalarQuantizer.CODE_RESIDUAL_FIRST);
                ScalarQuantizer sq = ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(DIMS));
                assertThat(sq.residualBound(header)).isBetween(0.5, 0.5 + Math.sqrt(DIMS) / 256 + 1e-3);
                HnswReader reader = HnswReader.open(txn, 0).walkingSmallIndexes();
                // ef above the item count: the walk visits every node it can reach
                SearchResult res = reader.search(half, SearchOptions.builder().k(2).ef(2000).build());
                assertThat(res.neighbors().get(0).id()).isEqualTo(5000);
                assertThat(res.neighbors().get(0).distance()).isZero();
                assertThat(res.neighbors().get(1).distance()).isCloseTo(0.5f, within(1e-6f));
                assertExactAnswers(reader, d, r);
            }
        }
    }

    /**
     * For integer and fractional queries, the top 10 equal the top 10 of the same search re-ranked
     * whole (k = ef, so the shortcut cannot apply; ties may swap ids), and every distance returned
     * is the exact distance of its id. (Not brute force: the graph is approximate, and a parallel
     * build is not the same from run to run.)
     */
    /**
     * Re-ranking closest code first and skipping the bounded codes past the k-th exact distance
     * returns what measuring the whole beam returns, ids and distances, for both coded distances.
     * The data make rounding matter: tight clusters (spread 0.1) in a range whose code step is
     * ~0.08, so the codes order a cluster only roughly and the bound's exact margin keeps the true
     * nearest in (a bound 1.3 times too optimistic fails here). Tighter clusters keep no codes at
     * all (spread 0.01 until the fitter judged items against their neighbours:
     * {@code CodeResolutionTest.tightClustersFarApartAreJudgedOnNeighbours}). Some items are clamped far outside the code range (always measured), and a zero
     * cosine query (no bound at all) is among the queries. It does skip most of a wide beam.
     */
    @Test
    void theReRankingBoundChangesNoAnswer() {
        java.util.Random r = new java.util.Random(11);
        float[][] centres = new float[60][DIMS];
        for (float[] c : centres) {
            for (int j = 0; j < DIMS; j++) {
                c[j] = r.nextFloat() * 20 - 10;
            }
        }
        java.util.function.Supplier<float[]> point = () -> {
            float[] c = centres[r.nextInt(centres.length)];
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = c[j] + (float) r.nextGaussian() * 0.1f;
            }
            return v;
        };
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            Map<Integer, float[]> d = new LinkedHashMap<>();
            for (int i = 0; i < 3000; i++) {
                d.put(i, point.get());
            }
            try (Store store = Store.open(dir.resolve(kind.cliName()))) {
                build(store, kind, d, HnswIndexTest.opts());
                // A later batch of 2,000 with 40 outliers (ids 3001-3040) that the stored range
                // clamps by far more than rounding; the range is not widened for them, as the
                // items it checks for a shift (every 62nd of the batch) are all ordinary.
                Map<Integer, float[]> batch = new LinkedHashMap<>();
                Map<Integer, float[]> outliers = new LinkedHashMap<>();
                for (int i = 0; i < 2000; i++) {
                    float[] v = point.get();
                    if (i >= 1 && i <= 40) {
                        v[r.nextInt(DIMS)] = 500f;
                        outliers.put(3000 + i, v);
                    }
                    batch.put(3000 + i, v);
                }
                store.write(txn -> {
                    HnswWriter w = HnswWriter.open(txn, 0);
                    batch.forEach(w::add);
                    w.build(HnswIndexTest.opts());
                });
                d.putAll(batch);
                try (ReadTxn txn = store.read()) {
                    int clamped = 0;
                    for (int id : outliers.keySet()) {
                        clamped += txn.get(0, KeyKind.CODE, id).get(0) == ScalarQuantizer.CODE_VERSION ? 1 : 0;
                    }
                    assertThat(clamped).as(kind + ": outliers coded as clamped").isEqualTo(outliers.size());
                    HnswReader bounded = HnswReader.open(txn, 0).walkingSmallIndexes();
                    HnswReader whole = HnswReader.open(txn, 0).walkingSmallIndexes().measuringWholeBeam();
                    float[][] queries = new float[80][];
                    for (int q = 0; q < queries.length; q++) {
                        queries[q] = q < 20 ? d.get(3001 + q) : point.get();
                    }
                    queries[79] = new float[DIMS]; // zero: for cosine, at distance 1 from everything
                    for (float[] q : queries) {
                        for (int ef : new int[] {10, 64, 300}) {
                            SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
                            assertThat(bounded.search(q, o).neighbors()).as("%s ef %d", kind, ef).isEqualTo(whole.search(q, o).neighbors());
                        }
                    }
                    // 80 queries x ~290 of ef 300 past the 10 best: most of them are skipped
                    assertThat(bounded.skippedByBound()).as(kind.toString()).isGreaterThan(80 * 100);
                    assertThat(whole.skippedByBound()).isZero();
                }
                // check's code comparison: a clamped code that claims the bound is damage
                int outlier = outliers.keySet().iterator().next();
                io.quiver.distance.Distance dist = kind.create(DIMS);
                store.write(txn -> {
                    ScalarQuantizer sq = ItemCodes.read(txn, 0, dist);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, outlier)).isTrue();
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, 5)).isTrue();
                    java.nio.ByteBuffer code = txn.get(0, KeyKind.CODE, outlier);
                    byte[] b = new byte[code.remaining()];
                    code.get(0, b);
                    b[0] = ScalarQuantizer.CODE_BOUNDED;
                    txn.put(0, KeyKind.CODE, outlier, b);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, outlier)).isFalse();
                    b[0] = (byte) 0xFF; // the largest residual a header states, still far short
                    txn.put(0, KeyKind.CODE, outlier, b);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, outlier)).isFalse();
                    // an ordinary item's code stating less than its own residual
                    java.nio.ByteBuffer own = txn.get(0, KeyKind.CODE, 5);
                    byte[] c = new byte[own.remaining()];
                    own.get(0, c);
                    assertThat(c[0] & 0xFF).isGreaterThan(ScalarQuantizer.CODE_RESIDUAL_FIRST);
                    c[0]--;
                    txn.put(0, KeyKind.CODE, 5, c);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, 5)).isFalse();
                });
            }
        }
    }

    /**
     * A store written before the twenty-third session marked a code exact by its float unit values
     * alone, zero cosine vectors included (non-negative data: the range starts at 0, where a zero
     * vector's units all are). Such vectors are now coded as zero vectors (header 4), and {@code
     * check} still accepts the old header-2 codes as long as they are what the kernel makes of their
     * vectors (a review found the first version reporting healthy old stores as damaged).
     */
    @Test
    void checkAcceptsExactCodesOfOlderStores() {
        java.util.Random r = new java.util.Random(21);
        Map<Integer, float[]> d = new LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            float[] v = new float[DIMS];
            if (i % 50 != 0) {
                for (int j = 0; j < DIMS; j++) {
                    v[j] = r.nextInt(4) == 0 ? r.nextInt(10) : 0;
                }
                v[r.nextInt(DIMS)] += 1; // never zero
            }
            d.put(i, v);
        }
        io.quiver.distance.Distance dist = DistanceKind.COSINE.create(DIMS);
        try (Store store = Store.open(dir)) {
            build(store, DistanceKind.COSINE, d, HnswIndexTest.opts());
            store.write(txn -> {
                ScalarQuantizer sq = ItemCodes.read(txn, 0, dist);
                assertThat(sq.lo()).isZero();
                java.nio.ByteBuffer code = txn.get(0, KeyKind.CODE, 0);
                byte[] old = new byte[code.remaining()];
                code.get(0, old); // before the next get, which repoints the transaction's buffer
                assertThat(old[0]).as("a zero cosine vector's code").isEqualTo(ScalarQuantizer.CODE_ZERO);
                assertThat(sq.quantizesExactly(io.quiver.storage.NativeMemory.address(txn.get(0, KeyKind.ITEM, 0)))).isTrue();
                old[0] = ScalarQuantizer.CODE_EXACT; // as the older version wrote it
                txn.put(0, KeyKind.CODE, 0, old);
                assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, 0)).isTrue();
                old[1] = (byte) (old[1] + 1); // no longer what its vector codes to
                txn.put(0, KeyKind.CODE, 0, old);

                assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, 0)).isFalse();
            });
        }
    }

    /**
     * Inputs a review found where the bound broke (16-d): a cosine item whose squared norm is
     * subnormal (its float norm is so coarse that it scales to length 1.18; it is the nearest, at
     * distance 0, and was skipped), cosine queries whose squared norm is subnormal or overflows
     * float, and a Euclidean query so far out that its code distance overflows to infinity.
     */
    @Test
    void theReRankingBoundHoldsForExtremeNorms() {
        int dims = 16;
        java.util.Random r = new java.util.Random(5);
        java.util.function.BiFunction<Integer, Double, float[]> nearAxis = (j, c) -> {
            float[] v = new float[dims];
            v[0] = c.floatValue();
            v[j] += (float) Math.sqrt(1 - c * c);
            return v;
        };
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.COSINE, DistanceKind.EUCLIDEAN}) {
            Map<Integer, float[]> d = new LinkedHashMap<>();
            float[] tiny = new float[dims];
            tiny[0] = 4.4e-23f; // squared norm 1.9e-45: a subnormal float
            if (kind == DistanceKind.COSINE) {
                // refused now (its norm rounded to 0: taken for a zero vector); the smallest accepted instead
                assertThatThrownBy(() -> kind.create(dims).validate(tiny)).hasMessageContaining("scale the vectors up");
                tiny[0] = 1.001e-15f;
            }
            d.put(0, tiny);
            for (int j = 1; j < dims; j++) {
                d.put(j, nearAxis.apply(j, 0.995)); // cosine distance 0.005 from the first axis
                d.put(100 + j, nearAxis.apply(j, 0.9));
            }
            for (int i = 0; i < 1500; i++) {
                float[] v = new float[dims];
                for (int j = 0; j < dims; j++) {
                    v[j] = kind == DistanceKind.EUCLIDEAN ? r.nextFloat() : (float) r.nextGaussian();
                }
                d.put(1000 + i, v);
            }
            try (Store store = Store.open(dir.resolve("extreme-" + kind.cliName()))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                    d.forEach(w::add);
                    w.build(HnswBuildOptions.builder().m(12).efConstruction(100).threads(1).build());
                });
                try (ReadTxn txn = store.read()) {
                    HnswReader bounded = HnswReader.open(txn, 0).walkingSmallIndexes();
                    HnswReader whole = HnswReader.open(txn, 0).walkingSmallIndexes().measuringWholeBeam();
                    float[] axis = new float[dims];
                    axis[0] = 1f;
                    float[] tinyQuery = new float[dims];
                    tinyQuery[0] = tiny[0];
                    float[] hugeQuery = new float[dims];
                    hugeQuery[0] = 6e18f; // squared norm near the largest accepted, 4.25e37 (Distance.validate)
                    float[] tooHuge = new float[dims];
                    tooHuge[0] = 2e19f; // squared norm overflows float: every cosine distance came out 1
                    assertThatThrownBy(() -> bounded.search(tooHuge, SearchOptions.k(3))).hasMessageContaining("scale the vectors down");
                    float[] farQuery = new float[dims];
                    farQuery[0] = 1e18f; // code units overflow a float square
                    for (float[] q : new float[][] {axis, tinyQuery, hugeQuery, farQuery}) {
                        for (int k : new int[] {3, 5, 10}) {
                            SearchOptions o = SearchOptions.builder().k(k).ef(100).build();
                            assertThat(bounded.search(q, o).neighbors()).as("%s %s k %d", kind, q[0], k).isEqualTo(whole.search(q, o).neighbors());
                            assertThat(bounded.searchItem(0, o).neighbors()).as("%s item 0 k %d", kind, k).isEqualTo(whole.searchItem(0, o).neighbors());
                        }
                    }
                    if (kind == DistanceKind.COSINE) {
                        assertThat(bounded.search(axis, SearchOptions.builder().k(3).ef(64).build()).neighbors().get(0).id()).isZero();
                    }
                }
                // check holds a code to what its header states: one component moved by one step
                // (which the general comparison allows) is reported, both for the residual a header
                // states and, in a code written before residual headers, for half a step
                io.quiver.distance.Distance dist = kind.create(dims);
                store.write(txn -> {
                    ScalarQuantizer sq = ItemCodes.read(txn, 0, dist);
                    int id = 1000;
                    java.nio.ByteBuffer code = txn.get(0, KeyKind.CODE, id);
                    assertThat(code.get(0) & 0xFF).isGreaterThanOrEqualTo(ScalarQuantizer.CODE_RESIDUAL_FIRST);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, id)).isTrue();
                    byte[] b = new byte[code.remaining()];
                    code.get(0, b);
                    byte[] up = b.clone();
                    up[1] = (byte) (b[1] == Byte.MAX_VALUE ? b[1] - 1 : b[1] + 1);
                    byte[] down = b.clone();
                    down[1] = (byte) (b[1] == Byte.MIN_VALUE ? b[1] + 1 : b[1] - 1);
                    // moved away from its item by a step, a component adds at least one unit squared
                    txn.put(0, KeyKind.CODE, id, up);
                    boolean upPasses = ItemCodes.matchesItem(txn, 0, dist, sq, id);
                    txn.put(0, KeyKind.CODE, id, down);
                    boolean downPasses = ItemCodes.matchesItem(txn, 0, dist, sq, id);
                    assertThat(upPasses && downPasses).isFalse();
                    up[0] = ScalarQuantizer.CODE_BOUNDED;
                    down[0] = ScalarQuantizer.CODE_BOUNDED;
                    b[0] = ScalarQuantizer.CODE_BOUNDED;
                    txn.put(0, KeyKind.CODE, id, b);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, id)).isTrue();
                    txn.put(0, KeyKind.CODE, id, up);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, id)).isFalse();
                    txn.put(0, KeyKind.CODE, id, down);
                    assertThat(ItemCodes.matchesItem(txn, 0, dist, sq, id)).isFalse();
                });
            }
        }
    }

    private static void assertExactAnswers(HnswReader reader, Map<Integer, float[]> d, java.util.Random r) {
        for (int t = 0; t < 30; t++) {
            float[] q = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                q[j] = t % 2 == 0 ? r.nextInt(60) : (float) (r.nextDouble() * 60);
            }
            SearchResult res = reader.search(q, SearchOptions.builder().k(10).ef(400).build());
            SearchResult whole = reader.search(q, SearchOptions.builder().k(400).ef(400).build());
            assertThat(res.neighbors()).hasSize(10);
            for (int i = 0; i < 10; i++) {
                float[] v = d.get(res.neighbors().get(i).id());
                double s = 0;
                for (int j = 0; j < DIMS; j++) {
                    s += (q[j] - v[j]) * (double) (q[j] - v[j]);
                }
                assertThat((double) res.neighbors().get(i).distance()).as("query %d, rank %d: exact distance", t, i).isCloseTo(Math.sqrt(s), within(1e-3));
                assertThat(res.neighbors().get(i).distance()).as("query %d, rank %d: as re-ranked whole", t, i)
                        .isEqualTo(whole.neighbors().get(i).distance());
            }
        }
    }
}
