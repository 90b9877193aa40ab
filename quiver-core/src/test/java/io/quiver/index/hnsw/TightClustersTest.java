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
 * Incremental builds of tight clusters with m 4 (the stream of a fuzzing harness,
 * docs/bench-2026-11-25-s31/TightClusters.java, with one thread): batches of points near a few
 * centres, a fifth of the items deleted before some batches, {@code check()} after each build.
 * Each stream here left part of a level unreachable before its fix.
 */
class TightClustersTest {
    @TempDir
    Path dir;

    /**
     * Deletes left two links into one cluster, and the prunes of the next batch's reverse links
     * dropped both (680 of 2,020 nodes of level 0 unreachable after the fifth build): far drops are
     * checked ({@link IslandRescue#linkDroppedTargets}).
     */
    @Test
    void noClusterLosesItsWayInThroughPrunes() {
        checkAfterEachBuild(6, 3, 500, 6, 1e-3f);
    }

    /**
     * One cluster's links out all went to one node of another, which was deleted; the repairs took
     * its neighbours on their own side (4,624 of 6,834 nodes unreachable after the fourth build):
     * a repair that replaces a far link notes the deleted node's stand-in.
     */
    @Test
    void noClusterLosesItsWayOutThroughRepairs() {
        checkAfterEachBuild(6, 3, 2_000, 4, 1e-4f);
    }

    /**
     * A new node took over as entry point; the old one had no incoming link on level 1, a level
     * of more than 1,024 nodes, and stayed there alone after the fifth build: a replaced entry
     * point is a suspect on each of its levels.
     */
    @Test
    void aReplacedEntryPointOnALargeLevelIsLinkedIn() {
        checkAfterEachBuild(16, 10, 1_000, 5, 1e-3f);
    }

    private void checkAfterEachBuild(long seed, int clusters, int perBatch, int batches, float spread) {
        int dims = 8;
        Random r = new Random(seed);
        float[][] centre = new float[clusters][dims];
        for (float[] v : centre) {
            for (int j = 0; j < dims; j++) {
                v[j] = (float) r.nextGaussian();
            }
        }
        Set<Integer> live = new HashSet<>();
        int nextId = 0;
        try (Store store = Store.open(dir)) {
            for (int b = 0; b < batches; b++) {
                r.nextInt(2); // (the harness drew a thread count here)
                List<Integer> deleted = new ArrayList<>();
                if (b > 0 && r.nextInt(3) == 0) {
                    for (int id : live) {
                        if (r.nextDouble() < 0.2) {
                            deleted.add(id);
                        }
                    }
                }
                Map<Integer, float[]> added = new LinkedHashMap<>();
                for (int i = 0; i < perBatch; i++) {
                    float[] v = centre[r.nextInt(clusters)].clone();
                    for (int j = 0; j < dims; j++) {
                        v[j] += spread * (float) r.nextGaussian();
                    }
                    added.put(nextId++, v);
                }
                boolean first = b == 0;
                store.write(txn -> {
                    HnswWriter w = first ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims) : HnswWriter.open(txn, 0);
                    deleted.forEach(w::delete);
                    added.forEach(w::add);
                    w.build(HnswBuildOptions.builder().m(4).threads(1).seed(seed).build());
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
