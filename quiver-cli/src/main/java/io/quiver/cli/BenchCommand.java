package io.quiver.cli;

import io.quiver.cli.io.Ivecs;
import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import io.quiver.distance.DistanceKind;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.ItemStore;
import io.quiver.index.ProgressTrace;
import io.quiver.index.SearchOptions;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measure recall, queries/s and latency against a ground truth (CSV).",
        description = {"Builds an index of the base vectors (or reuses the one in --db when it is built with --algo), "
                    + "then for each sweep value prints one CSV row:",
            "  " + BenchCommand.HEADER,
            "recall is recall@k against the .ivecs ground truth; qps is measured over all queries after one warm-up pass "
                    + "(with --runs N, the median of N timed passes; p50_ms and p99_ms are then medians over the passes too), "
                    + "one reader and read transaction per query thread; build_s is the build and its commit only (the import "
                    + "time is reported on stderr); index_bytes is the store's data file."})
final class BenchCommand implements Callable<Integer> {
    static final String HEADER = "algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms";

    @Mixin
    Common common;

    @Option(names = "--base", required = true, paramLabel = "B", description = "base vectors (ids = row numbers unless the file has ids)")
    Path base;

    @Option(names = "--queries", required = true, paramLabel = "Q", description = "query vectors")
    Path queries;

    @Option(names = "--truth", required = true, paramLabel = "T", description = "ground truth .ivecs (e.g. from 'quiver truth')")
    Path truth;

    @Option(names = "--distance", required = true, paramLabel = "D", description = "distance, as for import")
    String distance;

    @Option(names = "--algo", required = true, paramLabel = "forest|hnsw", description = "index family")
    String algo;

    @Mixin
    BuildParams params;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--sweep", paramLabel = "P=V,V,...", description = "search parameter values: ef=10,20,40 (hnsw; an ef below --k is raised to it) or search-k=100,1000 (forest)")
    String sweep;

