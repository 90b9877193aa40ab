package io.quiver.index.hnsw;
import io.quiver.distance.DistanceKind;
import io.quiver.index.hnsw.*;
import io.quiver.index.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/** seeds: random batches of adds (copies of 3 vectors, near copies, random items) and deletes; check after each build. */
public class Dup4d {
    public static void main(String[] a) throws Exception {
        int seeds = Integer.parseInt(a[0]); int only = a.length > 1 ? Integer.parseInt(a[1]) : 0;
        int bad = 0, builds = 0;
        for (int seed = 1; seed <= seeds; seed++) { if (only > 0 && seed != only) continue; Map<Integer,String> kindOf = new HashMap<>();
            Random r = new Random(seed);
            DistanceKind kind = r.nextBoolean() ? DistanceKind.EUCLIDEAN : DistanceKind.COSINE;
            int dims = r.nextBoolean() ? 8 : 24;
            int m = 4 + r.nextInt(13);
            float[][] proto = new float[3][dims];
            for (float[] v : proto) for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
            Map<Integer, float[]> live = new HashMap<>();
            int nextId = 0;
            try (Store store = Store.open(Files.createTempDirectory("dup4"))) {
                for (int b = 0; b < 8; b++) {
                    int threads = Integer.getInteger("threads", 0) > 0 ? Integer.getInteger("threads") + 0 * r.nextInt(2) : 1 + r.nextInt(2);
                    List<Integer> del = new ArrayList<>();
                    if (!live.isEmpty()) {
                        double frac = r.nextDouble() * 0.6;
                        for (int id : live.keySet()) if (r.nextDouble() < frac) del.add(id);
                    }
                    Map<Integer, float[]> add = new LinkedHashMap<>();
                    int n = r.nextInt(600);
                    for (int i = 0; i < n; i++) {
                        float[] v;
                        int c = r.nextInt(10);
                        String kd;
                        if (c < 6) { int pi = r.nextInt(3); v = proto[pi].clone(); kd = "copy" + pi; }
                        else if (c < 8) { v = proto[r.nextInt(3)].clone(); v[r.nextInt(dims)] += 1e-3f * (float) r.nextGaussian(); kd = "near"; }
                        else { v = new float[dims]; for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian(); kd = "rand"; }
                        int id = r.nextInt(5) == 0 && !live.isEmpty() ? live.keySet().iterator().next() : nextId++;
                        kindOf.put(id, kd);
                        add.put(id, v);
                    }
                    final boolean first = b == 0;
                    final int fm = m; final long fseed = seed;
                    store.write(txn -> {
                        HnswWriter w = first ? HnswWriter.create(txn, 0, kind, dims) : HnswWriter.open(txn, 0);
                        for (int id : del) { w.delete(id); }
                        add.forEach(w::add);
                        w.build(HnswBuildOptions.builder().m(fm).threads(threads).seed(fseed).build());
                    });
                    for (int id : del) live.remove(id);
                    live.putAll(add);
                    builds++;
                    try (ReadTxn txn = store.read()) {
                        List<String> p = HnswReader.open(txn, 0).check();
                        if (!p.isEmpty()) {
                            bad++; System.out.println(DupRace.diagnose(store, -1, -1, kindOf));
                            System.out.println("seed " + seed + " batch " + b + " " + kind + " dims " + dims + " m " + m + " live " + live.size() + ": " + p.get(0).replaceAll(": [0-9, .]*\\(.*", ""));
                        }
                    }
                }
            }
        }
        System.out.println("builds " + builds + ", failing checks " + bad);
    }
}
