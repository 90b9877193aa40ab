import io.quiver.index.SearchOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.nio.*;
import java.nio.file.*;
import java.lang.foreign.*;
import java.lang.invoke.*;

public class PassesHuge {
    public static void main(String[] a) throws Throwable {
        Path db = Path.of(a[0]);
        byte[] raw = Files.readAllBytes(Path.of(a[1]));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int dims = b.getInt(0);
        int n = raw.length / (4 + 4 * dims);
        float[][] q = new float[n][dims];
        for (int i = 0; i < n; i++) { b.position(i * (4 + 4 * dims) + 4); b.asFloatBuffer().get(q[i]); }
        int ef = Integer.parseInt(a[2]); int passes = Integer.parseInt(a[3]);
        try (Store s = Store.open(db, StoreOptions.builder().readOnly(true).build()); ReadTxn t = s.read()) {
            if (Boolean.getBoolean("huge")) {
                var mh = Linker.nativeLinker().downcallHandle(Linker.nativeLinker().defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                    if (line.contains("data.mdb")) {
                        String[] r2 = line.split(" ")[0].split("-");
                        long lo = Long.parseUnsignedLong(r2[0], 16), hi = Long.parseUnsignedLong(r2[1], 16);
                        int rc = (int) mh.invokeExact(lo, hi - lo, 14);
                        System.out.println("madvise " + line.split(" ")[0] + " rc=" + rc);
                    }
                }
            }
            HnswReader r = HnswReader.open(t, 0);
            SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
            long sink = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                for (float[] x : q) sink += r.search(x, o).ids()[0];
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("pass %d %.0f q/s%n", p, n / sec);
            }
            System.out.println(sink);
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) if (line.contains("Pmd") || line.contains("Rss")) System.out.println(line);
        }
    }
}
