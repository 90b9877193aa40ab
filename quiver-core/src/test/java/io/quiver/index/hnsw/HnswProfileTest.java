package io.quiver.index.hnsw;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fixed workload to profile (JFR) build and search on a Fashion-MNIST subset; prints timings only. */
@Tag("slow")
class HnswProfileTest {
    @TempDir
    Path dir;

    @Test
    void workload() throws Exception {
        Path d = HnswFashionMnistTest.dataDir("fashion-mnist");
        Assumptions.assumeTrue(Files.exists(d.resolve("base.fvecs")));
        List<float[]> base = HnswFashionMnistTest.fvecs(d.resolve("base.fvecs"));
        List<float[]> queries = HnswFashionMnistTest.fvecs(d.resolve("queries.fvecs"));
        int n = Integer.getInteger("quiver.n", 20000);
        try (Store store = Store.open(dir)) {
            long t0 = System.nanoTime();
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 784);
                for (int i = 0; i < n; i++) {
                    w.add(i, base.get(i));
                }
                System.out.print(w.build(HnswBuildOptions.builder().m(16).efConstruction(200).threads(Integer.getInteger("quiver.threads", 1)).build()));
            });
            System.out.printf("build %.2fs%n", (System.nanoTime() - t0) / 1e9);
            try (ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                SearchOptions o = SearchOptions.builder().k(10).ef(64).build();
                for (int rep = 0; rep < 3; rep++) {
                    long s = System.nanoTime();
                    for (float[] q : queries) {
                        r.search(q, o);
                    }
                    System.out.printf("qps %.0f%n", queries.size() / ((System.nanoTime() - s) / 1e9));
                }
            }
        }
    }
}
