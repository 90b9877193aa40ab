package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Distance;
import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchResult;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.Txn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/** Synthetic data, exact answers and a whole-graph consistency check for the HNSW tests. */
final class HnswTestSupport {
    private HnswTestSupport() {}

    /** {@code n} vectors of {@code dims} standard Gaussian components, drawn from {@code r} row by row. */
    static float[][] gaussian(Random r, int n, int dims) {
        float[][] v = new float[n][dims];
        for (float[] x : v) {
            for (int j = 0; j < dims; j++) {
                x[j] = (float) r.nextGaussian();
            }
        }
        return v;
    }

    /**
     * {@code n} points around {@code clusters} centres; each cluster spreads along its own
     * 8-dimensional subspace plus a little isotropic noise, like real embeddings (whose intrinsic
     * dimension is far below their length), rather than filling all dimensions uniformly.
     */
    static float[][] clustered(int n, int dims, int clusters, long seed) {
        Random r = new Random(seed);
        int latent = Math.min(8, dims);
        float[][] centres = new float[clusters][dims];
        float[][][] bases = new float[clusters][latent][dims];
        for (int c = 0; c < clusters; c++) {
            for (int d = 0; d < dims; d++) {
                centres[c][d] = (float) (r.nextGaussian() * 4);
            }
            for (int l = 0; l < latent; l++) {
                for (int d = 0; d < dims; d++) {
                    bases[c][l][d] = (float) (r.nextGaussian() / Math.sqrt(latent));
                }
            }
        }
        Random pr = new Random(seed * 31 + 7);
        float[][] out = new float[n][dims];
        for (int i = 0; i < n; i++) {
            int c = pr.nextInt(clusters);
            float[] v = out[i];
            for (int d = 0; d < dims; d++) {
                v[d] = centres[c][d] + (float) (pr.nextGaussian() * 0.1);
            }
            for (int l = 0; l < latent; l++) {
                float z = (float) pr.nextGaussian() * 2;
                for (int d = 0; d < dims; d++) {
                    v[d] += z * bases[c][l][d];
                }
            }
        }
        return out;
    }

    /** Exact k nearest among {@code ids} by the distance's own ordering. */
    static final class Exact {
        private final Distance distance;
        private final ByteBuffer items;
        private final Map<Integer, Integer> slot = new HashMap<>();
        private final ByteBuffer q;

        Exact(Distance distance, Map<Integer, float[]> data) {
            this.distance = distance;
            int b = distance.itemBytes();
            this.items = ByteBuffer.allocateDirect(b * Math.max(1, data.size())).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            for (Map.Entry<Integer, float[]> e : data.entrySet()) {
                distance.encode(e.getValue(), items.slice(i * b, b).order(ByteOrder.LITTLE_ENDIAN));
                slot.put(e.getKey(), i++);
            }
            this.q = ByteBuffer.allocateDirect(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] distances(float[] query, RoaringBitmap allowed) {
            distance.encode(query, q);
            long qa = NativeMemory.address(q);
            long base = NativeMemory.address(items);
            List<Float> ds = new ArrayList<>();
            for (Map.Entry<Integer, Integer> e : slot.entrySet()) {
                if (allowed == null || allowed.contains(e.getKey())) {
                    ds.add(distance.distance(qa, base + (long) e.getValue() * distance.itemBytes()));
                }
            }
            float[] out = new float[ds.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ds.get(i);
            }
            java.util.Arrays.sort(out);
            return out;
        }

        /**
         * Recall by distance (ties count): the share of returned items within the true k-th
         * distance, over k. Returned distances are user distances, so compare by rank of raw ones.
         */
        double recall(float[] query, SearchResult r, int k, RoaringBitmap allowed) {
            float[] d = distances(query, allowed);
            if (d.length == 0) {
                return 1.0;
            }
            int kk = Math.min(k, d.length);
            float kth = d[kk - 1];
            distance.encode(query, q);
            long qa = NativeMemory.address(q);
            long base = NativeMemory.address(items);
            int hit = 0;
            for (int id : r.ids()) {
                Integer s = slot.get(id);
                if (s != null && distance.distance(qa, base + (long) s * distance.itemBytes()) <= kth + 1e-5f * Math.abs(kth)) {
                    hit++;
                }
            }
            return (double) hit / kk;
        }
    }

