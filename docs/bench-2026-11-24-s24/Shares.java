import io.quiver.distance.*; import io.quiver.storage.NativeMemory;
import java.nio.*; import java.nio.file.*; import java.util.*;
public class Shares {
  static void share(String label, float[][] v, DistanceKind kind) {
    Distance d = kind.create(v[0].length);
    ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(d);
    ByteBuffer b = ByteBuffer.allocateDirect(d.itemBytes()).order(ByteOrder.LITTLE_ENDIAN);
    long stride = Math.max(1, v.length / 20000);
    for (int i = 0; i < v.length; i += stride) { d.encode(v[i], b); f.add(NativeMemory.address(b)); }
    ScalarQuantizer q = f.fit();
    System.out.printf("%-44s n=%-6d d=%-5d share=%.4f resolves=%s%n", label, v.length, v[0].length, f.roundingShare(q), f.resolves(q));
  }
  static float[][] clustered(int n, int dims, int clusters, long seed, double cs, double sp) { Random r = new Random(seed); float[][] c = new float[clusters][dims]; for (float[] x : c) for (int d = 0; d < dims; d++) x[d] = (float) (r.nextGaussian() * cs); float[][] o = new float[n][dims]; for (int i = 0; i < n; i++) { float[] cc = c[r.nextInt(clusters)]; for (int d = 0; d < dims; d++) o[i][d] = cc[d] + (float) (r.nextGaussian() * sp); } return o; }
  static float[][] fvecs(String p, int max) throws Exception { ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of(p))).order(ByteOrder.LITTLE_ENDIAN); List<float[]> out = new ArrayList<>(); while (b.hasRemaining() && out.size() < max) { int d = b.getInt(); float[] x = new float[d]; for (int j = 0; j < d; j++) x[j] = b.getFloat(); out.add(x); } return out.toArray(new float[0][]); }
  static float[][] sparse(int n, int dims, int nz, long seed, boolean nonneg) { Random r = new Random(seed); float[][] o = new float[n][dims]; for (float[] x : o) for (int k = 0; k < nz; k++) x[r.nextInt(dims)] = nonneg ? r.nextFloat() : (float) r.nextGaussian(); return o; }
  public static void main(String[] a) throws Exception {
    share("tests clustered 32d (4,1) 3000", clustered(3000, 32, 10, 1, 4, 1), DistanceKind.EUCLIDEAN);
    share("tests clustered 32d cosine", clustered(3000, 32, 10, 1, 4, 1), DistanceKind.COSINE);
    share("tight clusters 32d (4,0.05)", clustered(5000, 32, 50, 2, 4, 0.05), DistanceKind.EUCLIDEAN);
    share("bench 768d (1,0.3) 20k", clustered(20000, 768, 1000, 3, 1, 0.3), DistanceKind.EUCLIDEAN);
    share("gaussian 128d", clustered(10000, 128, 1, 4, 0, 1), DistanceKind.EUCLIDEAN);
    share("gaussian 16d", clustered(10000, 16, 1, 4, 0, 1), DistanceKind.EUCLIDEAN);
    float[][] fm = fvecs("/work/main/data/fashion-mnist/base.fvecs", 60000);
    share("fmnist euclid 60k", fm, DistanceKind.EUCLIDEAN);
    share("fmnist cosine 60k", fm, DistanceKind.COSINE);
    share("sparse cosine 4096d, 8 nonzeros", sparse(5000, 4096, 8, 5, false), DistanceKind.COSINE);
    share("sparse cosine 4096d, 32 nonzeros", sparse(5000, 4096, 32, 5, false), DistanceKind.COSINE);
    share("sparse euclid 1024d >=0, 16 nonzeros", sparse(5000, 1024, 16, 6, true), DistanceKind.EUCLIDEAN);
    float[][] half = clustered(2000, 64, 20, 7, 4, 1); float[][] twice = new float[4000][]; Random rr = new Random(8);
    for (int i = 0; i < 2000; i++) { twice[i] = half[i]; twice[2000 + i] = half[i].clone(); for (int j = 0; j < 64; j++) twice[2000 + i][j] += (float) (rr.nextGaussian() * 0.03); }
    share("catalogue twice 64d (copy sigma 0.03)", twice, DistanceKind.EUCLIDEAN);
    share("tiny: 6 items 32d", clustered(6, 32, 3, 9, 4, 1), DistanceKind.EUCLIDEAN);
    Random r = new Random(1); int D = 32; float[][] C = new float[50][D]; for (float[] c : C) for (int j = 0; j < D; j++) c[j] = (float) r.nextGaussian() * 5;
    for (int scale : new int[] {1, 5, 10, 20, 50, 100}) {
      int big = scale == 1 ? 0 : 500; float[][] v = new float[5000 + big][]; Random q = new Random(2);
      for (int i = 0; i < v.length; i++) { float[] c = C[q.nextInt(50)]; float sc = i < 5000 ? 1 : scale; v[i] = new float[D]; for (int j = 0; j < D; j++) v[i][j] = (c[j] + (float) q.nextGaussian()) * sc; }
      share("widen x" + scale, v, DistanceKind.EUCLIDEAN);
    }
  }
}
