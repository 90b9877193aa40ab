import java.nio.*; import java.nio.file.*; import java.util.*;
public class NnShares {
  // emulate: range from min/max of the data (Fitter's robust range ignored here), sample 512 evenly, NN among sample
  static void share(String label, float[][] v0, boolean cosine) {
    float[][] v = v0;
    if (cosine) { v = new float[v0.length][]; for (int i = 0; i < v0.length; i++) { double n = 0; for (float x : v0[i]) n += x * x; n = Math.sqrt(n); v[i] = new float[v0[i].length]; for (int j = 0; j < v0[i].length; j++) v[i][j] = (float) (v0[i][j] / n); } }
    int dims = v[0].length; float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE; for (float[] x : v) for (float y : x) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
    double step = (hi - lo) / 255.0;
    int n = Math.min(v.length, Math.min(512, (1 << 18) / dims)); float[][] s = new float[n][]; for (int i = 0; i < n; i++) s[i] = v[(int) ((long) i * v.length / n)];
    double[] sp = new double[n], ro = new double[n]; int m = 0;
    for (int a = 0; a < n; a++) { double best = Double.MAX_VALUE; int bi = -1; for (int b = 0; b < n; b++) { if (b == a) continue; double d = 0; for (int j = 0; j < dims; j++) { double e = s[a][j] - s[b][j]; d += e * e; } if (d > 0 && d < best) { best = d; bi = b; } }
      if (bi < 0) continue; double r = 0; for (int j = 0; j < dims; j++) { double e = rnd(s[a][j], lo, step) - rnd(s[bi][j], lo, step); r += e * e; } sp[m] = Math.sqrt(best); ro[m++] = Math.sqrt(r); }
    Arrays.sort(sp, 0, m); Arrays.sort(ro, 0, m);
    System.out.printf("%-44s nn-share=%.4f (sample %d)%n", label, ro[m / 2] / sp[m / 2], n);
  }
  static double rnd(double x, double lo, double step) { double c = Math.min(255, Math.max(0, Math.rint((x - lo) / step))); return x - (lo + c * step); }
  static float[][] clustered(int n, int dims, int clusters, long seed, double cs, double sp) { Random r = new Random(seed); float[][] c = new float[clusters][dims]; for (float[] x : c) for (int d = 0; d < dims; d++) x[d] = (float) (r.nextGaussian() * cs); float[][] o = new float[n][dims]; for (int i = 0; i < n; i++) { float[] cc = c[r.nextInt(clusters)]; for (int d = 0; d < dims; d++) o[i][d] = cc[d] + (float) (r.nextGaussian() * sp); } return o; }
  static float[][] fvecs(String p, int max) throws Exception { ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of(p))).order(ByteOrder.LITTLE_ENDIAN); List<float[]> out = new ArrayList<>(); while (b.hasRemaining() && out.size() < max) { int d = b.getInt(); float[] x = new float[d]; for (int j = 0; j < d; j++) x[j] = b.getFloat(); out.add(x); } return out.toArray(new float[0][]); }
  public static void main(String[] a) throws Exception {
    share("tests clustered 32d (4,1) 3000", clustered(3000, 32, 10, 1, 4, 1), false);
    share("bench 768d (1,0.3) 20k", clustered(20000, 768, 1000, 3, 1, 0.3), false);
    share("gaussian 128d", clustered(10000, 128, 1, 4, 0, 1), false);
    share("fmnist cosine 60k", fvecs("/work/main/data/fashion-mnist/base.fvecs", 60000), true);
    share("TIGHT far clusters 32d (50,0.3)", clustered(5000, 32, 20, 5, 50, 0.3), false);
    Random r = new Random(1); int D = 32; float[][] C = new float[50][D]; for (float[] c : C) for (int j = 0; j < D; j++) c[j] = (float) r.nextGaussian() * 5;
    for (int scale : new int[] {1, 5, 10, 50}) { int big = scale == 1 ? 0 : 500; float[][] v = new float[5000 + big][]; Random q = new Random(2);
      for (int i = 0; i < v.length; i++) { float[] c = C[q.nextInt(50)]; float sc = i < 5000 ? 1 : scale; v[i] = new float[D]; for (int j = 0; j < D; j++) v[i][j] = (c[j] + (float) q.nextGaussian()) * sc; }
      share("widen x" + scale, v, false); }
  }
}