    /**
     * Walks every list of the index (fine in tests, never in a build) and checks the graph: every
     * node is a stored item, every link names a stored item present on that level, no duplicates,
     * no self-links, degrees within the caps, every item has a level-0 list, the entry point is on
     * the top level, and the incoming lists are exactly the transpose of the outgoing ones, each
     * ascending as unsigned ids.
     */
    static void checkGraph(Txn txn, int index) {
        ItemStore items = ItemStore.open(txn, index);
        HnswMetadata hm = HnswMetadata.read(txn, index);
        assertThat(hm).as("hnsw metadata").isNotNull();
        RoaringBitmap built = items.builtItems();
        Map<Long, Set<Integer>> out = new HashMap<>();
        Map<Long, Set<Integer>> in = new HashMap<>();
        int[] maxLevel = {-1};
        txn.scan(index, KeyKind.LINKS, (id, level, value) -> {
            int n = value.remaining() / 4;
            Set<Integer> s = new HashSet<>();
            for (int i = 0; i < n; i++) {
                s.add(value.getInt(4 * i));
            }
            assertThat(s).as("duplicates in list of %d level %d", id, level).hasSize(n);
            long key = ((long) id << 8) | level;
            if ((level & Links.IN) == 0) {
                out.put(key, s);
                maxLevel[0] = Math.max(maxLevel[0], level);
                assertThat(n).as("degree of %d at %d", id, level).isLessThanOrEqualTo(level == 0 ? hm.m0() : hm.m());
            } else {
                for (int i = 1; i < n; i++) {
                    // the build merges incoming lists assuming this order
                    assertThat(Integer.compareUnsigned(value.getInt(4 * (i - 1)), value.getInt(4 * i)))
                            .as("in-list of %d level %d ascending as unsigned ids", id, level & ~Links.IN).isNegative();
                }
                in.put(key, s);
            }
            return true;
        });
        for (Map.Entry<Long, Set<Integer>> e : out.entrySet()) {
            int id = (int) (e.getKey() >> 8);
            int level = (int) (e.getKey() & 0xFF);
            assertThat(built.contains(id)).as("node %d is built", id).isTrue();
            assertThat(txn.exists(index, KeyKind.ITEM, id)).as("node %d has an item", id).isTrue();
            if (level > 0) {
                assertThat(out).as("node %d has level %d below %d", id, level - 1, level).containsKey(((long) id << 8) | (level - 1));
            }
            for (int x : e.getValue()) {
                assertThat(x).as("self link of %d", id).isNotEqualTo(id);
                assertThat(txn.exists(index, KeyKind.ITEM, x)).as("link %d -> %d (level %d) names a missing item", id, x, level).isTrue();
                assertThat(out).as("link %d -> %d: target has level %d", id, x, level).containsKey(((long) x << 8) | level);
                Set<Integer> back = in.get(((long) x << 8) | level | Links.IN);
                assertThat(back).as("in-list of %d level %d", x, level).isNotNull().contains(id);
            }
        }
        for (Map.Entry<Long, Set<Integer>> e : in.entrySet()) {
            int id = (int) (e.getKey() >> 8);
            int level = (int) (e.getKey() & 0x7F);
            for (int x : e.getValue()) {
                Set<Integer> fwd = out.get(((long) x << 8) | level);
                assertThat(fwd).as("in-list of %d level %d names %d which does not link back", id, level, x).isNotNull().contains(id);
            }
        }
        for (int id : built) {
            assertThat(out).as("item %d has a level-0 list", id).containsKey((long) id << 8);
        }
        if (built.isEmpty()) {
            assertThat(hm.hasEntry()).isFalse();
        } else {
            assertThat(hm.hasEntry()).isTrue();
            assertThat(built.contains(hm.entry())).as("entry point is built").isTrue();
            assertThat(out).as("entry point on its level").containsKey(((long) hm.entry() << 8) | hm.maxLevel());
        }
        assertThat(IndexMetadata.read(txn, index).algorithm()).isEqualTo(io.quiver.index.Algorithm.HNSW);
        // the product's own verification (quiver check) must agree with this independent one
        if (txn instanceof io.quiver.storage.ReadTxn r) {
            assertThat(HnswReader.open(r, index).check()).isEmpty();
        }
    }
}
