package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero vectors in a cosine index with int8 codes (empty or padding embeddings): each is at
 * distance 1 from every query, so the items truly closer than 1 come first. Measured on its code
 * (the origin's), a zero vector ranked near 0.5 and pushed them out of the results of both
 * families, whatever the search effort (an adversarial helper's report: recall@10 0.15 and 0.26).
 */
class ZeroCosineVectorsTest {
    private static final int DIMS = 16;
    private static final int ZEROS = 500;
    private static final int OTHERS = 50;

    @TempDir
    Path dir;

    @Test
    void zeroVectorsRankAtDistanceOneInBothFamilies() {
        float[][] data = new float[ZEROS + OTHERS][DIMS];
        Random r = new Random(3);
        for (int i = ZEROS; i < data.length; i++) {
            for (int j = 0; j < DIMS; j++) {
                data[i][j] = (float) r.nextGaussian();
            }
        }
        float[][] queries = new float[20][DIMS];
        for (float[] q : queries) {
            for (int j = 0; j < DIMS; j++) {
                q[j] = (float) r.nextGaussian();
            }
        }
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter h = HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS);
                ForestWriter f = ForestWriter.create(txn, 1, DistanceKind.COSINE, DIMS);
                for (int i = 0; i < data.length; i++) {
                    h.add(i, data[i]);
                    f.add(i, data[i]);
                }
                h.build(HnswBuildOptions.builder().threads(1).build());
                f.build(ForestBuildOptions.defaults());
            });
            try (ReadTxn txn = store.read()) {
                for (int index : new int[] {0, 1}) {
                    assertThat(txn.get(index, KeyKind.CODE, 0)).as("index %d keeps codes", index).isNotNull();
                    assertThat(txn.get(index, KeyKind.CODE, 0).get(0)).isEqualTo(ScalarQuantizer.CODE_ZERO);
                }
                HnswReader hnsw = HnswReader.open(txn, 0);
                ForestReader forest = ForestReader.open(txn, 1);
                assertThat(hnsw.check()).isEmpty();
                assertThat(forest.check()).isEmpty();
                for (float[] q : queries) {
                    int[] truth = bruteForce(data, q, 10);
                    for (IndexReader reader : List.<IndexReader>of(hnsw, forest)) {
                        int[] got = reader.search(q, SearchOptions.k(10)).ids();
                        long found = Arrays.stream(got).filter(id -> Arrays.stream(truth).anyMatch(t -> t == id)).count();
                        // the closer items are few (50) and the forest searches all of them at its default effort
                        assertThat(found).as("%s found %s, truth %s", reader.getClass().getSimpleName(), Arrays.toString(got), Arrays.toString(truth))
                                .isGreaterThanOrEqualTo(9);
                    }
                }
            }
        }
    }

    /**
     * Zero vectors take no part in fitting or widening the code range: their codes are never
     * measured. A batch of 5 of them nearly doubled the step of 3,000 items' range (components
     * in [0.5, 1]) and recoded every item (a review helper's case).
     */
    @Test
    void aBatchOfZeroVectorsLeavesTheCodeRangeAlone() {
        Random r = new Random(8);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter h = HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS);
                for (int i = 0; i < 3000; i++) {
                    float[] v = new float[DIMS];
                    for (int j = 0; j < DIMS; j++) {
                        v[j] = 0.5f + 0.5f * r.nextFloat();
                    }
                    h.add(i, v);
                }
                h.build(HnswBuildOptions.builder().threads(1).build());
            });
            io.quiver.distance.Distance cosine = DistanceKind.COSINE.create(DIMS);
            ScalarQuantizer before;
            try (ReadTxn txn = store.read()) {
                before = ItemCodes.read(txn, 0, cosine);
            }
            ProgressTrace[] trace = new ProgressTrace[1];
            store.write(txn -> {
                HnswWriter h = HnswWriter.open(txn, 0);
                for (int i = 0; i < 5; i++) {
                    h.add(5000 + i, new float[DIMS]);
                }
                trace[0] = h.build(HnswBuildOptions.builder().threads(1).build());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(ItemCodes.read(txn, 0, cosine)).isEqualTo(before);
                assertThat(txn.get(0, KeyKind.CODE, 5000).get(0)).isEqualTo(ScalarQuantizer.CODE_ZERO);
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
            assertThat(trace[0].steps()).noneMatch(step -> step.name().contains("recode"));
        }
    }

    /**
     * Zero vectors added after the rest, then queries pointing away from all the data: every item
     * lies farther than 1, so the zero vectors, at 1, are the nearest. No walk leads to them (every
     * node is as close to them as any other); found through the set each build keeps, they were 2%
     * (HNSW) and 5% (forest) of these queries' top 10 before.
     */
    @Test
    void zeroVectorsAddedLaterAreFoundByQueriesPointingAway() {
        Random r = new Random(7);
        int others = 1000;
        int zeros = 300;
        float[][] queries = new float[20][DIMS];
        for (float[] q : queries) {
            for (int j = 0; j < DIMS; j++) {
                q[j] = -0.1f - (float) Math.abs(r.nextGaussian());
            }
        }
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter h = HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS);
                ForestWriter f = ForestWriter.create(txn, 1, DistanceKind.COSINE, DIMS);
                for (int i = 0; i < others; i++) {
                    float[] v = positive(r);
                    h.add(i, v);
                    f.add(i, v);
                }
                h.build(HnswBuildOptions.builder().threads(1).build());
                f.build(ForestBuildOptions.defaults());
            });
            store.write(txn -> {
                HnswWriter h = HnswWriter.open(txn, 0);
                ForestWriter f = ForestWriter.open(txn, 1);
                for (int i = others; i < others + zeros; i++) {
                    h.add(i, new float[DIMS]);
                    f.add(i, new float[DIMS]);
                }
                h.build(HnswBuildOptions.builder().threads(2).build());
                f.build(ForestBuildOptions.defaults());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(ZeroVectors.read(txn, 0).getCardinality()).isEqualTo(zeros);
                assertThat(ZeroVectors.read(txn, 1).getCardinality()).isEqualTo(zeros);
                for (IndexReader reader : List.<IndexReader>of(HnswReader.open(txn, 0), ForestReader.open(txn, 1))) {
                    for (float[] q : queries) {
                        SearchResult got = reader.search(q, SearchOptions.k(10));
                        assertThat(got.neighbors()).as(reader.getClass().getSimpleName()).hasSize(10)
                                .allSatisfy(n -> assertThat(n.id()).isGreaterThanOrEqualTo(others))
                                .allSatisfy(n -> assertThat(n.distance()).isEqualTo(1f));
                    }
                    // a filter: the two zero vectors it allows first, then the nearest of the others it allows
                    org.roaringbitmap.RoaringBitmap allowed = org.roaringbitmap.RoaringBitmap.bitmapOf(others + 7, others + 250);
                    allowed.add(0L, 900L);
                    SearchResult got = reader.search(queries[0], SearchOptions.builder().k(5).filter(allowed).build());
                    assertThat(Arrays.copyOf(got.ids(), 2)).as(reader.getClass().getSimpleName()).containsExactlyInAnyOrder(others + 7, others + 250);
                    assertThat(got.neighbors().subList(2, 5)).allSatisfy(n -> assertThat(n.id()).isLessThan(900));
                }
            }
            // all but four deleted, one of those given a vector: the other three stay, and only they
            store.write(txn -> {
                HnswWriter h = HnswWriter.open(txn, 0);
                ForestWriter f = ForestWriter.open(txn, 1);
                for (int i = others; i < others + zeros - 4; i++) {
                    h.delete(i);
                    f.delete(i);
                }
                float[] v = new float[DIMS];
                java.util.Arrays.fill(v, 1f);
                h.add(others + zeros - 1, v);
                f.add(others + zeros - 1, v);
                h.build(HnswBuildOptions.builder().threads(1).build());
                f.build(ForestBuildOptions.defaults());
            });
            try (ReadTxn txn = store.read()) {
                for (int index : new int[] {0, 1}) {
                    assertThat(ZeroVectors.read(txn, index).toArray()).containsExactly(others + zeros - 4, others + zeros - 3, others + zeros - 2);
                }
                for (IndexReader reader : List.<IndexReader>of(HnswReader.open(txn, 0), ForestReader.open(txn, 1))) {
                    SearchResult got = reader.search(queries[1], SearchOptions.k(5));
                    assertThat(Arrays.copyOf(got.ids(), 3)).as(reader.getClass().getSimpleName())
                            .containsExactlyInAnyOrder(others + zeros - 4, others + zeros - 3, others + zeros - 2);
                    assertThat(got.neighbors().subList(3, 5)).allSatisfy(n -> assertThat(n.distance()).isGreaterThan(1f));
                }
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
                assertThat(ForestReader.open(txn, 1).check()).isEmpty();
            }
        }
    }

    /** A zero-vector set naming an item that is no zero vector: {@code check} says so, and searches do not believe it. */
    @Test
    void aDamagedZeroSetIsReportedAndNotBelieved() {
        Random r = new Random(9);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter h = HnswWriter.create(txn, 0, DistanceKind.COSINE, DIMS);
                ForestWriter f = ForestWriter.create(txn, 1, DistanceKind.COSINE, DIMS);
                for (int i = 0; i < 300; i++) {
                    float[] v = positive(r);
                    h.add(i, v);
                    f.add(i, v);
                }
                h.add(300, new float[DIMS]);
                f.add(300, new float[DIMS]);
                h.build(HnswBuildOptions.builder().threads(1).build());
                f.build(ForestBuildOptions.defaults());
                for (int index : new int[] {0, 1}) {
                    org.roaringbitmap.RoaringBitmap wrong = org.roaringbitmap.RoaringBitmap.bitmapOf(5, 300);
                    wrong.serialize(txn.reserve(index, KeyKind.METADATA, ZeroVectors.KEY, wrong.serializedSizeInBytes()));
                }
            });
            float[] away = new float[DIMS];
            Arrays.fill(away, -1f);
            try (ReadTxn txn = store.read()) {
                String problem = "zero-vector set names 5, which does not hold a zero vector";
                assertThat(HnswReader.open(txn, 0).check()).containsExactly(problem);
                assertThat(ForestReader.open(txn, 1).check()).containsExactly(problem);
                for (IndexReader reader : List.<IndexReader>of(HnswReader.open(txn, 0), ForestReader.open(txn, 1))) {
                    SearchResult got = reader.search(away, SearchOptions.k(10));
                    assertThat(got.neighbors().get(0)).isEqualTo(new Neighbor(300, 1f));
                    assertThat(got.neighbors().subList(1, 10)).allSatisfy(n -> assertThat(n.distance()).isGreaterThan(1f));
                }
            }
        }
    }

    /** A random vector with every component at least 0.1: any query with only negative ones lies farther than 1 from it. */
    private static float[] positive(Random r) {
        float[] v = new float[DIMS];
        for (int j = 0; j < DIMS; j++) {
            v[j] = 0.1f + (float) Math.abs(r.nextGaussian());
        }
        return v;
    }

    /** The k nearest ids by cosine distance in double (a zero vector is at 1), ties by id. */
    private static int[] bruteForce(float[][] data, float[] q, int k) {
        double[] dist = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < DIMS; j++) {
                dot += (double) data[i][j] * q[j];
                na += (double) data[i][j] * data[i][j];
                nb += (double) q[j] * q[j];
            }
            dist[i] = na == 0 || nb == 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
        }
        return IntStream.range(0, data.length).boxed().sorted((a, b) -> dist[a] != dist[b] ? Double.compare(dist[a], dist[b]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
