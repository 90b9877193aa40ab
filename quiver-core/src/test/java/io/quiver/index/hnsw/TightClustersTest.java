package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental builds of three tight clusters with m 4: the prunes of reverse links drop the few
 * links between clusters, and without a check of those far drops
 * ({@link IslandRescue#linkDroppedTargets}) a whole cluster lost its last link in on level 0
 * (this stream: 577 of 1,706 nodes after its fourth build).
 */
class TightClustersTest {
    @TempDir
    Path dir;

    @Test
    void noClusterLosesItsWayInOverBatchesOfInsertsAndDeletes() {
        int dims = 8;
        Random r = new Random(57);
        float[][] centre = new float[3][dims];
        for (float[] v : centre) {
            for (int j = 0; j < dims; j++) {
                v[j] = (float) r.nextGaussian();
            }
        }
        Set<Integer> live = new HashSet<>();
        int nextId = 0;
        try (Store store = Store.open(dir)) {
            for (int b = 0; b < 4; b++) {
                r.nextInt(2); // (the fuzzing harness drew a thread count here)
                List<Integer> deleted = new ArrayList<>();
                if (b > 0 && r.nextInt(3) == 0) {
                    for (int id : live) {
                        if (r.nextDouble() < 0.2) {
                            deleted.add(id);
                        }
                    }
                }
                Map<Integer, float[]> added = new LinkedHashMap<>();
                for (int i = 0; i < 500; i++) {
                    float[] v = centre[r.nextInt(3)].clone();
                    for (int j = 0; j < dims; j++) {
                        v[j] += 1e-3f * (float) r.nextGaussian();
                    }
                    added.put(nextId++, v);
                }
                boolean first = b == 0;
                store.write(txn -> {
                    HnswWriter w = first ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims) : HnswWriter.open(txn, 0);
                    deleted.forEach(w::delete);
                    added.forEach(w::add);
                    w.build(HnswBuildOptions.builder().m(4).threads(1).seed(57).build());
                });
                deleted.forEach(live::remove);
                live.addAll(added.keySet());
                try (ReadTxn txn = store.read()) {
                    assertThat(HnswReader.open(txn, 0).check()).as("build %d", b).isEmpty();
                }
            }
        }
    }
}
