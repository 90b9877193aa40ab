import io.quiver.storage.*; import io.quiver.index.*; import io.quiver.index.hnsw.*; import io.quiver.distance.*;
import java.nio.file.*; import java.util.*;
public class Widen {
  static Map<Integer, float[]> live = new HashMap<>(); static Random r = new Random(1); static int D = 32;
  static float[][] C = new float[50][D];
  static float[] vec(float scale) { float[] c = C[r.nextInt(50)], v = new float[D]; for (int j = 0; j < D; j++) v[j] = (c[j] + (float) r.nextGaussian()) * scale; return v; }
  static void add(HnswWriter w, int id, float scale) { float[] v = vec(scale); w.add(id, v); live.put(id, v); }
  public static void main(String[] a) throws Exception {
    boolean codes = !a[0].equals("nocodes");
    for (float[] c : C) for (int j = 0; j < D; j++) c[j] = (float) r.nextGaussian() * 5;
    Path dir = Files.createTempDirectory("widen");
    HnswBuildOptions o = HnswBuildOptions.builder().threads(2).int8Codes(codes).build();
    try (Store s = Store.open(dir)) {
      s.write(t -> { HnswWriter w = HnswWriter.create(t, 0, DistanceKind.EUCLIDEAN, D); for (int i = 0; i < 5000; i++) add(w, i, 1); w.build(o); });
      report(s, "5000 items");
      s.write(t -> { HnswWriter w = HnswWriter.open(t, 0); for (int i = 5000; i < 5500; i++) add(w, i, 50); w.build(o); });
      report(s, "+500 items x50");
      s.write(t -> { HnswWriter w = HnswWriter.open(t, 0); for (int i = 5500; i < 6000; i++) add(w, i, 100); w.build(o); });
      report(s, "+500 items x100");
      s.write(t -> HnswWriter.open(t, 0).build(HnswBuildOptions.builder().threads(2).int8Codes(codes).forceRebuild(true).build()));
      report(s, "forceRebuild");
    }
  }
  static void report(Store s, String label) {
    try (ReadTxn t = s.read()) {
      HnswReader h = HnswReader.open(t, 0);
      int hit = 0, self = 0;
      Random q = new Random(9);
      for (int i = 0; i < 200; i++) { float[] v = vec(1);
        Set<Integer> truth = new HashSet<>(); live.entrySet().stream().sorted(Comparator.comparingDouble(e -> { double x = 0; for (int j = 0; j < D; j++) { double d = v[j] - e.getValue()[j]; x += d * d; } return x; })).limit(10).forEach(e -> truth.add(e.getKey()));
        for (int id : h.search(v, SearchOptions.builder().k(10).ef(64).build()).ids()) if (truth.contains(id)) hit++; }
      for (int id : live.keySet()) if (h.searchItem(id, SearchOptions.builder().k(1).ef(64).build()).ids()[0] != id) self++;
      System.out.printf("%-16s recall@10(ef64)=%.3f  items not finding themselves (k1 ef64)=%d/%d  check=%s%n", label, hit / 2000.0, self, live.size(), h.check());
    }
  }
}
