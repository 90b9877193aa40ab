package io.quiver.index.hnsw;

import io.quiver.distance.DistanceKind;
import io.quiver.index.*;
import io.quiver.index.forest.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
import org.roaringbitmap.RoaringBitmap;

/** Both families with ids offset by args[0]: random items, some copies, deletes and re-adds; check and recall@10 against brute force, unfiltered and filtered. */
public class HighIds2 {
    public static void main(String[] a) throws Exception {
        int off = (int) Long.parseLong(a[0]);
        int dims = 16, n = 3000;
        Random r = new Random(11);
        float[][] data = new float[n][dims];
        for (int i = 0; i < n; i++) {
            if (i % 10 == 0 && i > 0) { data[i] = data[i - 1].clone(); continue; }
            for (int j = 0; j < dims; j++) data[i][j] = (float) r.nextGaussian();
        }
        Map<Integer, float[]> live = new HashMap<>();
        for (DistanceKind kind : new DistanceKind[] {DistanceKind.EUCLIDEAN, DistanceKind.COSINE}) {
            live.clear();
            try (Store store = Store.open(Files.createTempDirectory("hi2"))) {
                store.write(txn -> {
                    HnswWriter h = HnswWriter.create(txn, 0, kind, dims);
                    ForestWriter f = ForestWriter.create(txn, 1, kind, dims);
                    for (int i = 0; i < n; i++) { h.add(off + 7 * i, data[i]); f.add(off + 7 * i, data[i]); live.put(off + 7 * i, data[i]); }
                    h.build(HnswBuildOptions.builder().threads(2).build());
                    f.build(ForestBuildOptions.defaults());
                });
                store.write(txn -> {
                    HnswWriter h = HnswWriter.open(txn, 0);
                    ForestWriter f = ForestWriter.open(txn, 1);
                    for (int i = 0; i < n; i += 9) { h.delete(off + 7 * i); f.delete(off + 7 * i); live.remove(off + 7 * i); }
                    for (int i = 0; i < n; i += 27) { float[] v = data[(i + 5) % n]; h.add(off + 7 * i, v); f.add(off + 7 * i, v); live.put(off + 7 * i, v); }
                    h.build(HnswBuildOptions.builder().threads(2).build());
                    f.build(ForestBuildOptions.defaults());
                });
                try (ReadTxn txn = store.read()) {
                    HnswReader h = HnswReader.open(txn, 0);
                    ForestReader f = ForestReader.open(txn, 1);
                    System.out.println(kind + " offset " + Integer.toUnsignedString(off) + " hnsw check " + h.check() + " forest check " + f.check());
                    RoaringBitmap allowed = new RoaringBitmap();
                    for (int id : live.keySet()) if ((Integer.toUnsignedLong(id) / 7) % 3 == 0) allowed.add(id);
                    for (IndexReader reader : List.<IndexReader>of(h, f)) {
                        double rec = 0, frec = 0; int q = 100;
                        for (int t = 0; t < q; t++) {
                            float[] v = new float[dims];
                            for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
                            rec += overlap(reader.search(v, SearchOptions.builder().k(10).ef(64).build()).ids(), brute(live, v, kind, null));
                            frec += overlap(reader.search(v, SearchOptions.builder().k(10).ef(64).filter(allowed).build()).ids(), brute(live, v, kind, allowed));
                        }
                        System.out.printf("  %s recall %.3f filtered %.3f%n", reader.getClass().getSimpleName(), rec / q, frec / q);
                    }
                }
            }
        }
    }
    static double overlap(int[] got, Set<Integer> truth) { int c = 0; for (int g : got) if (truth.contains(g)) c++; return c / 10.0; }
    static Set<Integer> brute(Map<Integer, float[]> live, float[] q, DistanceKind kind, RoaringBitmap allowed) {
        List<Map.Entry<Integer, Double>> d = new ArrayList<>();
        for (var e : live.entrySet()) {
            if (allowed != null && !allowed.contains(e.getKey())) continue;
            double s = 0, na = 0, nb = 0;
            for (int j = 0; j < q.length; j++) { double x = e.getValue()[j]; if (kind == DistanceKind.EUCLIDEAN) s += (x - q[j]) * (x - q[j]); else { s += x * q[j]; na += x * x; nb += q[j] * q[j]; } }
            double dist = kind == DistanceKind.EUCLIDEAN ? s : 1 - s / Math.sqrt(na * nb);
            d.add(Map.entry(e.getKey(), dist));
        }
        d.sort(Map.Entry.comparingByValue());
        Set<Integer> out = new HashSet<>();
        // ties at the 10th distance (copies) all count
        double tenth = d.get(Math.min(9, d.size() - 1)).getValue();
        for (var e : d) { if (e.getValue() <= tenth + 1e-6) out.add(e.getKey()); else break; }
        return out;
    }
}
