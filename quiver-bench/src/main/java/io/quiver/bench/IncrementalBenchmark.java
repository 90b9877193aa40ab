package io.quiver.bench;

import io.quiver.distance.DistanceKind;
import io.quiver.distance.Kernels;
import io.quiver.index.ProgressTrace;
import io.quiver.index.SearchOptions;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The incremental-insert benchmark of the HNSW issue: an index of {@code --base} clustered
 * vectors, then {@code --insert} new ones added and built in one transaction. Prints the time per
 * inserted item, the progress trace, peak RSS and peak heap. Modes:
 * <pre>
 * java ... io.quiver.bench.IncrementalBenchmark build  --db DIR --base 500000 --dims 768 [--int8-codes false]
 * java ... io.quiver.bench.IncrementalBenchmark insert --db DIR --insert 1000 [--batches 3] [--warm-up-db OTHER [--warm-up-batches 3]]
 * java ... io.quiver.bench.IncrementalBenchmark search --db DIR --queries 1000 --ef 64
 * java ... io.quiver.bench.IncrementalBenchmark export --out FILE --base 508000 --dims 768
 * </pre>
 * {@code export} writes the vectors of ids 0..base-1 as raw little-endian float32 rows, so that
 * peers (hnswlib, docs/BENCHMARKS.md) insert exactly the vectors this benchmark does.
 * Data: {@code clusters} Gaussian clusters (centres N(0, 1), spread 0.3), generated from a seed,
 * so every run and every size sees the same distribution. Ids: 0..base-1 for the base, then
 * base.. for inserted items.
 *
 * <p>{@code --batches B} inserts B batches of {@code --insert} items one after the other in the
 * same process, each in its own transaction, and reports each: the first batch pays for the
 * JVM's start (its JIT compiles the hot loops while they run, on the same two cores), the later
 * ones show what a long-running process that keeps inserting gets.
 *
 * <p>{@code --warm-up-db OTHER} first inserts {@code --warm-up-batches} batches into another
 * index (a throwaway copy of a small one), untimed, as {@code quiver bench} runs a warm-up pass
 * before it times queries: the JIT has then compiled the insert path, while the measured index is
 * as cold as in a fresh process (just opened, nothing of it mapped or remembered yet). This
 * separates what a first batch costs because the process is new (the same at every index size)
 * from what it costs because the index is.
 */
public final class IncrementalBenchmark {
    private IncrementalBenchmark() {}

    public static void main(String[] args) throws Exception {
        // First thing, as the quiver command line does: the kernels compile while this process
        // makes its data, as they would while a tool reads its input.
        Kernels.warmUpInBackground();
        String mode = args[0];
        Path db = null;
        Path out = null;
        int base = 50_000;
        int insert = 1000;
        int batches = 1;
        Path warmUpDb = null;
        int warmUpBatches = 3;
        int dims = 768;
        int queries = 1000;
        int ef = 64;
        int threads = Runtime.getRuntime().availableProcessors();
        int m = 16;
        int efc = 100;
        boolean codes = true;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--db" -> db = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--base" -> base = Integer.parseInt(args[i + 1]);
                case "--insert" -> insert = Integer.parseInt(args[i + 1]);
                case "--batches" -> batches = Integer.parseInt(args[i + 1]);
                case "--warm-up-db" -> warmUpDb = Path.of(args[i + 1]);
                case "--warm-up-batches" -> warmUpBatches = Integer.parseInt(args[i + 1]);
                case "--dims" -> dims = Integer.parseInt(args[i + 1]);
                case "--queries" -> queries = Integer.parseInt(args[i + 1]);
                case "--ef" -> ef = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--m" -> m = Integer.parseInt(args[i + 1]);
                case "--ef-construction" -> efc = Integer.parseInt(args[i + 1]);
                case "--int8-codes" -> codes = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (mode.equals("export")) {
            if (out == null) {
                throw new IllegalArgumentException("--out FILE is required");
            }
            export(out, base, new Clusters(dims, 1000, 42));
            return;
        }
        if (db == null) {
            throw new IllegalArgumentException("--db DIR is required");
        }
        HnswBuildOptions opts = HnswBuildOptions.builder().m(m).efConstruction(efc).threads(threads).int8Codes(codes).build();
        Clusters data = new Clusters(dims, 1000, 42);
        switch (mode) {
            case "build" -> build(db, base, dims, data, opts);
            case "insert" -> {
                if (warmUpDb != null) {
                    if (warmUpDb.toAbsolutePath().normalize().equals(db.toAbsolutePath().normalize())) {
                        throw new IllegalArgumentException("--warm-up-db must be another index than --db");
                    }
                    long t0 = System.nanoTime();
                    System.out.println("warm-up on " + warmUpDb + ":");
                    insert(warmUpDb, insert, warmUpBatches, data, opts);
                    System.out.printf(Locale.ROOT, "warm_up_batches=%d warm_up_s=%.3f%n", warmUpBatches, (System.nanoTime() - t0) / 1e9);
                }
                insert(db, insert, batches, data, opts);
            }
            case "search" -> {
                Kernels.warmUpSearchKernelsInBackground();
                search(db, queries, ef, data);
            }
            default -> throw new IllegalArgumentException("mode must be build, insert or search");
        }
        report();
    }

