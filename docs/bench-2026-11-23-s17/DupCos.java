import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.hnsw.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
/** args: kind n copyPct m dims copyMode(0=const 0.5,1=fixed random vec)  */
public class DupCos {
  static double td(DistanceKind k, float[] a, float[] b) { double d=0,na=0,nb=0; for (int i=0;i<a.length;i++){ if(k==DistanceKind.COSINE){d+=(double)a[i]*b[i];na+=(double)a[i]*a[i];nb+=(double)b[i]*b[i];} else d+=((double)a[i]-b[i])*((double)a[i]-b[i]);} return k==DistanceKind.COSINE?(na==0||nb==0?1:1-d/Math.sqrt(na*nb)):Math.sqrt(d);}
  public static void main(String[] a) throws Exception {
    DistanceKind kind = DistanceKind.parse(a[0]); int n = Integer.parseInt(a[1]); int pct = Integer.parseInt(a[2]);
    int m = Integer.parseInt(a[3]); int dims = Integer.parseInt(a[4]); int mode = Integer.parseInt(a[5]);
    Random r = new Random(1);
    float[] base = new float[dims]; for (int j = 0; j < dims; j++) base[j] = mode == 0 ? 0.5f : r.nextFloat();
    List<float[]> vs = new ArrayList<>();
    for (int i = 0; i < n; i++) { float[] v; if (r.nextInt(100) < pct) v = base.clone(); else { v = new float[dims]; for (int j = 0; j < dims; j++) v[j] = r.nextFloat(); } vs.add(v); }
    try (Store store = Store.open(Files.createTempDirectory("dc"))) {
      store.write(txn -> { HnswWriter w = HnswWriter.create(txn, 0, kind, dims); for (int i = 0; i < n; i++) w.add(i, vs.get(i));
        w.build(HnswBuildOptions.builder().m(m).efConstruction(100).threads(1).seed(1).int8Codes(false).build()); });
      try (ReadTxn t = store.read()) {
        HnswReader h = HnswReader.open(t, 0);
        System.out.println("check: " + h.check());
        System.out.println("search(base) k=3: " + h.search(base, SearchOptions.builder().k(3).ef(200).build()).neighbors());
        { SearchResult b50 = h.search(base, SearchOptions.builder().k(50).ef(200).build()); int c = 0; for (var nb : b50.neighbors()) if (Arrays.equals(vs.get(nb.id()), base)) c++;
          int copies = 0; for (float[] v : vs) if (Arrays.equals(v, base)) copies++;
          System.out.println("search(base) k=50 ef=200: " + c + " of " + b50.size() + " results are copies of base (" + copies + " copies exist); last distance " + b50.neighbors().get(b50.size()-1).distance());
          for (int ef : new int[] {50, 200, 1000, 5000}) System.out.println("  unfiltered search(base) k=50 ef=" + ef + " returned " + h.search(base, SearchOptions.builder().k(50).ef(ef).build()).size() + " results"); }
        double rs = 0; int Q = 100;
        for (int q = 0; q < Q; q++) {
          float[] qv = new float[dims]; for (int j = 0; j < dims; j++) qv[j] = r.nextFloat();
          double[] all = new double[n]; for (int i = 0; i < n; i++) all[i] = td(kind, qv, vs.get(i));
          double[] s = all.clone(); Arrays.sort(s); double kth = s[9];
          SearchResult res = h.search(qv, SearchOptions.builder().k(10).ef(200).build());
          int good = 0; for (var nb : res.neighbors()) if (all[nb.id()] <= kth + 1e-6) good++;
          rs += good / 10.0;
        }
        System.out.printf("recall@10 ef=200: %.3f%n", rs / Q);
      }
    }
  }
}
