package io.quiver.index.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.distance.DistanceKind;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.ItemCodes;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.StoredIds;
import io.quiver.testing.Vectors;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/** A forest that keeps int8 codes ranks on them and re-ranks exactly: same recall, codes follow the items. */
class ForestCodesTest {
    @TempDir
    Path dir;

    static final float[][] BASE = ForestTest.BASE;
    static final float[][] QUERIES = ForestTest.QUERIES;

    private static ForestBuildOptions opts(boolean codes) {
        return ForestBuildOptions.builder().nTrees(8).splitAfter(32).threads(2).seed(7).int8Codes(codes).build();
    }

    private static RoaringBitmap coded(ReadTxn txn) {
        return StoredIds.of(txn, 0, KeyKind.CODE);
    }

    /**
     * A damaged store whose item lost its vector but kept its int8 code: a search that ranked it
     * on codes then measured the vector at address 0 and crashed the JVM (SIGSEGV; a review
     * helper's flipped bytes). It now fails as corrupted data.
     */
    @Test
    void aCodeWithoutItsVectorIsCorruptionNotACrash() {
        try (Store store = Store.open(dir.resolve("damaged"))) {
            ForestTest.load(store, DistanceKind.EUCLIDEAN, BASE, opts(true));
            store.write(txn -> txn.delete(0, KeyKind.ITEM, 5)); // as damage does: the tree and the code still name it
            try (ReadTxn txn = store.read()) {
                ForestReader r = ForestReader.open(txn, 0);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.search(BASE[5], SearchOptions.builder().k(10).searchK(400).build()))
                        .isInstanceOfSatisfying(io.quiver.storage.QuiverException.class, e -> assertThat(e.kind()).isEqualTo(io.quiver.storage.ErrorKind.CORRUPTED))
                        .hasMessageContaining("item 5 of index 0 has an int8 code but no vector");
            }
        }
    }

    /**
     * A new split size rebuilds every tree and decides the codes again, as a build from scratch
     * does: an index built without codes kept none through such rebuilds, whatever was asked.
     */
    @Test
    void aNewSplitSizeDecidesTheCodesAgain() {
        try (Store store = Store.open(dir.resolve("resplit"))) {
            ForestTest.load(store, DistanceKind.EUCLIDEAN, BASE, opts(false));
            store.write(txn -> ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(8).splitAfter(40).threads(2).seed(7).int8Codes(true).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(BASE[0].length))).isNotNull();
                assertThat(coded(txn).getCardinality()).isEqualTo(BASE.length);
                assertThat(ForestReader.open(txn, 0).check()).isEmpty();
            }
            store.write(txn -> ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(8).splitAfter(48).threads(2).seed(7).int8Codes(false).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(ItemCodes.read(txn, 0, DistanceKind.EUCLIDEAN.create(BASE[0].length))).isNull();
                assertThat(coded(txn).isEmpty()).isTrue();
            }
            // the same split size: incremental, the codes stay as they are (off)
            store.write(txn -> ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(8).splitAfter(48).threads(2).seed(7).int8Codes(true).build()));
            try (ReadTxn txn = store.read()) {
                assertThat(coded(txn).isEmpty()).isTrue();
            }
        }
    }

    @Test
    void rankingOnCodesKeepsRecallAndExactDistances() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            double[] recall = new double[2];
            for (int c = 0; c < 2; c++) {
                boolean codes = c == 1;
                try (Store store = Store.open(dir.resolve(kind.cliName() + c))) {
                    ForestTest.load(store, kind, BASE, opts(codes));
                    try (ReadTxn txn = store.read()) {
                        ForestReader r = ForestReader.open(txn, 0);
                        assertThat(r.check()).isEmpty();
                        assertThat(coded(txn).getCardinality()).isEqualTo(codes ? BASE.length : 0);
                        double sum = 0;
                        for (float[] q : QUERIES) {
                            SearchResult res = r.search(q, SearchOptions.builder().k(10).searchK(400).build());
                            sum += Vectors.recall(res.ids(), Vectors.bruteForce(kind, BASE, q, 10, null));
                            for (int i = 1; i < res.size(); i++) {
                                assertThat(res.neighbors().get(i).distance()).isGreaterThanOrEqualTo(res.neighbors().get(i - 1).distance());
                            }
                        }
                        recall[c] = sum / QUERIES.length;
                        SearchResult self = r.searchItem(77, SearchOptions.builder().k(3).searchK(400).build());
                        assertThat(self.ids()[0]).isEqualTo(77);
                        assertThat(self.neighbors().get(0).distance()).isCloseTo(0f, within(1e-5f));
                    }
                }
            }
            assertThat(recall[1]).as(kind.cliName() + ": codes %.3f, vectors %.3f", recall[1], recall[0]).isCloseTo(recall[0], within(0.02));
        }
    }

    /**
     * A build from scratch codes its in-memory copies on its worker threads; the range and every
     * code must be what the incremental path computes from the stored vectors.
     */
    @Test
    void codesOfABuildFromScratchEqualTheStoredVectorsCodes() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            try (Store store = Store.open(dir.resolve(kind.cliName()))) {
                ForestTest.load(store, kind, BASE, opts(true));
                try (ReadTxn txn = store.read()) {
                    ItemStore items = ItemStore.open(txn, 0);
                    RoaringBitmap ids = items.currentIds();
                    ScalarQuantizer stored = ItemCodes.read(txn, 0, items.distance());
                    assertThat(stored).isEqualTo(ItemCodes.fit(txn, 0, items.distance(), ids));
                    ByteBuffer expected = ByteBuffer.allocateDirect(stored.codeBytes());
                    for (int id : ids) {
                        stored.encodeItem(NativeMemory.address(txn.get(0, KeyKind.ITEM, id)), expected);
                        assertThat(txn.get(0, KeyKind.CODE, id)).as("%s code of %d", kind.cliName(), id).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void codesFollowIncrementalBuilds() {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, ForestTest.DIMS);
                for (int i = 0; i < 3000; i++) {
                    w.add(i, BASE[i]);
                }
                w.build(opts(true));
            });
            store.write(txn -> {
                ForestWriter w = ForestWriter.open(txn, 0);
                for (int i = 0; i < 3000; i += 5) {
                    w.delete(i);
                }
                for (int i = 3000; i < BASE.length; i++) {
                    w.add(i, BASE[i]);
                }
                w.build(opts(true));
            });
            try (ReadTxn txn = store.read()) {
                ForestReader r = ForestReader.open(txn, 0);
                assertThat(r.check()).isEmpty();
                assertThat(coded(txn)).isEqualTo(r.ids());
                assertThat(coded(txn).contains(5)).isFalse();
                assertThat(coded(txn).contains(BASE.length - 1)).isTrue();
            }
        }
    }

    /** Items inserted far outside the stored range widen it, and every item is recoded in it. */
    @Test
    void insertsOutsideTheRangeWidenIt() {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, ForestTest.DIMS);
                for (int i = 0; i < 2000; i++) {
                    w.add(i, BASE[i]);
                }
                w.build(opts(true));
            });
            ScalarQuantizer first;
            try (ReadTxn txn = store.read()) {
                first = ItemCodes.read(txn, 0, ItemStore.open(txn, 0).distance());
            }
            // (twenty times the span would leave the first items' codes too coarse: CodeResolutionTest)
            float shift = 2 * (first.hi() - first.lo());
            store.write(txn -> {
                ForestWriter w = ForestWriter.open(txn, 0);
                for (int i = 2000; i < 2200; i++) {
                    float[] v = BASE[i].clone();
                    for (int j = 0; j < v.length; j++) {
                        v[j] += shift;
                    }
                    w.add(i, v);
                }
                w.build(opts(true));
            });
            try (ReadTxn txn = store.read()) {
                ForestReader r = ForestReader.open(txn, 0);
                assertThat(r.check()).isEmpty();
                ItemStore items = ItemStore.open(txn, 0);
                ScalarQuantizer widened = ItemCodes.read(txn, 0, items.distance());
                assertThat(widened.lo()).isLessThanOrEqualTo(first.lo());
                assertThat(widened.hi()).isGreaterThan(first.hi() + shift);
                ByteBuffer expected = ByteBuffer.allocateDirect(widened.codeBytes());
                for (int id : items.currentIds()) {
                    widened.encodeItem(NativeMemory.address(txn.get(0, KeyKind.ITEM, id)), expected);
                    assertThat(txn.get(0, KeyKind.CODE, id)).as("code of %d", id).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Integer data coded with step 1 get exact codes, and a search then measures only its best k on
     * the vectors. With every item a candidate, its answers must equal brute force's, also after an
     * item whose code rounds has joined.
     */
    @Test
    void exactCodesAnswerExactly() {
        java.util.Random r = new java.util.Random(11);
        float[][] base = new float[1500][32];
        for (float[] v : base) {
            for (int j = 0; j < v.length; j++) {
                v[j] = r.nextInt(60);
            }
        }
        try (Store store = Store.open(dir)) {
            ForestTest.load(store, DistanceKind.EUCLIDEAN, base, opts(true));
            try (ReadTxn txn = store.read()) {
                for (int id = 0; id < base.length; id++) {
                    assertThat(txn.get(0, KeyKind.CODE, id).get(0)).as("code header of %d", id).isEqualTo(ScalarQuantizer.CODE_EXACT);
                }
                assertExactAnswers(ForestReader.open(txn, 0), base, r);
            }
            float[][] grown = java.util.Arrays.copyOf(base, base.length + 1);
            grown[base.length] = base[0].clone();
            grown[base.length][0] += 0.5f;
            store.write(txn -> {
                ForestWriter w = ForestWriter.open(txn, 0);
                w.add(base.length, grown[base.length]);
                w.build(opts(true));
            });
            try (ReadTxn txn = store.read()) {
                // rounded, not exact: its header states a residual (half a unit, its one component's rounding)
                assertThat(txn.get(0, KeyKind.CODE, base.length).get(0) & 0xFF).isGreaterThanOrEqualTo(ScalarQuantizer.CODE_RESIDUAL_FIRST);
                ForestReader reader = ForestReader.open(txn, 0);
                SearchResult res = reader.search(grown[base.length], SearchOptions.builder().k(2).searchK(100_000).build());
                assertThat(res.neighbors().get(0).id()).isEqualTo(base.length);
                assertThat(res.neighbors().get(1).distance()).isCloseTo(0.5f, within(1e-6f));
                assertExactAnswers(reader, grown, r);
            }
        }
    }

    /** Top-10 distances of integer and fractional queries, every item a candidate, equal brute force's. */
    private static void assertExactAnswers(ForestReader reader, float[][] base, java.util.Random r) {
        for (int t = 0; t < 30; t++) {
            float[] q = new float[base[0].length];
            for (int j = 0; j < q.length; j++) {
                q[j] = t % 2 == 0 ? r.nextInt(60) : (float) (r.nextDouble() * 60);
            }
            double[] exact = java.util.Arrays.stream(base).mapToDouble(v -> {
                double s = 0;
                for (int j = 0; j < q.length; j++) {
                    s += (q[j] - v[j]) * (double) (q[j] - v[j]);
                }
                return Math.sqrt(s);
            }).sorted().limit(10).toArray();
            SearchResult res = reader.search(q, SearchOptions.builder().k(10).searchK(100_000).build());
            assertThat(res.neighbors()).hasSize(10);
            for (int i = 0; i < 10; i++) {
                assertThat((double) res.neighbors().get(i).distance()).as("query %d, rank %d", t, i).isCloseTo(exact[i], within(1e-3));
            }
        }
    }
}
