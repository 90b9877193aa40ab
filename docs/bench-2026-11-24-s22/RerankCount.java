import io.quiver.index.SearchOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.nio.*;
import java.nio.file.*;

public class RerankCount {
    public static void main(String[] a) throws Exception {
        Path db = Path.of(a[0]);
        byte[] raw = Files.readAllBytes(Path.of(a[1]));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int dims = b.getInt(0);
        int n = raw.length / (4 + 4 * dims);
        float[][] q = new float[n][dims];
        for (int i = 0; i < n; i++) { b.position(i * (4 + 4 * dims) + 4); b.asFloatBuffer().get(q[i]); }
        int ef = Integer.parseInt(a[2]); int passes = Integer.parseInt(a[3]);
        try (Store s = Store.open(db, StoreOptions.builder().readOnly(true).build()); ReadTxn t = s.read()) {
            HnswReader r = HnswReader.open(t, 0);
            SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
            long sink = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                for (float[] x : q) sink += r.search(x, o).ids()[0];
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("pass %d %.0f q/s%n", p, n / sec);
            }
            var f = HnswReader.class.getDeclaredField("skippedByBound"); f.setAccessible(true);
            System.out.println("skipped per query " + ((long) f.get(r)) / (double) (n * passes) + " ef " + ef);
        }
    }
}
