package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Searches that skip beam entries by the re-ranking bound answer exactly what measuring the whole
 * beam answers, on random data: both coded distances, 16 to 160 dimensions, clusters from much
 * tighter than a code step to much wider, ranges far from zero, a later batch with items clamped by
 * a few steps (which state a larger distance from their codes) and by far (no bound), and
 * queries at, near and far from items.
 */
class ReRankBoundPropertyTest {

    @Property(tries = 24)
    void skippingByTheBoundChangesNoAnswer(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        DistanceKind kind = r.nextBoolean() ? DistanceKind.EUCLIDEAN : DistanceKind.COSINE;
        int dims = 16 + r.nextInt(145);
        int n = 300 + r.nextInt(500);
        double offset = r.nextInt(3) == 0 ? 50 * r.nextGaussian() : 0;
        double spread = Math.pow(10, -3 + 3 * r.nextDouble());
        float[][] centres = new float[1 + r.nextInt(30)][dims];
        for (float[] c : centres) {
            for (int j = 0; j < dims; j++) {
                c[j] = (float) (offset + r.nextGaussian());
            }
        }
        float[][] items = new float[n + 60][];
        for (int i = 0; i < items.length; i++) {
            float[] c = centres[r.nextInt(centres.length)];
            float[] v = new float[dims];
            for (int j = 0; j < dims; j++) {
                v[j] = (float) (c[j] + spread * r.nextGaussian());
            }
            if (i >= n && i < n + 20) {
                v[r.nextInt(dims)] += (float) (r.nextBoolean() ? 0.05 : 50); // clamped a little, or far
            }
            items[i] = v;
        }
        Path dir = Files.createTempDirectory("rerank-bound");
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                for (int i = 0; i < n; i++) {
                    w.add(i, items[i]);
                }
                w.build(HnswBuildOptions.builder().m(8).efConstruction(60).threads(1).build());
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = n; i < items.length; i++) {
                    w.add(i, items[i]);
                }
                w.build(HnswBuildOptions.builder().m(8).efConstruction(60).threads(1).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader bounded = HnswReader.open(txn, 0).walkingSmallIndexes();
                HnswReader whole = HnswReader.open(txn, 0).walkingSmallIndexes().measuringWholeBeam();
                for (int t = 0; t < 12; t++) {
                    float[] q = items[r.nextInt(items.length)].clone();
                    double noise = t % 3 == 0 ? 0 : t % 3 == 1 ? spread * 0.3 : 3;
                    for (int j = 0; j < dims; j++) {
                        q[j] += (float) (noise * r.nextGaussian());
                    }
                    int k = 1 + r.nextInt(12);
                    for (int ef : new int[] {k, 2 * k + 3, 64, 200}) {
                        SearchOptions o = SearchOptions.builder().k(k).ef(Math.max(ef, k)).build();
                        assertThat(bounded.search(q, o).neighbors()).as("%s dims %d spread %s offset %s k %d ef %d", kind, dims, spread, offset, k, ef)
                                .isEqualTo(whole.search(q, o).neighbors());
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