    @Option(names = "--query-threads", paramLabel = "N", defaultValue = "1", description = "query threads (default ${DEFAULT-VALUE})")
    int queryThreads;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1", description = "timed passes per sweep value; the median is reported (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--limit-queries", paramLabel = "N", description = "use only the first N queries")
    Integer limitQueries;

    @Option(names = "--db", paramLabel = "DIR", description = "store to build in or reuse (default: a temporary one, deleted afterwards)")
    Path db;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0", description = "index number in --db (default ${DEFAULT-VALUE})")
    int index;

    @Override
    public Integer call() throws IOException {
        DistanceKind kind = DistanceKind.parse(distance);
        Algorithm a = BuildCommand.parseAlgo(algo);
        if (a == Algorithm.FOREST) {
            // Compiles the tree loops while this command reads and imports the base vectors. Not
            // in 'quiver build', which starts building at once: there the warm-up only competed
            // for the same two cores (measured no faster).
            io.quiver.index.forest.ForestWarmUp.startInBackground();
        }
        params.validate();
        BuildParams.refuseOtherFamilysOptions(a, spec);
        if (k <= 0) {
            throw CliException.usage("--k must be positive");
        }
        if (queryThreads < 1) {
            throw CliException.usage("--query-threads must be at least 1");
        }
        if (runs < 1) {
            throw CliException.usage("--runs must be positive");
        }
        if (limitQueries != null && limitQueries < 1) {
            throw CliException.usage("--limit-queries must be positive");
        }
        Sweep sw = Sweep.parse(sweep, a);
        // checked before --db is created: a mistake here left an empty store behind (a review helper's run)
        io.quiver.storage.Keys.checkIndex(index);
        if (!Files.exists(base)) {
            throw new CliException(ExitCodes.NOT_FOUND, base + ": no such file");
        }
        List<float[]> qs = loadQueries(queries, limitQueries == null ? Integer.MAX_VALUE : limitQueries);
        // all rows: a truth of another query file must not pass because it is longer
        int[][] gt = Ivecs.read(truth, limitQueries == null ? -1 : qs.size());
        if (limitQueries == null && gt.length != qs.size()) {
            throw CliException.badInput(truth + ": holds " + gt.length + " rows but " + queries + " holds " + qs.size() + " queries (is it their ground truth?)");
        }
        checkTruth(gt, qs.size(), k, truth);
        int baseDims = firstDimensions(base);
        if (baseDims != qs.get(0).length) {
            // before the import: found after it, the base stayed in --db, unbuilt
            throw CliException.of(ErrorKind.WRONG_DIMENSIONS, "the queries have " + qs.get(0).length + " dimensions, the base vectors " + baseDims);
        }

        boolean temp = db == null;
        Path dir = temp ? Files.createTempDirectory("quiver-bench-") : db;
        try {
            try (Store store = Cli.openStore(dir, Cli.Access.CREATE)) {
                Prepared p = prepare(store, kind, a, qs, gt);
                String described;
                try (ReadTxn t = store.read()) {
                    described = Indexes.describeBuilt(t, index); // a reused index keeps its own
                }
                CliOut.println(HEADER);
                for (int value : sw.values()) {
                    SearchOptions.Builder ob = SearchOptions.builder().k(k);
                    if (sw.isEf()) {
                        ob.ef(value);
                    } else {
                        ob.searchK(value);
                    }
                    Result r = run(store, ob.build(), qs, gt);
                    CliOut.println(String.format(Locale.ROOT, "%s,%s,%s,%.3f,%d,%.4f,%.1f,%.3f,%.3f", a.cliName(), described,
                            sw.describe(value), p.buildSeconds(), store.fileBytes(), r.recall, r.qps, r.p50, r.p99));
                    CliOut.flush();
                }
            }
        } finally {
            if (temp) {
                deleteTree(dir);
            }
        }
        return ExitCodes.OK;
    }

    record Prepared(double buildSeconds) {}

    private Prepared prepare(Store store, DistanceKind kind, Algorithm a, List<float[]> qs, int[][] gt) {
        int queryDims = qs.get(0).length;
        int nq = qs.size();
        boolean hasItems;
        boolean reuse;
        try (ReadTxn t = store.read()) {
            IndexMetadata meta = IndexMetadata.read(t, index);
            if (meta != null) {
                if (meta.distanceKind() != kind) {
                    throw CliException.of(ErrorKind.INDEX_MISMATCH, "index " + index + " of " + store.directory() + " uses distance "
                            + meta.distanceKind().cliName() + ", not " + kind.cliName());
                }
                if (meta.dimensions() != queryDims) {
                    throw CliException.of(ErrorKind.WRONG_DIMENSIONS, "the queries have " + queryDims + " dimensions, index " + index + " has " + meta.dimensions());
                }
                ItemStore items = ItemStore.open(t, index);
                hasItems = !items.currentIds().isEmpty();
                reuse = meta.algorithm() == a && !items.needsBuild();
                if (hasItems) {
                    // The truth is that of the base file: measuring another index against it, or
                    // building the user's pending changes or another family over theirs, misleads.
                    String where = "index " + index + " of " + store.directory();
                    if (!holdsBase(items)) {
                        throw CliException.of(ErrorKind.INDEX_MISMATCH, where + " holds " + items.currentIds().getLongCardinality()
                                + " items that are not the vectors of " + base + " (ids = row numbers); bench measures against that file's truth: give an empty --db or another --index");
                    }
                    // never built: what an earlier bench imported before it failed (a wrong truth)
                    // or was cancelled; building it is what this run would do anyway
                    if (!reuse && meta.algorithm() != Algorithm.NONE) {
                        throw CliException.of(ErrorKind.INDEX_MISMATCH, where + " holds the base vectors "
                                + (items.needsBuild() ? "with changes that were not built" : "as a " + meta.algorithm().cliName() + " index")
                                + "; bench reuses it only when built with --algo " + a.cliName() + " and nothing is pending: build it first, or give another --db or --index");
                    }
                }
            } else {
                hasItems = false;
                reuse = false;
            }
        }
        if (!hasItems) {
            long t0 = System.nanoTime();
            // the base's dimensions were compared with the queries' before the store was opened (call)
            Importer.Result r = store.writeAndReturn(txn -> Importer.run(txn, base, index, kind, null, 0));
            Cli.info("imported %d vectors in %s", r.count(), Cli.seconds(System.nanoTime() - t0));
        }
        checkTruthIds(gt, qs, k, truth, store); // before a build that would be wasted (the import stays, unbuilt, for the next run)
        if (reuse) {
            // the line reports the index's own parameters; say so when others were typed
            List<String> typed = new java.util.ArrayList<>();
            for (String name : java.util.List.of("--trees", "--split-after", "--m", "--m0", "--ef-construction", "--alpha", "--int8-codes", "--seed")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
                    typed.add(name);
                }
            }
            Cli.info("reusing the %s index %d in %s (build_s is reported as 0)%s", a.cliName(), index, store.directory(),
                    typed.isEmpty() ? "" : "; it keeps the parameters it was built with, so " + String.join(", ", typed) + " are not used (give another --db to build with them)");
            return new Prepared(0);
        }
        long t0 = System.nanoTime();
        ProgressTrace trace = store.writeAndReturn(txn -> {
            try (Progress.Listener l = new Progress.Listener(a.cliName() + ": ")) {
                return Indexes.build(txn, index, a, params, false, Cli::cancelRequested, l);
            }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        StringBuilder steps = new StringBuilder();
        for (ProgressTrace.Step step : trace.steps()) {
            steps.append(String.format(Locale.ROOT, "; %s %.3fs", step.name(), step.duration().toNanos() / 1e9));
        }
        // what the index holds ("trees=auto" said only what was asked), as the CSV's build_params
        String built;
        try (ReadTxn t = store.read()) {
            built = Indexes.describeBuilt(t, index);
        }
        Cli.info("built %s (%s) in %.2fs%s", a.cliName(), built, s, steps);
        return new Prepared(s);
    }

    /**
     * Whether {@code items} holds exactly the base file's vectors under its ids (row numbers, or
     * the file's own ids): the same count, every id, and the same stored bytes for a sample.
     */
    private boolean holdsBase(ItemStore items) {
        org.roaringbitmap.RoaringBitmap ids = items.currentIds();
        io.quiver.distance.Distance d = items.distance();
        java.nio.ByteBuffer mine = java.nio.ByteBuffer.allocate(d.itemBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long rows = 0;
        try (VectorReader in = VectorReader.open(base)) {
            VectorRecord r;
            while ((r = in.next()) != null) {
                long id = r.hasId() ? r.id() : r.row();
                if (id < 0 || id > 0xFFFFFFFFL || !ids.contains((int) id) || r.vector().length != d.dimensions()) {
                    return false;
                }
                if (rows++ % 997 == 0) {
                    d.encode(r.vector(), mine);
                    java.nio.ByteBuffer stored = items.item((int) id);
                    if (stored == null || !stored.duplicate().equals(mine.duplicate().limit(d.itemBytes()))) {
                        return false;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return rows == ids.getLongCardinality();
    }

    static final class Result {
        double recall;
        double qps;
        double p50;
        double p99;
    }

    private Result run(Store store, SearchOptions opts, List<float[]> qs, int[][] gt) {
        int n = qs.size();
        int threads = Math.min(queryThreads, n);
        List<ReadTxn> txns = new ArrayList<>();
        IndexReader[] readers = new IndexReader[threads];
        try {
            for (int t = 0; t < threads; t++) {
                ReadTxn txn = store.read();
                txns.add(txn);
                readers[t] = Indexes.openReader(txn, index);
            }
            int[][] res = new int[n][];
            long[] lat = new long[n];
            pass(readers, opts, qs, res, lat, "warm-up");
            // This machine class drifts by tens of percent between minutes: several passes and their
            // median say more than one pass.
            double[] qps = new double[runs];
            double[] p50 = new double[runs];
            double[] p99 = new double[runs];
            for (int run = 0; run < runs; run++) {
                long t0 = System.nanoTime();
                pass(readers, opts, qs, res, lat, runs == 1 ? "queries" : "queries, pass " + (run + 1) + "/" + runs);
                long wall = System.nanoTime() - t0;
                qps[run] = n / (wall / 1e9);
                long[] sorted = lat.clone();
                Arrays.sort(sorted);
                p50[run] = percentile(sorted, 0.50) / 1e6;
                p99[run] = percentile(sorted, 0.99) / 1e6;
            }
            Result r = new Result();
            double sum = 0;
            for (int q = 0; q < n; q++) {
                sum += recall(res[q], gt[q], k);
            }
            r.recall = sum / n;
            r.qps = median(qps);
            r.p50 = median(p50);
            r.p99 = median(p99);
            return r;
        } finally {
            for (ReadTxn t : txns) {
                t.close();
            }
        }
    }

    private static void pass(IndexReader[] readers, SearchOptions opts, List<float[]> qs, int[][] res, long[] lat, String what) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger slot = new AtomicInteger();
        int n = qs.size();
        try (Progress bar = Progress.start(what, n)) {
            VectorSet.runThreads(readers.length, () -> {
                IndexReader reader = readers[slot.getAndIncrement()];
                int q;
                while ((q = next.getAndIncrement()) < n) {
                    long s = System.nanoTime();
                    int[] ids = reader.search(qs.get(q), opts).ids();
                    lat[q] = System.nanoTime() - s;
                    res[q] = ids;
                    if ((q & 63) == 0) {
                        bar.stepTo(q);
                    }
                }
            });
            bar.stepTo(n);
        }
    }

    /** The median of {@code v} (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    static double recall(int[] found, int[] truth, int k) {
        int hits = 0;
        int kk = Math.min(k, truth.length);
        for (int i = 0; i < Math.min(k, found.length); i++) {
            for (int j = 0; j < kk; j++) {
                if (found[i] == truth[j]) {
                    hits++;
                    break;
                }
            }
        }
        return (double) hits / kk;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static void checkTruth(int[][] gt, int nq, int k, Path truth) {
        if (gt.length < nq) {
            throw CliException.badInput(truth + ": holds " + gt.length + " rows but there are " + nq + " queries");
        }
        for (int q = 0; q < nq; q++) {
            if (gt[q].length < k) {
                throw CliException.usage(truth + ": row " + (q + 1) + " has " + gt[q].length + " neighbours, fewer than --k " + k);
            }
        }
    }

    /** Rows whose order {@link #checkTruthIds} measures. */
    static final int ORDER_CHECKED = 20;

    /**
     * Every id of the truth's first k columns must be an item of the index (a float file given as
     * truth is not), and the first rows must list them nearest first under {@code --distance}: a
     * truth of another base or of another distance named ids that exist and gave recall 0.003 or
     * 0.79 without a word (a review helper's runs). Ties and rounding pass: only an id measured
     * farther than the next one by more than a thousandth counts, and only in two rows or more and
     * more than one in ten. Binary distances (hamming, bq-*) are measured against a float truth on
     * purpose, so for them it is a note. With {@code --k 1} there is no order to check.
     */
    private void checkTruthIds(int[][] gt, List<float[]> queryVectors, int k, Path truth, Store store) {
        int nq = queryVectors.size();
        try (ReadTxn t = store.read()) {
            ItemStore items = ItemStore.open(t, index);
            org.roaringbitmap.RoaringBitmap ids = items.currentIds();
            for (int q = 0; q < nq; q++) {
                for (int j = 0; j < k; j++) {
                    if (!ids.contains(gt[q][j])) {
                        throw CliException.badInput(truth + ": row " + (q + 1) + " names id " + Integer.toUnsignedString(gt[q][j]) + ", which " + base
                                + " does not hold (is it the ground truth of these files?)");
                    }
                }
            }
            io.quiver.distance.Distance d = items.distance();
            int rows = Math.min(nq, ORDER_CHECKED);
            int unordered = 0;
            String first = null;
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                long qa = arena.allocate(d.itemBytes(), 16).address();
                for (int q = 0; q < rows; q++) {
                    d.encode(queryVectors.get(q), qa);
                    float prev = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < k; j++) {
                        float dist = d.userDistance(d.distance(qa, io.quiver.storage.NativeMemory.address(items.item(gt[q][j]))));
                        if (dist < prev - 1e-3f * Math.max(Math.abs(prev), 1e-6f)) {
                            unordered++;
                            if (first == null) {
                                first = "row " + (q + 1) + " lists id " + Integer.toUnsignedString(gt[q][j - 1]) + " at " + prev + " before id "
                                        + Integer.toUnsignedString(gt[q][j]) + " at " + dist;
                            }
                            break;
                        }
                        prev = dist;
                    }
                }
            }
            if (unordered >= 2 && unordered * 10 > rows) {
                String what = truth + ": " + unordered + " of its first " + rows + " rows are not nearest first under " + d.kind().cliName() + " (" + first + ")";
                if (d.kind().isBinary()) {
                    // binary codes are measured against the float neighbours on purpose (what recall the bits keep)
                    Cli.info("note: %s; measuring the %s index against it as given (a float truth for binary codes)", what, d.kind().cliName());
                } else {
                    throw CliException.badInput(what + ": is it the ground truth of " + base + " under --distance " + d.kind().cliName() + "?");
                }
            }
        }
    }

    /** The dimensions of the first vector of {@code file}. */
    private static int firstDimensions(Path file) throws IOException {
        try (VectorReader in = VectorReader.open(file)) {
            VectorRecord r = in.next();
            if (r == null) {
                throw CliException.badInput(file + ": the file holds no vectors");
            }
            return r.vector().length;
        }
    }

    static List<float[]> loadQueries(Path file, int limit) throws IOException {
        List<float[]> qs = new ArrayList<>();
        try (VectorReader in = VectorReader.open(file)) {
            VectorCheck check = new VectorCheck(in, in.declaredDimensions(), null, 0);
            VectorRecord r;
            while (qs.size() < limit && (r = in.next()) != null) {
                qs.add(check.vector(r));
            }
        }
        if (qs.isEmpty()) {
            throw CliException.badInput(file + ": the file holds no vectors");
        }
        return qs;
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The search parameter swept. */
    record Sweep(String key, List<Integer> values) {
        boolean isEf() {
            return key.equals("ef");
        }

        String describe(int v) {
            String k = isEf() ? "ef" : "search_k";
            return k + "=" + (v == 0 ? "default" : Integer.toString(v));
        }

        static Sweep parse(String s, Algorithm a) {
            String defKey = a == Algorithm.HNSW ? "ef" : "search-k";
            if (s == null) {
                return new Sweep(defKey, List.of(0));
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw CliException.usage("--sweep must look like ef=10,20,40 or search-k=100,1000");
            }
            String key = s.substring(0, eq).trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (!key.equals("ef") && !key.equals("search-k")) {
                throw CliException.usage("--sweep parameter must be ef or search-k, got '" + key + "'");
            }
            if (!key.equals(defKey)) {
                throw CliException.usage("--sweep " + key + " does not apply to " + a.cliName() + " (use " + defKey + ")");
            }
            List<Integer> values = new ArrayList<>();
            for (String v : s.substring(eq + 1).split(",")) {
                if (v.isBlank()) {
                    continue;
                }
                try {
                    int x = Integer.parseInt(v.trim());
                    if (x <= 0) {
                        throw new NumberFormatException();
                    }
                    values.add(x);
                } catch (NumberFormatException e) {
                    throw CliException.usage("--sweep value '" + v.trim() + "' is not a positive integer");
                }
            }
            if (values.isEmpty()) {
                throw CliException.usage("--sweep lists no values");
            }
            return new Sweep(key, values);
        }
    }
}
