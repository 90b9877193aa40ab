import io.quiver.storage.*;
import io.quiver.index.*;
import io.quiver.index.hnsw.*;
import io.quiver.distance.DistanceKind;
import java.nio.file.*;
import java.util.*;

public class WeakHunt {
    public static void main(String[] a) throws Exception {
        for (int n : new int[] {500, 1000, 2000}) for (int m : new int[] {4, 8}) for (long seed = 1; seed <= 6; seed++) {
            Path dir = Files.createTempDirectory("weak");
            Random r = new Random(seed);
            float[][] v = new float[n][24];
            for (int i = 0; i < n; i++) { int c = (i * 7919) % 40; for (int d = 0; d < 24; d++) v[i][d] = (float) (c * 0.1 + r.nextGaussian()); }
            int miss = 0; List<Integer> ids = new ArrayList<>(); List<String> problems;
            try (Store s = Store.open(dir)) {
                s.write(t -> { HnswWriter w = HnswWriter.create(t, 0, DistanceKind.COSINE, 24); for (int i = 0; i < n; i++) w.add(i, v[i]);
                    w.build(HnswBuildOptions.builder().m(m).efConstruction(60).threads(1).build()); });
                try (ReadTxn t = s.read()) {
                    HnswReader h = HnswReader.open(t, 0);
                    problems = h.check();
                    for (int i = 0; i < n; i++) {
                        SearchResult res = h.searchItem(i, SearchOptions.builder().k(10).ef(200).build());
                        boolean self = false; for (int x : res.ids()) self |= x == i;
                        boolean tie = !res.neighbors().isEmpty() && res.neighbors().get(0).distance() <= 1e-5f;
                        if (!self && !tie) { miss++; ids.add(i); }
                    }
                }
            }
            System.out.println("n=" + n + " m=" + m + " seed=" + seed + " misses=" + miss + " " + ids + " problems=" + problems.size());
        }
    }
}
