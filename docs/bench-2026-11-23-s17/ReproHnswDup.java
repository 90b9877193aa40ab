import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.hnsw.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/** One build from scratch of data with many exact duplicates. args: kind n dups m threads */
public class ReproHnswDup {
    static double trueDist(DistanceKind k, float[] a, float[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            if (k == DistanceKind.COSINE) { d += (double) a[i] * b[i]; na += (double) a[i] * a[i]; nb += (double) b[i] * b[i]; }
            else if (k == DistanceKind.MANHATTAN) d += Math.abs(a[i] - b[i]);
            else d += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        if (k == DistanceKind.COSINE) return na == 0 || nb == 0 ? 1 : 1 - d / Math.sqrt(na * nb);
        return k == DistanceKind.MANHATTAN ? d : Math.sqrt(d);
    }

    public static void main(String[] a) throws Exception {
        DistanceKind kind = DistanceKind.parse(a.length > 0 ? a[0] : "euclidean");
        int n = a.length > 1 ? Integer.parseInt(a[1]) : 1000;
        int dupPct = a.length > 2 ? Integer.parseInt(a[2]) : 50;
        int m = a.length > 3 ? Integer.parseInt(a[3]) : 8;
        int threads = a.length > 4 ? Integer.parseInt(a[4]) : 1;
        int dims = a.length > 5 ? Integer.parseInt(a[5]) : 8;
        Path dir = Files.createTempDirectory("repro");
        Random r = new Random(1);
        List<float[]> vs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dims];
            int c = r.nextInt(100);
            if (c < dupPct / 2) { /* zero vector */ }
            else if (c < dupPct) Arrays.fill(v, 0.5f);
            else for (int j = 0; j < dims; j++) v[j] = r.nextFloat();
            vs.add(v);
        }
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                for (int i = 0; i < n; i++) w.add(i, vs.get(i));
                w.build(HnswBuildOptions.builder().m(m).efConstruction(100).threads(threads).seed(1).int8Codes(false).build());
            });
            try (ReadTxn t = store.read()) {
                HnswReader h = HnswReader.open(t, 0);
                System.out.println("check: " + h.check());
                int k = 50;
                SearchResult res = h.search(vs.get(n - 1), SearchOptions.builder().k(k).ef(200).build());
                System.out.println("search k=50 ef=200 of " + n + " items returned " + res.size());
                // items that do not come back when searched for themselves with a filter of just-over-the-scan-limit size
                int notFound = 0;
                for (int i = 0; i < n; i++) {
                    SearchResult s = h.searchItem(i, SearchOptions.builder().k(1).ef(200).build());
                    if (s.size() == 0 || s.neighbors().get(0).distance() != 0f) notFound++;
                }
                System.out.println("items whose own search k=1 does not return distance 0: " + notFound);
                // recall@10 at ef=200 for 100 random queries from the non-duplicate distribution
                double rsum = 0;
                io.quiver.distance.Distance dd = kind.create(dims);
                for (int q = 0; q < 100; q++) {
                    float[] qv = new float[dims];
                    for (int j = 0; j < dims; j++) qv[j] = r.nextFloat();
                    SearchResult s = h.search(qv, SearchOptions.builder().k(10).ef(200).build());
                    double[] all = new double[n];
                    for (int i = 0; i < n; i++) all[i] = trueDist(kind, qv, vs.get(i));
                    double[] sorted = all.clone(); Arrays.sort(sorted);
                    double kth = sorted[9];
                    int good = 0;
                    for (var nb : s.neighbors()) if (all[nb.id()] <= kth + 1e-5) good++;
                    rsum += good / 10.0;
                }
                int shortRes = 0, worst = 10;
                for (int q = 0; q < 200; q++) {
                    float[] qv = new float[dims];
                    for (int j = 0; j < dims; j++) qv[j] = r.nextFloat();
                    int got = h.search(qv, SearchOptions.builder().k(10).ef(200).build()).size();
                    if (got < 10) shortRes++;
                    worst = Math.min(worst, got);
                }
                System.out.println("unfiltered k=10 ef=200 searches returning fewer than 10 results: " + shortRes + " of 200 (fewest " + worst + ")");
                System.out.printf("recall@10 (ties counted) at ef=200, 100 queries: %.3f%n", rsum / 100);
                // filtered: allowed = every non-duplicate item plus ONE zero vector z; query = zero vector; expect z at distance 0
                org.roaringbitmap.RoaringBitmap base = new org.roaringbitmap.RoaringBitmap();
                List<Integer> zeros = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    float s0 = 0; for (float x : vs.get(i)) s0 += Math.abs(x);
                    if (s0 == 0) zeros.add(i); else if (vs.get(i)[0] != 0.5f || vs.get(i)[1] != 0.5f) base.add(i);
                }
                int missed = 0;
                List<Integer> missedIds = new ArrayList<>();
                for (int z : zeros) {
                    org.roaringbitmap.RoaringBitmap f = base.clone();
                    f.add(z);
                    SearchResult s = h.search(new float[dims], SearchOptions.builder().k(1).ef(64).filter(f).build());
                    if (s.size() == 0 || s.neighbors().get(0).id() != z) { missed++; if (missedIds.size() < 5) missedIds.add(z); }
                }
                System.out.println("filter of " + (base.getCardinality() + 1) + " ids (the non-duplicates + one zero vector z), query = zero vector, k=1 ef=64: z not returned for " + missed + " of " + zeros.size() + " zero vectors, e.g. " + missedIds);
            }
        }
    }
}
