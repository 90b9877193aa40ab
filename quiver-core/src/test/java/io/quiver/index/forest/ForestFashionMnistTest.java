package io.quiver.index.forest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.Datasets;
import io.quiver.testing.Vectors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The forest against brute force on real data: Fashion-MNIST (60k x 784, Euclidean), from
 * {@code scripts/datasets.sh}. Run with {@code mvn -q verify -Plong}; skipped without the data.
 */
@Tag("dataset")
class ForestFashionMnistTest {
    @TempDir
    Path dir;

    static float[][] base;
    static float[][] queries;
    static int[][] truth;

    @BeforeAll
    static void load() throws Exception {
        Assumptions.assumeTrue(Datasets.present("fashion-mnist"), "run scripts/datasets.sh first");
        Path d = Datasets.dir("fashion-mnist");
        base = Datasets.fvecs(d.resolve("base.fvecs"), Integer.MAX_VALUE);
        queries = Datasets.fvecs(d.resolve("queries.fvecs"), 500);
        truth = Datasets.ivecs(d.resolve("truth.ivecs"), 500);
    }

    private static void build(Store store, float[][] vectors, int from, int to, int[] deletes, int trees) {
        store.write(txn -> {
            ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 784);
            for (int i = from; i < to; i++) {
                if (vectors[i] != null) {
                    w.add(i, vectors[i]);
                }
            }
            for (int id : deletes) {
                w.delete(id);
            }
            w.build(ForestBuildOptions.builder().nTrees(trees).threads(2).seed(3).build());
        });
    }

    private static double recall(Store store, int searchK, int[][] expected, int queryCount) {
        double sum = 0;
        try (ReadTxn txn = store.read()) {
            ForestReader r = ForestReader.open(txn, 0);
            for (int q = 0; q < queryCount; q++) {
                SearchResult res = r.search(queries[q], SearchOptions.builder().k(10).searchK(searchK).build());
                sum += Vectors.recall(res.ids(), Arrays.copyOf(expected[q], 10));
            }
        }
        return sum / queryCount;
    }

    @Test
    void recallRisesWithSearchKToNearlyExact() {
        try (Store store = Store.open(dir)) {
            build(store, base, 0, base.length, new int[0], 50);
            double r500 = recall(store, 500, truth, 500);
            double r2000 = recall(store, 2000, truth, 500);
            double r20000 = recall(store, 20000, truth, 500);
            System.out.printf("forest fashion-mnist 50 trees: recall@10 %.4f (500) %.4f (2000) %.4f (20000)%n", r500, r2000, r20000);
            assertThat(r500).isLessThan(r2000);
            assertThat(r2000).isLessThan(r20000);
            assertThat(r20000).isGreaterThanOrEqualTo(0.99);
            try (ReadTxn txn = store.read()) {
                assertThat(ForestReader.open(txn, 0).check()).isEmpty();
            }
        }
    }

    @Test
    void filteredSearchReturnsOnlyAllowedIdsWithHighRecall() {
        try (Store store = Store.open(dir)) {
            build(store, base, 0, base.length, new int[0], 30);
            for (int modulo : new int[] {100, 10, 2}) {
                RoaringBitmap allowed = new RoaringBitmap();
                for (int i = 0; i < base.length; i += modulo) {
                    allowed.add(i);
                }
                double sum = 0;
                try (ReadTxn txn = store.read()) {
                    ForestReader r = ForestReader.open(txn, 0);
                    for (int q = 0; q < 100; q++) {
                        int[] ids = r.search(queries[q], SearchOptions.builder().k(10).searchK(20000).filter(allowed).build()).ids();
                        assertThat(Arrays.stream(ids).allMatch(allowed::contains)).isTrue();
                        assertThat(ids).hasSize(10);
                        sum += Vectors.recall(ids, Vectors.bruteForce(DistanceKind.EUCLIDEAN, base, queries[q], 10, allowed));
                    }
                }
                assertThat(sum / 100).as("1/%d allowed", modulo).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void anIndexGrownInBatchesWithDeletesAnswersLikeARebuild() {
        Random rnd = new Random(5);
        float[][] live = base.clone();
        try (Store inc = Store.open(dir.resolve("inc")); Store full = Store.open(dir.resolve("full"))) {
            build(inc, base, 0, 30_000, new int[0], 20);
            for (int b = 0; b < 3; b++) {
                int from = 30_000 + b * 10_000;
                int[] deletes = rnd.ints(1500, 0, from).distinct().filter(i -> live[i] != null).toArray();
                for (int id : deletes) {
                    live[id] = null;
                }
                build(inc, base, from, from + 10_000, deletes, 20);
            }
            build(full, live, 0, live.length, new int[0], 20);
            int qn = 200;
            int[][] liveTruth = new int[qn][];
            for (int q = 0; q < qn; q++) {
                liveTruth[q] = Vectors.bruteForce(DistanceKind.EUCLIDEAN, live, queries[q], 10, null);
            }
            double ri = recall(inc, 2000, liveTruth, qn);
            double rf = recall(full, 2000, liveTruth, qn);
            System.out.printf("forest fashion-mnist incremental %.4f vs rebuild %.4f%n", ri, rf);
            assertThat(Math.abs(ri - rf)).isLessThanOrEqualTo(0.01);
            try (ReadTxn txn = inc.read()) {
                ForestReader r = ForestReader.open(txn, 0);
                assertThat(r.check()).isEmpty();
                RoaringBitmap expectedIds = new RoaringBitmap();
                for (int i = 0; i < live.length; i++) {
                    if (live[i] != null) {
                        expectedIds.add(i);
                    }
                }
                assertThat(r.ids()).isEqualTo(expectedIds);
            }
        }
    }
}
