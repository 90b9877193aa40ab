import io.quiver.index.SearchOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.storage.*;
import java.nio.*;
import java.nio.file.*;
public class RrExp {
    public static void main(String[] a) throws Throwable {
        byte[] raw = Files.readAllBytes(Path.of(a[1]));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int dims = b.getInt(0);
        int n = Math.min(300, raw.length / (4 + 4 * dims));
        float[][] q = new float[n][dims];
        for (int i = 0; i < n; i++) { b.position(i * (4 + 4 * dims) + 4); b.asFloatBuffer().get(q[i]); }
        try (Store s = Store.open(Path.of(a[0]), StoreOptions.builder().readOnly(true).build()); ReadTxn t = s.read()) {
            HnswReader r = HnswReader.open(t, 0);
            for (String e : a[2].split(",")) {
                int ef = Integer.parseInt(e);
                HnswReader.expSeen = HnswReader.expGlobal = HnswReader.expResid = 0; HnswReader.expR = 0;
                SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
                for (float[] v : q) r.search(v, o);
                System.out.printf("ef %d per query: beam %.1f globalBoundSkips %.1f residualBoundSkips %.1f meanResidualUnits %.2f%n", ef,
                    HnswReader.expSeen / (double) n, HnswReader.expGlobal / (double) n, HnswReader.expResid / (double) n, HnswReader.expR / HnswReader.expSeen);
            }
        }
    }
}
