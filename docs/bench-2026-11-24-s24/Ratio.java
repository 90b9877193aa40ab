import io.quiver.storage.*; import io.quiver.index.*; import io.quiver.index.hnsw.*; import io.quiver.distance.*;
import java.nio.*; import java.nio.file.*; import java.util.*; import java.io.*;
import org.roaringbitmap.RoaringBitmap;
public class Ratio {
  static double ratio(String label, float[][] v, DistanceKind kind) throws Exception {
    Path dir = Files.createTempDirectory("ratio");
    int D = v[0].length;
    try (Store s = Store.open(dir)) {
      s.write(t -> { HnswWriter w = HnswWriter.create(t, 0, kind, D); for (int i = 0; i < v.length; i++) w.add(i, v[i]); });
      try (ReadTxn t = s.read()) {
        Distance dist = kind.create(D);
        RoaringBitmap ids = new RoaringBitmap(); ids.add(0L, (long) v.length);
        ScalarQuantizer q = ItemCodes.fit(t, 0, dist, ids);
        int n = Math.min(v.length, 1024); int stride = v.length / n;
        double[] ds = new double[n / 2];
        for (int i = 0; i < n / 2; i++) { float[] a = v[i * stride], b = v[(i + n / 2) * stride]; double na = 1, nb = 1;
          if (kind == DistanceKind.COSINE) { na = 0; nb = 0; for (int j = 0; j < D; j++) { na += a[j]*a[j]; nb += b[j]*b[j]; } na = Math.sqrt(na); nb = Math.sqrt(nb); }
          double x = 0; for (int j = 0; j < D; j++) { double d = a[j]/na - b[j]/nb; x += d*d; } ds[i] = Math.sqrt(x); }
        Arrays.sort(ds); double med = ds[ds.length / 2];
        double err = q.step() * Math.sqrt(D / 12.0);
        System.out.printf("%-36s n=%d d=%d step=%.4g grid=%s err=%.4g medpair=%.4g ratio=%.4f%n", label, v.length, D, q.step(), q.onIntegerGrid(), err, med, err / med);
        return err / med;
      }
    }
  }
  static float[][] clustered(int n, int dims, int clusters, long seed, double cs, double sp) { Random r = new Random(seed); float[][] c = new float[clusters][dims]; for (float[] x : c) for (int d = 0; d < dims; d++) x[d] = (float) (r.nextGaussian() * cs); float[][] o = new float[n][dims]; for (int i = 0; i < n; i++) { float[] cc = c[r.nextInt(clusters)]; for (int d = 0; d < dims; d++) o[i][d] = cc[d] + (float) (r.nextGaussian() * sp); } return o; }
  static float[][] fvecs(String p, int max) throws Exception { ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of(p))).order(ByteOrder.LITTLE_ENDIAN); List<float[]> out = new ArrayList<>(); while (b.hasRemaining() && out.size() < max) { int d = b.getInt(); float[] x = new float[d]; for (int j = 0; j < d; j++) x[j] = b.getFloat(); out.add(x); } return out.toArray(new float[0][]); }
  public static void main(String[] a) throws Exception {
    ratio("tests clustered 32d (4,1) 3000", clustered(3000, 32, 10, 1, 4, 1), DistanceKind.EUCLIDEAN);
    ratio("tests clustered 32d cos", clustered(3000, 32, 10, 1, 4, 1), DistanceKind.COSINE);
    ratio("tests clustered 24d 50 clusters", clustered(5000, 24, 50, 2, 4, 1), DistanceKind.EUCLIDEAN);
    ratio("tight clusters 32d (4,0.05)", clustered(5000, 32, 50, 2, 4, 0.05), DistanceKind.EUCLIDEAN);
    ratio("bench 768d (1,0.3) 20k", clustered(20000, 768, 1000, 3, 1, 0.3), DistanceKind.EUCLIDEAN);
    ratio("gaussian 128d", clustered(10000, 128, 1, 4, 0, 1), DistanceKind.EUCLIDEAN);
    ratio("gaussian 16d", clustered(10000, 16, 1, 4, 0, 1), DistanceKind.EUCLIDEAN);
    float[][] fm = fvecs("/work/main/data/fashion-mnist/base.fvecs", 20000);
    ratio("fmnist euclid 20k", fm, DistanceKind.EUCLIDEAN);
    ratio("fmnist cosine 20k", fm, DistanceKind.COSINE);
    // helper's widen case
    Random r = new Random(1); int D = 32; float[][] C = new float[50][D]; for (float[] c : C) for (int j = 0; j < D; j++) c[j] = (float) r.nextGaussian() * 5;
    for (int scale : new int[] {1, 5, 10, 20, 50, 100}) {
      int big = scale == 1 ? 0 : 500; float[][] v = new float[5000 + big][];
      Random rr = new Random(2);
      for (int i = 0; i < v.length; i++) { float[] c = C[rr.nextInt(50)]; float sc = i < 5000 ? 1 : scale; v[i] = new float[D]; for (int j = 0; j < D; j++) v[i][j] = (c[j] + (float) rr.nextGaussian()) * sc; }
      ratio("widen x" + scale, v, DistanceKind.EUCLIDEAN);
    }
  }
}
