import io.quiver.storage.*; import io.quiver.index.*; import io.quiver.index.hnsw.*; import io.quiver.distance.*;
import java.nio.file.*; import java.util.*;
public class RecallScale {
  public static void main(String[] a) throws Exception {
    int D = 32; Random r = new Random(1); float[][] C = new float[50][D]; for (float[] c : C) for (int j = 0; j < D; j++) c[j] = (float) r.nextGaussian() * 5;
    for (int scale : new int[] {1, 5, 10, 20, 50}) for (boolean codes : new boolean[] {true, false}) {
      int big = scale == 1 ? 0 : 500; float[][] v = new float[5000 + big][];
      Random rr = new Random(2);
      for (int i = 0; i < v.length; i++) { float[] c = C[rr.nextInt(50)]; float sc = i < 5000 ? 1 : scale; v[i] = new float[D]; for (int j = 0; j < D; j++) v[i][j] = (c[j] + (float) rr.nextGaussian()) * sc; }
      Path dir = Files.createTempDirectory("rs");
      try (Store s = Store.open(dir)) {
        s.write(t -> { HnswWriter w = HnswWriter.create(t, 0, DistanceKind.EUCLIDEAN, D); for (int i = 0; i < v.length; i++) w.add(i, v[i]); w.build(HnswBuildOptions.builder().threads(2).int8Codes(codes).build()); });
        try (ReadTxn t = s.read()) {
          HnswReader h = HnswReader.open(t, 0);
          for (int ef : new int[] {10, 64}) {
          int hit = 0; Random q = new Random(9);
          for (int i = 0; i < 300; i++) { float[] c = C[q.nextInt(50)]; float[] x = new float[D]; for (int j = 0; j < D; j++) x[j] = c[j] + (float) q.nextGaussian();
            Integer[] idx = new Integer[v.length]; for (int k = 0; k < v.length; k++) idx[k] = k; double[] dd = new double[v.length]; for (int k = 0; k < v.length; k++) { double s2 = 0; for (int j = 0; j < D; j++) { double d = x[j] - v[k][j]; s2 += d * d; } dd[k] = s2; }
            Arrays.sort(idx, Comparator.comparingDouble(k -> dd[k])); Set<Integer> truth = new HashSet<>(); for (int k = 0; k < 10; k++) truth.add(idx[k]);
            for (int id : h.search(x, SearchOptions.builder().k(10).ef(ef).build()).ids()) if (truth.contains(id)) hit++; }
          System.out.printf("scale x%-3d codes=%-5s ef=%-3d recall@10=%.3f%n", scale, codes, ef, hit / 3000.0);
          }
        }
      }
    }
  }
}
