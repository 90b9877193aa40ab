import io.quiver.distance.DistanceKind;
import io.quiver.index.hnsw.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
import io.quiver.index.*;

/** copies batches threads distance: batches of exact copies of one vector (plus 1,000 random items first), then check and searches. */
public class Dup2 {
    public static void main(String[] a) throws Exception {
        int copies = Integer.parseInt(a[0]), batches = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]);
        DistanceKind kind = DistanceKind.valueOf(a[3]);
        int dims = 32, others = 1000;
        Path dir = Files.createTempDirectory("dup2");
        Random r = new Random(7);
        float[] same = new float[dims];
        for (int j = 0; j < dims; j++) same[j] = (float) r.nextGaussian();
        float[][] rand = new float[others][dims];
        for (float[] v : rand) for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
        try (Store store = Store.open(dir)) {
            long t0 = System.nanoTime();
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                for (int i = 0; i < others; i++) w.add(1_000_000 + i, rand[i]);
                w.build(HnswBuildOptions.builder().threads(threads).build());
            });
            int per = copies / batches;
            for (int b = 0; b < batches; b++) {
                int from = b * per;
                long tb = System.nanoTime();
                store.write(txn -> {
                    HnswWriter w = HnswWriter.open(txn, 0);
                    for (int i = from; i < from + per; i++) w.add(i, same);
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                System.out.printf("batch %d: %.2f s%n", b, (System.nanoTime() - tb) / 1e9);
            }
            System.out.printf("copies=%d batches=%d threads=%d %s total %.2f s%n", copies, batches, threads, kind, (System.nanoTime() - t0) / 1e9);
            try (ReadTxn txn = store.read()) {
                HnswReader rd = HnswReader.open(txn, 0);
                List<String> p = rd.check();
                System.out.println("check: " + (p.isEmpty() ? "ok" : p.get(0)));
                var res = rd.search(same, SearchOptions.builder().k(10).ef(64).build());
                int zero = 0; for (var nb : res.neighbors()) zero += nb.distance() == 0f ? 1 : 0; System.out.println("k=10 for the copied vector: " + res.size() + " results, " + zero + " at distance 0");
                // one allowed copy among the others: found?
                int found = 0, tries = 200;
                for (int t = 0; t < tries; t++) {
                    org.roaringbitmap.RoaringBitmap allow = new org.roaringbitmap.RoaringBitmap();
                    int want = r.nextInt(per * batches);
                    allow.add(want);
                    allow.add(1_000_000L, 1_000_000L + others);
                    var fr = rd.search(same, SearchOptions.builder().k(1).ef(64).filter(allow).build());
                    found += fr.size() > 0 && fr.ids()[0] == want ? 1 : 0;
                }
                System.out.println("filtered, one allowed copy among the 1,000 others, found " + found + " of " + tries);
            }
        }
    }
}
