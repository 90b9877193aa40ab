import io.quiver.storage.*; import io.quiver.index.*; import io.quiver.index.hnsw.*; import io.quiver.distance.*;
import java.nio.file.*; import java.util.*;
public class SparseRecall {
  public static void main(String[] a) throws Exception {
    int D = Integer.parseInt(a[0]), nz = Integer.parseInt(a[1]), N = 5000; boolean codes = a[2].equals("codes");
    Random r = new Random(5); float[][] v = new float[N][D];
    for (float[] x : v) for (int k = 0; k < nz; k++) x[r.nextInt(D)] = (float) r.nextGaussian();
    Path dir = Files.createTempDirectory("sp");
    try (Store s = Store.open(dir)) {
      s.write(t -> { HnswWriter w = HnswWriter.create(t, 0, DistanceKind.COSINE, D); for (int i = 0; i < N; i++) w.add(i, v[i]); w.build(HnswBuildOptions.builder().threads(2).int8Codes(codes).build()); });
      try (ReadTxn t = s.read()) {
        HnswReader h = HnswReader.open(t, 0);
        boolean hasCodes = t.get(0, KeyKind.METADATA, 4) != null;
        double[] nv = new double[N]; for (int i = 0; i < N; i++) { double q = 0; for (float x : v[i]) q += x * x; nv[i] = Math.sqrt(q); }
        for (int ef : new int[] {10, 64}) {
          int hit = 0; int Q = 200;
          for (int qi = 0; qi < Q; qi++) { float[] q = v[(qi * 37) % N].clone(); for (int k = 0; k < nz / 2; k++) q[r.nextInt(D)] += (float) r.nextGaussian() * 0.5f;
            double qn = 0; for (float x : q) qn += x * x; qn = Math.sqrt(qn);
            double[] dd = new double[N]; Integer[] idx = new Integer[N];
            for (int i = 0; i < N; i++) { double dot = 0; for (int j = 0; j < D; j++) dot += q[j] * v[i][j]; dd[i] = 1 - dot / (qn * nv[i]); idx[i] = i; }
            Arrays.sort(idx, Comparator.comparingDouble(i -> dd[i])); Set<Integer> truth = new HashSet<>(); for (int k = 0; k < 10; k++) truth.add(idx[k]);
            for (int id : h.search(q, SearchOptions.builder().k(10).ef(ef).build()).ids()) if (truth.contains(id)) hit++; }
          System.out.printf("cosine %dd nz=%d codes-wanted=%s stored-codes=%s ef=%d recall@10=%.3f%n", D, nz, codes, hasCodes, ef, hit / (10.0 * Q));
        }
      }
    }
  }
}