    private static void build(Path db, int base, int dims, Clusters data, HnswBuildOptions opts) throws Exception {
        if (Files.exists(db)) {
            throw new IllegalStateException(db + " exists; remove it first");
        }
        try (Store store = Store.open(db)) {
            long t0 = System.nanoTime();
            int batch = 50_000;
            for (int from = 0; from < base; from += batch) {
                int f = from;
                int to = Math.min(base, from + batch);
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                    for (int id = f; id < to; id++) {
                        w.add(id, data.vector(id));
                    }
                });
            }
            long t1 = System.nanoTime();
            ProgressTrace[] trace = new ProgressTrace[1];
            store.write(txn -> trace[0] = HnswWriter.open(txn, 0).build(opts));
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "base=%d dims=%d import_s=%.2f build_s=%.2f file_bytes=%d%n", base, dims,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, store.fileBytes());
            System.out.print(trace[0]);
        }
    }

    private static void insert(Path db, int insert, int batches, Clusters data, HnswBuildOptions opts) {
        try (Store store = Store.open(db)) {
            for (int b = 1; b <= batches; b++) {
                long[] baseSize = new long[1];
                try (ReadTxn r = store.read()) {
                    baseSize[0] = HnswReader.open(r, 0).size();
                }
                int first = (int) baseSize[0];
                // Made before the clock starts: the benchmark times inserting vectors, not drawing
                // them (drawn inside, a fresh JVM's add_s was 0.105-0.237 s; 0.062-0.174 s since).
                float[][] vectors = new float[insert][];
                for (int i = 0; i < insert; i++) {
                    vectors[i] = data.vector(first + i);
                }
                long allocated0 = allocatedBytes();
                long t0 = System.nanoTime();
                ProgressTrace[] trace = new ProgressTrace[1];
                long[] marks = new long[3];
                store.write(txn -> {
                    // stamped inside: a write that grows the map runs this again, and only the
                    // last run's add and build belong to the batch
                    marks[0] = System.nanoTime();
                    HnswWriter w = HnswWriter.open(txn, 0);
                    for (int i = 0; i < insert; i++) {
                        w.add(first + i, vectors[i]);
                    }
                    marks[1] = System.nanoTime();
                    trace[0] = w.build(opts);
                    marks[2] = System.nanoTime();
                });
                long t1 = System.nanoTime();
                double s = (t1 - t0) / 1e9;
                double allocatedMib = (allocatedBytes() - allocated0) / 1048576.0;
                System.out.printf(Locale.ROOT, "batch=%d base=%d inserted=%d total_s=%.3f ms_per_item=%.3f items_per_s=%.0f add_s=%.3f build_s=%.3f commit_s=%.3f heap_allocated_mib=%.1f%n",
                        b, baseSize[0], insert, s, s * 1000 / insert, insert / s, (marks[1] - marks[0]) / 1e9, (marks[2] - marks[1]) / 1e9,
                        (t1 - marks[2]) / 1e9, allocatedMib);
                System.out.print(trace[0]);
            }
        }
    }

    /**
     * Heap bytes allocated so far by all threads (the kernel warm-up's too, while it runs): in a new
     * process every allocation beyond what the heap has touched is memory the kernel must first
     * hand out, so a batch's allocation is part of its cost.
     */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    private static void search(Path db, int queries, int ef, Clusters data) {
        try (Store store = Store.open(db); ReadTxn r = store.read()) {
            HnswReader reader = HnswReader.open(r, 0);
            SplittableRandom rnd = new SplittableRandom(7);
            SearchOptions o = SearchOptions.builder().k(10).ef(ef).build();
            int found = 0;
            long t0 = System.nanoTime();
            for (int q = 0; q < queries; q++) {
                int id = rnd.nextInt((int) reader.size());
                // a fresh point near a stored one: the stored one should come back first
                float[] v = data.vector(id);
                found += reader.search(v, o).ids()[0] == id ? 1 : 0;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "items=%d queries=%d ef=%d qps=%.0f self_found=%.3f%n", reader.size(), queries, ef,
                    queries / s, (double) found / queries);
        }
    }

    private static void report() throws Exception {
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
        System.out.printf(Locale.ROOT, "max_heap=%dMiB peak_heap_used=%dMiB peak_rss=%s%n",
                Runtime.getRuntime().maxMemory() >> 20, peakHeap >> 20, hwm.substring(hwm.indexOf(':') + 2));
    }

    private static void export(Path out, int count, Clusters data) throws java.io.IOException {
        try (var ch = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer row = java.nio.ByteBuffer.allocate(4 * data.dims).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int id = 0; id < count; id++) {
                row.clear();
                for (float x : data.vector(id)) {
                    row.putFloat(x);
                }
                row.flip();
                while (row.hasRemaining()) {
                    ch.write(row);
                }
            }
        }
        System.out.printf(Locale.ROOT, "wrote %d vectors of %d float32 to %s%n", count, data.dims, out);
    }

    /** Deterministic clustered vectors: vector(id) is the same in every run. */
    static final class Clusters {
        private final float[][] centres;
        private final int dims;
        private final long seed;

        Clusters(int dims, int count, long seed) {
            this.dims = dims;
            this.seed = seed;
            SplittableRandom r = new SplittableRandom(seed);
            centres = new float[count][dims];
            for (float[] c : centres) {
                for (int d = 0; d < dims; d++) {
                    c[d] = (float) gaussian(r);
                }
            }
        }

        float[] vector(int id) {
            SplittableRandom r = new SplittableRandom(seed * 31 + id);
            float[] c = centres[r.nextInt(centres.length)];
            float[] v = new float[dims];
            for (int d = 0; d < dims; d++) {
                v[d] = c[d] + 0.3f * (float) gaussian(r);
            }
            return v;
        }

        private static double gaussian(SplittableRandom r) {
            // Box-Muller: SplittableRandom has no nextGaussian
            double u = 1 - r.nextDouble();
            double v = r.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }
    }
}
