import io.quiver.index.IndexReader;
import io.quiver.index.SearchOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Passes of searches over a query file, printing each pass's q/s:
 *   java <flags> -cp quiver.jar [-D...] SearchPasses.java DB QUERIES.fvecs EF_OR_SEARCHK PASSES
 * -DperQuery=true  a snapshot and reader per query (default: one reader for every pass)
 * -Dforest=true    ForestReader with searchK (default: HnswReader with ef)
 * -Dfaults=true    also the process's minor page faults during each pass
 * -Dhuge=true      madvise(MADV_HUGEPAGE) over the data.mdb mapping first; smaps_rollup at the end
 * -Drerank=true    HnswReader's skippedByBound per query at the end (needs
 *                  --add-opens quiver.core/io.quiver.index.hnsw=ALL-UNNAMED, or the class path)
 * The session's runs used one single-purpose copy per option (Passes, PerQuery, PassesForest,
 * PerQueryForest, PassesFaults, PassesHuge, RerankCount), merged here afterwards with the same loops.
 */
public class SearchPasses {
    public static void main(String[] a) throws Throwable {
        Path db = Path.of(a[0]);
        byte[] raw = Files.readAllBytes(Path.of(a[1]));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int dims = b.getInt(0);
        int n = raw.length / (4 + 4 * dims);
        float[][] q = new float[n][dims];
        for (int i = 0; i < n; i++) {
            b.position(i * (4 + 4 * dims) + 4);
            b.asFloatBuffer().get(q[i]);
        }
        int effort = Integer.parseInt(a[2]);
        int passes = Integer.parseInt(a[3]);
        boolean forest = Boolean.getBoolean("forest");
        boolean perQuery = Boolean.getBoolean("perQuery");
        SearchOptions o = forest ? SearchOptions.builder().k(10).searchK(effort).build() : SearchOptions.builder().k(10).ef(effort).build();
        try (Store s = Store.open(db, StoreOptions.builder().readOnly(true).build()); ReadTxn t = s.read()) {
            if (Boolean.getBoolean("huge")) {
                MethodHandle madvise = Linker.nativeLinker().downcallHandle(Linker.nativeLinker().defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                    if (line.contains("data.mdb")) {
                        String[] r = line.split(" ")[0].split("-");
                        long lo = Long.parseUnsignedLong(r[0], 16);
                        long hi = Long.parseUnsignedLong(r[1], 16);
                        int rc = (int) madvise.invokeExact(lo, hi - lo, 14);
                        System.out.println("madvise " + line.split(" ")[0] + " rc=" + rc);
                    }
                }
            }
            IndexReader kept = forest ? ForestReader.open(t, 0) : HnswReader.open(t, 0);
            long sink = 0;
            long lastFaults = faults();
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                for (float[] x : q) {
                    if (perQuery) {
                        try (ReadTxn own = s.read()) {
                            sink += (forest ? ForestReader.open(own, 0) : HnswReader.open(own, 0)).search(x, o).ids()[0];
                        }
                    } else {
                        sink += kept.search(x, o).ids()[0];
                    }
                }
                double sec = (System.nanoTime() - t0) / 1e9;
                long f = faults();
                System.out.printf("pass %d %.0f q/s%s%n", p, n / sec, Boolean.getBoolean("faults") ? " minflt " + (f - lastFaults) : "");
                lastFaults = f;
            }
            System.out.println(sink);
            if (Boolean.getBoolean("rerank")) {
                var field = HnswReader.class.getDeclaredField("skippedByBound");
                field.setAccessible(true);
                System.out.println("skipped per query " + ((long) field.get(kept)) / (double) (n * passes) + " ef " + effort);
            }
            if (Boolean.getBoolean("huge")) {
                for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                    if (line.contains("Pmd") || line.contains("Rss")) {
                        System.out.println(line);
                    }
                }
            }
        }
    }

    /** Minor page faults of this process so far (/proc/self/stat, field 10). */
    private static long faults() throws java.io.IOException {
        return Long.parseLong(Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ")[7]);
    }
}
