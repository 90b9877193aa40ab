package io.quiver.index.hnsw;
import io.quiver.distance.DistanceKind;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/** args: seeds [m] [clusters] [perBatch] [batches] [spread]: tight clusters inserted in batches, deletes, check after each build. */
public class TightClusters {
    public static void main(String[] a) throws Exception {
        int seeds = Integer.parseInt(a[0]);
        int m = a.length > 1 ? Integer.parseInt(a[1]) : 4;
        int clusters = a.length > 2 ? Integer.parseInt(a[2]) : 3;
        int perBatch = a.length > 3 ? Integer.parseInt(a[3]) : 500;
        int batches = a.length > 4 ? Integer.parseInt(a[4]) : 6;
        float spread = a.length > 5 ? Float.parseFloat(a[5]) : 1e-3f;
        int bad = 0, builds = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Random r = new Random(seed);
            int dims = 8;
            float[][] centre = new float[clusters][dims];
            for (float[] v : centre) for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
            Set<Integer> live = new HashSet<>();
            int nextId = 0;
            try (Store store = Store.open(Files.createTempDirectory("tight"))) {
                for (int b = 0; b < batches; b++) {
                    int threads0 = 1 + r.nextInt(2); final int threads = Boolean.getBoolean("one") ? 1 : threads0;
                    List<Integer> del = new ArrayList<>();
                    if (b > 0 && r.nextInt(3) == 0 && !Boolean.getBoolean("nodel")) for (int id : live) if (r.nextDouble() < 0.2) del.add(id);
                    Map<Integer, float[]> add = new LinkedHashMap<>();
                    for (int i = 0; i < perBatch; i++) {
                        float[] v = centre[r.nextInt(clusters)].clone();
                        for (int j = 0; j < dims; j++) v[j] += spread * (float) r.nextGaussian();
                        add.put(nextId++, v);
                    }
                    final boolean first = b == 0; final long fseed = seed;
                    store.write(txn -> {
                        HnswWriter w = first ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims) : HnswWriter.open(txn, 0);
                        for (int id : del) w.delete(id);
                        add.forEach(w::add);
                        w.build(HnswBuildOptions.builder().m(m).threads(threads).seed(fseed).build());
                    });
                    live.removeAll(del);
                    live.addAll(add.keySet());
                    builds++;
                    try (ReadTxn txn = store.read()) {
                        List<String> p = HnswReader.open(txn, 0).check();
                        if (!p.isEmpty()) {
                            bad++;
                            String s = p.get(0);
                            System.out.println("seed " + seed + " batch " + b + " live " + live.size() + " problems " + p.size() + ": " + (s.length() > 300 ? s.substring(0, 300) : s));
                        }
                    }
                }
            }
        }
        System.out.println("builds " + builds + ", failing checks " + bad);
    }
}
