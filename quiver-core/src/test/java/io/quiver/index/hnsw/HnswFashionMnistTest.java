package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.ProgressTrace;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Recall on Fashion-MNIST (60k x 784) as produced by {@code scripts/datasets.sh}; skipped when the
 * files are absent. Prints build trace, recall and single-thread QPS per ef — for orientation only:
 * timings belong to the benchmark module, this test asserts recall.
 */
@Tag("dataset")
class HnswFashionMnistTest {
    @TempDir
    Path dir;

    static List<float[]> fvecs(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            float[] v = new float[b.getInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getFloat();
            }
            out.add(v);
        }
        return out;
    }

    static List<int[]> ivecs(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        List<int[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int[] v = new int[b.getInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getInt();
            }
            out.add(v);
        }
        return out;
    }

    static Path dataDir(String name) {
        Path p = Path.of(System.getProperty("quiver.data", "../data")).resolve(name);
        if (!Files.exists(p.resolve("base.fvecs"))) {
            p = Path.of("data").resolve(name);
        }
        return p;
    }

    @ParameterizedTest
    @CsvSource({"fashion-mnist, euclidean", "fashion-mnist-cosine, cosine"})
    void recallAtTen(String name, String distance) throws IOException {
        Path d = dataDir(name);
        Assumptions.assumeTrue(Files.exists(d.resolve("base.fvecs")), "no " + d + "/base.fvecs (run scripts/datasets.sh)");
        List<float[]> base = fvecs(d.resolve("base.fvecs"));
        List<float[]> queries = fvecs(d.resolve("queries.fvecs"));
        List<int[]> truth = ivecs(d.resolve("truth.ivecs"));
        DistanceKind kind = DistanceKind.parse(distance);
        int threads = Integer.getInteger("quiver.threads", 2);
        try (Store store = Store.open(dir)) {
            long t0 = System.nanoTime();
            ProgressTrace trace = store.writeAndReturn(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, kind, base.get(0).length);
                for (int i = 0; i < base.size(); i++) {
                    w.add(i, base.get(i));
                }
                return w.build(HnswBuildOptions.builder().m(16).efConstruction(200).threads(threads).build());
            });
            System.out.printf("%s build %.2fs (threads %d)%n%s", name, (System.nanoTime() - t0) / 1e9, threads, trace);
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                System.out.println(r.stats());
                double recallAt64 = 0;
                for (int ef : new int[] {16, 32, 64, 128, 256}) {
                    for (int pass = 0; pass < 2; pass++) { // first pass warms the JIT and the snapshot caches
                        SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
                        long hits = 0;
                        long s = System.nanoTime();
                        for (int q = 0; q < queries.size(); q++) {
                            int[] ids = r.search(queries.get(q), o).ids();
                            int[] t = truth.get(q);
                            for (int id : ids) {
                                for (int j = 0; j < 10; j++) {
                                    if (t[j] == id) {
                                        hits++;
                                        break;
                                    }
                                }
                            }
                        }
                        double secs = (System.nanoTime() - s) / 1e9;
                        double recall = hits / (10.0 * queries.size());
                        if (pass == 1) {
                            System.out.printf("%s ef %d recall@10 %.4f qps %.0f%n", name, ef, recall, queries.size() / secs);
                            if (ef == 64) {
                                recallAt64 = recall;
                            }
                        }
                    }
                }
                assertThat(recallAt64).isGreaterThanOrEqualTo(0.95);
                // The whole graph, reachability from the entry point included, on real data.
                HnswTestSupport.checkGraph(txn, 0);
            }
        }
    }
}
