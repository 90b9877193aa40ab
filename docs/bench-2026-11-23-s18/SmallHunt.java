package io.quiver.index.hnsw;
import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
public class SmallHunt {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), dims = Integer.parseInt(a[1]), clusters = Integer.parseInt(a[2]);
        double spread = Double.parseDouble(a[3]);
        int threads = Integer.parseInt(a[4]);
        for (int seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            float[][] centres = new float[clusters][dims];
            for (float[] c : centres) for (int d = 0; d < dims; d++) c[d] = r.nextFloat();
            float[][] v = new float[n][dims];
            for (int i = 0; i < n; i++) { float[] c = centres[r.nextInt(clusters)]; for (int d = 0; d < dims; d++) v[i][d] = c[d] + (float) (r.nextGaussian() * spread / Math.sqrt(dims)); }
            Path dir = Files.createTempDirectory("sh");
            final int s = seed;
            try (Store store = Store.open(dir)) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                    for (int i = 0; i < n; i++) w.add(i, v[i]);
                    w.build(HnswBuildOptions.builder().m(4).efConstruction(32).alpha(1.2).threads(threads).seed(s).int8Codes(!Boolean.getBoolean("nocodes")).m(Integer.getInteger("m", 4)).build());
                });
                try (ReadTxn txn = store.read()) {
                    HnswReader w = HnswReader.open(txn, 0).walkingSmallIndexes();
                    int self = 0;
                    for (int i = 0; i < n; i++) self += w.search(v[i], SearchOptions.k(1)).neighbors().get(0).id() == i ? 1 : 0;
                    int kn = w.search(v[0], SearchOptions.k(n)).size();
                    HnswReader d = HnswReader.open(txn, 0);
                    int dself = 0;
                    for (int i = 0; i < n; i++) dself += d.search(v[i], SearchOptions.k(1)).neighbors().get(0).id() == i ? 1 : 0;
                    System.out.println("seed " + seed + " walked self " + self + " kN " + kn + " default self " + dself + " kN " + d.search(v[0], SearchOptions.k(n)).size() + " check " + w.check().size());
                }
            }
        }
    }
}
