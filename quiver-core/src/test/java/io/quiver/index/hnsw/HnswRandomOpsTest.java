package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.roaringbitmap.RoaringBitmap;

/**
 * Random interleavings of adds, changes, deletes, builds and commits on a small index: after each
 * commit the whole graph must be consistent (no link to a deleted item, incoming lists the exact
 * transpose) and an item must find itself.
 */
class HnswRandomOpsTest {
    // A fixed seed: CI must not depend on the luck of the draw; run with another seed to explore.
    // Before builds reconnected islands, free seeds found graphs where 4 of 67 items (6%) were
    // unreachable, and these 150 tries found one (checkGraph now reports unreachable nodes); with
    // the reconnection 2,000 free tries passed.
    @Property(tries = 150, seed = "42")
    void graphStaysConsistent(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) throws Exception {
        Path dir = Files.createTempDirectory("hnsw-random");
        try {
            run(dir, seed);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void run(Path dir, long seed) throws Exception {
        Random rnd = new Random(seed);
        Map<Integer, float[]> live = new HashMap<>();
        HnswBuildOptions opts = HnswBuildOptions.builder().m(8).efConstruction(32).threads(1 + rnd.nextInt(2)).seed(seed).build();
        // Odd seeds also use ids of 2^31 and more, which sort after the others as the store's
        // unsigned keys do (and make the ids too sparse for the builds' dense arrays).
        boolean highIds = (seed & 1) == 1;
        try (Store store = Store.open(dir)) {
            for (int t = 0; t < 4; t++) {
                int txnNo = t;
                int builds = 1 + rnd.nextInt(3);
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 4);
                    for (int b = 0; b < builds; b++) {
                        int ops = 1 + rnd.nextInt(60);
                        for (int o = 0; o < ops; o++) {
                            int id = rnd.nextInt(120);
                            if (highIds && id % 3 == 0) {
                                id |= Integer.MIN_VALUE;
                            }
                            if (rnd.nextInt(3) == 0) {
                                w.delete(id);
                                live.remove(id);
                            } else {
                                float[] v = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
                                w.add(id, v);
                                live.put(id, v);
                            }
                        }
                        w.build(opts);
                    }
                });
                try (ReadTxn txn = store.read()) {
                    HnswTestSupport.checkGraph(txn, 0);
                    HnswReader r = HnswReader.open(txn, 0).walkingSmallIndexes();
                    RoaringBitmap expected = new RoaringBitmap();
                    live.keySet().forEach(expected::add);
                    assertThat(r.ids()).isEqualTo(expected);
                    // Deleted ids are never returned; items find themselves. Every node is reachable
                    // from the entry point, but links are one-way: the node where the descent enters
                    // level 0 may not reach every other one (m = 8 on uniform 4-d data), so allow up
                    // to 5%, at least 3, of misses.
                    int misses = 0;
                    for (Map.Entry<Integer, float[]> e : live.entrySet()) {
                        SearchResult res = r.search(e.getValue(), SearchOptions.builder().k(5).ef(64).build());
                        for (int id : res.ids()) {
                            assertThat(live).containsKey(id);
                        }
                        if (res.neighbors().get(0).distance() != 0f) {
                            misses++;
                        }
                    }
                    assertThat(misses).as("items that do not find themselves of %s", live.size()).isLessThanOrEqualTo(Math.max(3, live.size() / 20));
                }
            }
        }
    }
}
