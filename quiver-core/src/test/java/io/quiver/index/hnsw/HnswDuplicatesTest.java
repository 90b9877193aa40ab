package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact duplicates among the items (the same document embedded twice, a default vector) must not
 * trap searches. Under the plain heuristic every copy kept every other copy as a neighbour (each is
 * at distance 0 from the base and from the copies already kept), so the copies linked only to
 * each other and a search that reached them could not leave. Recall@10 at ef 40 near the random
 * items was 0.64-0.82 in these tests before {@code BuildWorker.select} dropped copies of a kept
 * neighbour, 0.98-1.0 since.
 */
class HnswDuplicatesTest {
    static final int DIMS = 16;

    @TempDir
    Path dir;

    /** {@code random} Gaussian items and {@code copies} zero vectors, at random ids among them. */
    static Map<Integer, float[]> withCopies(int random, int copies, long seed) {
        Random r = new Random(seed);
        int n = random + copies;
        boolean[] copy = new boolean[n];
        for (int placed = 0; placed < copies; ) {
            int i = r.nextInt(n);
            if (!copy[i]) {
                copy[i] = true;
                placed++;
            }
        }
        Map<Integer, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIMS];
            if (!copy[i]) {
                for (int d = 0; d < DIMS; d++) {
                    v[d] = (float) r.nextGaussian();
                }
            }
            m.put(i, v);
        }
        return m;
    }

    /** Mean recall@10 (by distance: ties count) of queries near the non-zero items, and near zero. */
    static double[] recall(ReadTxn txn, Map<Integer, float[]> live, int ef, long seed) {
        HnswReader reader = HnswReader.open(txn, 0).walkingSmallIndexes();
        HnswTestSupport.Exact exact = new HnswTestSupport.Exact(DistanceKind.EUCLIDEAN.create(DIMS), live);
        Random r = new Random(seed);
        float[][] nonZero = live.values().stream().filter(v -> v[0] != 0 || v[1] != 0).toArray(float[][]::new);
        double nearItems = 0;
        double nearZero = 0;
        int queries = 100;
        for (int i = 0; i < queries; i++) {
            float[] q = nonZero[r.nextInt(nonZero.length)].clone();
            float[] z = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                q[d] += 0.05f * (float) r.nextGaussian();
                z[d] = 0.05f * (float) r.nextGaussian();
            }
            SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
            nearItems += exact.recall(q, reader.search(q, o), 10, null);
            nearZero += exact.recall(z, reader.search(z, o), 10, null);
        }
        return new double[] {nearItems / queries, nearZero / queries};
    }

    @Test
    void copiesOfOneVectorDoNotTrapTheSearch() {
        Map<Integer, float[]> d = withCopies(1000, 100, 4);
        for (int threads : new int[] {1, 2}) {
            try (Store store = Store.open(dir.resolve("t" + threads))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                    d.forEach(w::add);
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                    double[] recall = recall(txn, d, 40, 7);
                    assertThat(recall[0]).as("near items, %d threads", threads).isGreaterThanOrEqualTo(0.95);
                    assertThat(recall[1]).as("near the copies, %d threads", threads).isGreaterThanOrEqualTo(0.95);
                }
            }
        }
    }

    /**
     * Two vectors each making a fifth of the items, built from scratch with a small m: each list
     * keeps at most one copy of a vector, so most copies are named by no other list and island
     * rescues must find them hosts among the copies already linked in. A fuzzing helper found 364
     * of 3,000 nodes left unreachable (the rescues gave up once the first copies' neighbours were
     * full of rescue links, and later rescues dropped the only links into groups of copies).
     */
    @Test
    void manyCopiesOfTwoVectorsAreAllReachable() {
        Random r = new Random(2);
        Map<Integer, float[]> d = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = new float[DIMS];
            int c = r.nextInt(100);
            if (c >= 20 && c < 40) {
                java.util.Arrays.fill(v, 0.5f);
            } else if (c >= 40) {
                for (int j = 0; j < DIMS; j++) {
                    v[j] = r.nextFloat();
                }
            }
            d.put(i, v);
        }
        for (int threads : new int[] {1, 2}) {
            try (Store store = Store.open(dir.resolve("t" + threads))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                    d.forEach(w::add);
                    w.build(HnswBuildOptions.builder().m(8).threads(threads).build());
                });
                try (ReadTxn txn = store.read()) {
                    assertThat(HnswReader.open(txn, 0).check()).as("%d threads", threads).isEmpty();
                    HnswTestSupport.checkGraph(txn, 0);
                }
            }
        }
    }

    /**
     * Cosine copies are not at distance 0: 1 - cos of a vector with itself rounds to ~6e-8 in 14
     * dimensions, so the duplicates rule did not see them, and the island rescue for copies left a
     * search for the copied vector finding 1 of them in 50 (a fuzzing helper's case, 3,000 items,
     * half of them copies).
     */
    @Test
    void cosineCopiesAreCopiesToo() {
        int dims = 14;
        Random r = new Random(1);
        float[] copy = new float[dims];
        java.util.Arrays.fill(copy, 0.5f);
        Map<Integer, float[]> d = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = copy.clone();
            if (r.nextInt(100) >= 50) {
                for (int j = 0; j < dims; j++) {
                    v[j] = r.nextFloat();
                }
            }
            d.put(i, v);
        }
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.COSINE, dims);
                d.forEach(w::add);
                w.build(HnswBuildOptions.builder().m(8).efConstruction(100).threads(1).seed(1).int8Codes(false).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader reader = HnswReader.open(txn, 0).walkingSmallIndexes();
                assertThat(reader.check()).isEmpty();
                var found = reader.search(copy, SearchOptions.builder().k(50).ef(200).build()).neighbors();
                assertThat(found).hasSize(50).allMatch(n -> n.distance() < 1e-6f);
            }
        }
    }

    @Test
    void copiesArrivingInLaterBatchesAndDeletedAgain() {
        Map<Integer, float[]> d = withCopies(1000, 150, 5);
        Map<Integer, float[]> live = new LinkedHashMap<>();
        try (Store store = Store.open(dir)) {
            // three batches, so that copies join lists as reverse links of an existing graph
            for (int batch = 0; batch < 3; batch++) {
                int from = batch * 400;
                int to = Math.min(d.size(), from + 400);
                store.write(txn -> {
                    HnswWriter w = from == 0 ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : HnswWriter.open(txn, 0);
                    for (int id = from; id < to; id++) {
                        w.add(id, d.get(id));
                        live.put(id, d.get(id));
                    }
                    w.build(HnswBuildOptions.builder().threads(2).build());
                });
            }
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                double[] recall = recall(txn, live, 40, 8);
                assertThat(recall[0]).as("near items").isGreaterThanOrEqualTo(0.95);
                assertThat(recall[1]).as("near the copies").isGreaterThanOrEqualTo(0.95);
            }
            // deleting half the copies repairs the lists that named them from the other copies' lists
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                int deleted = 0;
                for (int id = 0; id < d.size() && deleted < 75; id++) {
                    float[] v = d.get(id);
                    if (v[0] == 0 && v[1] == 0) {
                        w.delete(id);
                        live.remove(id);
                        deleted++;
                    }
                }
                w.build(HnswBuildOptions.builder().threads(2).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswTestSupport.checkGraph(txn, 0);
                double[] recall = recall(txn, live, 40, 9);
                assertThat(recall[0]).as("near items after deletes").isGreaterThanOrEqualTo(0.95);
                assertThat(recall[1]).as("near the copies after deletes").isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    /**
     * Copies of one vector arriving in later batches, into an index whose lists are full: each new
     * copy keeps one copy as a neighbour, and that copy's full list kept one copy too, so the new
     * one was named by no list. 2,000 copies in 4 batches after 1,000 items left 497 (Euclidean, 2
     * threads) and 622 (cosine, 1 thread) level-0 nodes unreachable, 10,000 in 10 batches 9,966;
     * the new copy now takes the place of the old one in the list and links to it (a chain).
     */
    @Test
    void manyCopiesInLaterBatchesStayReachable() {
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            int threads = kind == DistanceKind.EUCLIDEAN ? 2 : 1;
            Random r = new Random(3);
            float[] copy = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                copy[j] = (float) r.nextGaussian();
            }
            try (Store store = Store.open(dir.resolve(kind.name()))) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, kind, DIMS);
                    for (int i = 0; i < 1000; i++) {
                        float[] v = new float[DIMS];
                        for (int j = 0; j < DIMS; j++) {
                            v[j] = (float) r.nextGaussian();
                        }
                        w.add(100_000 + i, v);
                    }
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                for (int batch = 0; batch < 4; batch++) {
                    int from = batch * 500;
                    store.write(txn -> {
                        HnswWriter w = HnswWriter.open(txn, 0);
                        for (int id = from; id < from + 500; id++) {
                            w.add(id, copy);
                        }
                        w.build(HnswBuildOptions.builder().threads(threads).build());
                    });
                }
                try (ReadTxn txn = store.read()) {
                    assertThat(HnswReader.open(txn, 0).check()).as("%s", kind).isEmpty();
                    HnswTestSupport.checkGraph(txn, 0);
                }
                // every third copy deleted: the chains through them are repaired from their lists
                store.write(txn -> {
                    HnswWriter w = HnswWriter.open(txn, 0);
                    for (int id = 0; id < 2000; id += 3) {
                        w.delete(id);
                    }
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                try (ReadTxn txn = store.read()) {
                    HnswReader reader = HnswReader.open(txn, 0);
                    assertThat(reader.check()).as("%s after deletes", kind).isEmpty();
                    HnswTestSupport.checkGraph(txn, 0);
                    var found = reader.search(copy, SearchOptions.builder().k(20).ef(64).build()).neighbors();
                    assertThat(found).as("%s", kind).hasSize(20).allMatch(n -> n.distance() < 1e-6f && n.id() < 2000 && n.id() % 3 != 0);
                }
            }
        }
    }
    /**
     * Ids from 2^31 up are negative as Java ints. The build marked "no copy" with -1 and tested
     * "< 0", so with such ids the repair after deletes linked one copy twice ({@code check}:
     * "duplicate links in the list of 2147483649 at level byte 0"), with one thread or two,
     * Euclidean or cosine.
     */
    @Test
    void idsFromTwoToThe31Up() {
        int high = Integer.MIN_VALUE; // 2^31 as an unsigned id
        Random r = new Random(3);
        float[] copy = HnswTestSupport.gaussian(r, 1, DIMS)[0];
        float[][] others = HnswTestSupport.gaussian(r, 1000, DIMS);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < others.length; i++) {
                    w.add(high + 100_000 + i, others[i]);
                }
                for (int id = 0; id < 1000; id++) {
                    w.add(high + id, copy);
                }
                w.build(HnswBuildOptions.builder().threads(1).build());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = 0; id < 1000; id += 3) {
                    w.delete(high + id);
                }
                w.build(HnswBuildOptions.builder().threads(1).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader reader = HnswReader.open(txn, 0);
                assertThat(reader.check()).isEmpty();
                HnswTestSupport.checkGraph(txn, 0);
                assertThat(reader.search(copy, SearchOptions.builder().k(20).ef(64).build()).neighbors())
                        .hasSize(20).allMatch(n -> n.distance() == 0f && Integer.toUnsignedLong(n.id()) - Integer.toUnsignedLong(high) < 1000);
            }
        }
    }

    /**
     * Copies of one vector added in batches by two threads stay reachable. Two workers inserting
     * copies at once did not see each other and each started a group of copies; the old nodes'
     * lists, which keep one copy of a vector, swapped one group's copies for the other's until a
     * group of 17-32 was named by nothing outside it (13-25% of such builds failed check on the
     * code of 2c54bd9, nearly all in the first batch of copies; InsertOrder now inserts copies after
     * the first of them). A race: this test repeats the build to catch it.
     */
    @Test
    void copiesAddedByTwoThreadsAtOnceStayReachable() {
        int dims = 32;
        for (int round = 0; round < 30; round++) {
            Random r = new Random(7);
            float[] copy = new float[dims];
            for (int j = 0; j < dims; j++) {
                copy[j] = (float) r.nextGaussian();
            }
            try (Store store = Store.open(dir.resolve("r" + round))) {
                float[][] random = HnswTestSupport.gaussian(r, 1000, dims);
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                    for (int i = 0; i < 1000; i++) {
                        w.add(1_000_000 + i, random[i]);
                    }
                    w.build(HnswBuildOptions.builder().threads(2).build());
                });
                store.write(txn -> {
                    HnswWriter w = HnswWriter.open(txn, 0);
                    for (int id = 0; id < 1000; id++) {
                        w.add(id, copy);
                    }
                    w.build(HnswBuildOptions.builder().threads(2).build());
                });
                try (ReadTxn txn = store.read()) {
                    assertThat(HnswReader.open(txn, 0).check()).as("round %d", round).isEmpty();
                }
            }
        }
    }

    /**
     * Items close to a vector that has many copies find themselves. Copies are as far from any
     * query as each other, so before they were kept out of the beams (BuildWorker.copiesInBeam,
     * HnswReader.sameItem) a search that came near them filled its beam with copies and pushed out
     * the query's true neighbours, which lie farther: with 2,000 copies among 18,000 random 24-d
     * items, 259 items did not find themselves at ef 200 (2 without the copies); in this test's
     * data, 240 (the code of 5102194).
     */
    @Test
    void itemsNearManyCopiesFindThemselves() {
        int dims = 24;
        int copies = 2000;
        int items = 18_000;
        Random r = new Random(1);
        float[] copy = new float[dims];
        double norm = 0;
        for (int j = 0; j < dims; j++) {
            copy[j] = (float) r.nextGaussian();
            norm += copy[j] * copy[j];
        }
        // nearer the middle of the data than most items (norm 3 where theirs is ~4.9), so that it is
        // among the nearest neighbours of many: at norm 5.8 the old code missed 9 items, at 3.1 259
        for (int j = 0; j < dims; j++) {
            copy[j] *= (float) (3.0 / Math.sqrt(norm));
        }
        float[][] v = HnswTestSupport.gaussian(r, items, dims);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                for (int id = 0; id < copies; id++) {
                    w.add(id, copy);
                }
                for (int i = 0; i < items; i++) {
                    w.add(copies + i, v[i]);
                }
                w.build(HnswBuildOptions.builder().threads(2).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader reader = HnswReader.open(txn, 0);
                int missed = 0;
                for (int i = 0; i < items; i++) {
                    int id = copies + i;
                    int[] found = reader.search(v[i], SearchOptions.builder().k(10).ef(200).build()).ids();
                    if (java.util.Arrays.stream(found).noneMatch(x -> x == id)) {
                        missed++;
                    }
                }
                assertThat(missed).as("items that did not find themselves, of %d", items).isLessThanOrEqualTo(20);
                var atCopy = reader.search(copy, SearchOptions.builder().k(10).ef(64).build()).neighbors();
                assertThat(atCopy).hasSize(10).allMatch(n -> n.distance() == 0 && n.id() < copies);
                // copies the filter refuses are still walked through: the one it allows is found
                for (int allowed : new int[] {7, 1234, 1999}) {
                    org.roaringbitmap.RoaringBitmap filter = org.roaringbitmap.RoaringBitmap.bitmapOfRange(copies, copies + items);
                    filter.add(allowed);
                    assertThat(reader.search(copy, SearchOptions.builder().k(1).ef(64).filter(filter).build()).ids()).containsExactly(allowed);
                }
            }
        }
    }
    /**
     * Many vectors stored three times each: a search for one returns its three copies. The limits
     * on copies apply to each vector's copies: counted for the whole search, they were spent on the
     * first vectors the walk met, and 101 of 200 such searches missed a copy (an adversarial
     * helper's case, with the code of 0cd1908).
     */
    @Test
    void manyVectorsStoredThreeTimesReturnAllTheirCopies() {
        int vectors = 2000;
        Random r = new Random(5);
        float[][] v = HnswTestSupport.gaussian(r, vectors, DIMS);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int g = 0; g < vectors; g++) {
                    for (int c = 0; c < 3; c++) {
                        w.add(3 * g + c, v[g]);
                    }
                }
                // one thread: the same graph each run (two threads leave a copy unreachable now
                // and then, 0-1 in 2,000 such searches, before the change as after it)
                w.build(HnswBuildOptions.builder().threads(1).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader reader = HnswReader.open(txn, 0);
                int short_ = 0;
                for (int g = 0; g < 200; g++) {
                    var found = reader.search(v[g], SearchOptions.builder().k(3).ef(200).build()).neighbors();
                    if (found.size() < 3 || found.stream().anyMatch(n -> n.distance() != 0)) {
                        short_++;
                    }
                }
                assertThat(short_).as("searches for a stored vector that missed one of its 3 copies, of 200").isZero();
            }
        }
    }
}
