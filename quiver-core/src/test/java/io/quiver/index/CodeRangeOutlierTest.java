package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.Vectors;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One item with one far component among ordinary ones. The int8 range used to stretch from the
 * smallest component to the largest, so a single 1e4 among values in [0, 1) left the other items a
 * code value or two: HNSW's recall@10 fell from 1.0 to 0.02 and the forest's halved, while
 * {@code check} found nothing wrong (a review helper's probe). Both families now answer as they do
 * without the outlier, which itself stays findable.
 */
class CodeRangeOutlierTest {
    private static final int DIMS = 16;
    private static final int N = 3_000;
    private static final int OUTLIER = 1234;

    @TempDir
    Path dir;

    private static float[][] uniform(int n, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[n][DIMS];
        for (float[] x : v) {
            for (int j = 0; j < DIMS; j++) {
                x[j] = r.nextFloat();
            }
        }
        return v;
    }

    private double recall(String family, float[][] base, float[][] queries, Path db) {
        try (Store store = Store.open(db)) {
            store.write(txn -> {
                if (family.equals("hnsw")) {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                    for (int i = 0; i < base.length; i++) {
                        w.add(i, base[i]);
                    }
                    w.build(HnswBuildOptions.builder().threads(1).build());
                } else {
                    ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                    for (int i = 0; i < base.length; i++) {
                        w.add(i, base[i]);
                    }
                    w.build(ForestBuildOptions.builder().threads(1).build());
                }
            });
            try (ReadTxn txn = store.read()) {
                IndexReader r = family.equals("hnsw") ? HnswReader.open(txn, 0) : ForestReader.open(txn, 0);
                SearchOptions opts = SearchOptions.builder().k(10).ef(64).searchK(2_000).build();
                double sum = 0;
                for (float[] q : queries) {
                    int[] truth = Vectors.bruteForce(DistanceKind.EUCLIDEAN, base, q, 10, null);
                    sum += Vectors.recall(r.search(q, opts).ids(), truth);
                }
                // the outlier itself is still found
                assertThat(r.search(base[OUTLIER], SearchOptions.builder().k(1).ef(64).searchK(2_000).build()).ids()).containsExactly(OUTLIER);
                return sum / queries.length;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void oneFarComponentLeavesRecallAsItWas(String family) {
        float[][] base = uniform(N, 1);
        float[][] queries = uniform(100, 2);
        double plain = recall(family, base, queries, dir.resolve("plain"));
        base[OUTLIER][5] = 1e4f;
        double withOutlier = recall(family, base, queries, dir.resolve("outlier"));
        assertThat(withOutlier).as("recall@10 with the outlier (without: %.3f)", plain).isGreaterThanOrEqualTo(plain - 0.03);
        if (family.equals("hnsw")) {
            assertThat(withOutlier).isGreaterThan(0.95);
        }
    }

    /**
     * A later batch that shifts the data widens the stored range (every item is recoded); one far
     * component among the batch must not stretch the widened range either, or the recoding would
     * squeeze every item into a few code values as the first fit once did.
     */
    @org.junit.jupiter.api.Test
    void aWidenedRangeIgnoresAFarComponentAmongTheNewItems() {
        float[][] old = uniform(N, 7);
        float[][] shifted = uniform(N, 8);
        for (float[] v : shifted) {
            for (int j = 0; j < DIMS; j++) {
                v[j] += 2f; // [2, 3): beyond the stored [0, 1) by far more than the slack
            }
        }
        shifted[OUTLIER][3] = 1e4f;
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < N; i++) {
                    w.add(i, old[i]);
                }
                w.build(HnswBuildOptions.builder().threads(1).build());
            });
            store.write(txn -> {
                var d = DistanceKind.EUCLIDEAN.create(DIMS);
                io.quiver.distance.ScalarQuantizer stored = ItemCodes.read(txn, 0, d);
                assertThat(stored.hi()).isLessThan(1.5f);
                HnswWriter w = HnswWriter.open(txn, 0);
                org.roaringbitmap.RoaringBitmap inserted = new org.roaringbitmap.RoaringBitmap();
                for (int i = 0; i < N; i++) {
                    w.add(N + i, shifted[i]);
                    inserted.add(N + i);
                }
                org.roaringbitmap.RoaringBitmap after = org.roaringbitmap.RoaringBitmap.bitmapOf();
                after.add(0L, 2L * N);
                io.quiver.distance.ScalarQuantizer wider = ItemCodes.widened(txn, 0, d, stored, inserted, after, null);
                assertThat(wider).isNotEqualTo(stored);
                assertThat(wider.lo()).isLessThanOrEqualTo(stored.lo());
                // the shifted items fit; the far component does not set the top (without the robust
                // range it would be 1e4 plus headroom, a step of ~43 for values below 3)
                assertThat(wider.hi()).isBetween(3f, 5f);
            });
        }
    }
}
