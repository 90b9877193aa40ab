package io.quiver.cli;

import io.quiver.distance.DistanceKind;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexReader;
import io.quiver.index.ItemStore;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Build both index families over Fashion-MNIST and compare them.",
        description = {"A tour in about a minute: takes a subset of Fashion-MNIST (running scripts/datasets.sh to obtain it when absent; "
                    + "a clustered synthetic dataset when that fails), computes the exact neighbours, builds a forest and an HNSW "
                    + "index over the same vectors, shows a few searches, and reports recall@10 and queries/s of each family."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--data", paramLabel = "DIR", description = "directory holding base.fvecs and queries.fvecs (default: <repo>/data/fashion-mnist)")
    Path data;

    @Option(names = "--base-size", paramLabel = "N", defaultValue = "20000", description = "base vectors used (default ${DEFAULT-VALUE})")
    int baseSize;

    @Option(names = "--queries-size", paramLabel = "N", defaultValue = "200", description = "queries used (default ${DEFAULT-VALUE})")
    int querySize;

    @Option(names = "--synthetic", description = "use a generated clustered dataset instead of Fashion-MNIST")
    boolean synthetic;

    @Option(names = "--db", paramLabel = "DIR", description = "keep the demo store here (default: a temporary directory, deleted afterwards)")
    Path db;

    @Option(names = "--threads", paramLabel = "N", description = "build threads (default: available processors)")
    Integer threads;

    private static final int K = 10;

    /**
     * The demo writes indexes 0 and 1 of its store: pointed at a store that holds indexes, it
     * replaced their vectors and turned an HNSW index into a forest without a word (a review
     * helper's run). Checked before the dataset is read.
     */
    private void refuseStoreWithIndexes() {
        if (db == null || !java.nio.file.Files.exists(db.resolve("data.mdb"))) {
            return;
        }
        java.util.List<Integer> held;
        try (Store store = Cli.openStore(db, Cli.Access.READ); io.quiver.storage.ReadTxn txn = store.read()) {
            held = txn.indexes();
        }
        if (!held.isEmpty()) {
            throw CliException.usage("--db " + db + " already holds index(es) " + held.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + "; the demo writes its own indexes 0 and 1 into its store: give it a new directory or an empty store");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (baseSize < 100 || querySize < 1) {
            throw CliException.usage("--base-size must be at least 100 and --queries-size at least 1");
        }
        refuseStoreWithIndexes();
        long start = System.nanoTime();
        String name;
        VectorSet base;
        List<float[]> queries;
        Path dir = synthetic ? null : findData();
        if (dir != null) {
            name = "Fashion-MNIST (" + dir + ")";
            base = VectorSet.load(dir.resolve("base.fvecs"), DistanceKind.EUCLIDEAN, -1, baseSize, "base");
            queries = BenchCommand.loadQueries(dir.resolve("queries.fvecs"), querySize);
        } else {
            name = "synthetic: 64-dimensional points in 40 gaussian clusters";
            base = new VectorSet(DistanceKind.EUCLIDEAN, 64);
            queries = new ArrayList<>();
            synthesize(base, queries);
        }
        boolean temp = db == null;
        Path storeDir = temp ? Files.createTempDirectory("quiver-demo-") : db;
        try (base) {
            say("dataset: %s; using %d base vectors of %d dimensions and %d queries", name, base.size(), base.distance().dimensions(), queries.size());
            long t0 = System.nanoTime();
            int[][] truth;
            try (VectorSet qs = new VectorSet(DistanceKind.EUCLIDEAN, base.distance().dimensions())) {
                for (int i = 0; i < queries.size(); i++) {
                    qs.add(i, queries.get(i));
                }
                truth = base.nearest(qs, K, Runtime.getRuntime().availableProcessors());
            }
            say("exact %d nearest neighbours of every query by brute force: %s", K, Cli.seconds(System.nanoTime() - t0));

            try (Store store = Cli.openStore(storeDir, Cli.Access.CREATE)) {
                t0 = System.nanoTime();
                store.write(txn -> {
                    for (int index = 0; index < 2; index++) {
                        ItemStore items = ItemStore.create(txn, index, DistanceKind.EUCLIDEAN, base.distance().dimensions());
                        for (int i = 0; i < base.size(); i++) {
                            items.add(base.id(i), base.vector(i));
                        }
                    }
                });
                say("imported the vectors into index 0 (forest) and index 1 (hnsw) of %s: %s", storeDir, Cli.seconds(System.nanoTime() - t0));
                // the options' defaults (int8 codes on) as the CLI gives them, with a lighter ef_construction
                BuildParams p = BuildParams.defaults();
                p.m = 16;
                p.efConstruction = 100;
                p.alpha = 1.0;
                p.seed = 42;
                p.threads = threads;
                double[] buildS = new double[2];
                // what each index holds after its build: "trees=auto" said only what was asked
                String[] built = new String[2];
                Algorithm[] algos = {Algorithm.FOREST, Algorithm.HNSW};
                for (int index = 0; index < 2; index++) {
                    Algorithm a = algos[index];
                    int ix = index;
                    t0 = System.nanoTime();
                    store.write(txn -> {
                        try (Progress.Listener l = new Progress.Listener(a.cliName() + ": ")) {
                            Indexes.build(txn, ix, a, p, false, Cli::cancelRequested, l);
                        }
                    });
                    buildS[index] = (System.nanoTime() - t0) / 1e9;
                    try (ReadTxn txn = store.read()) {
                        built[index] = Indexes.describeBuilt(txn, index);
                    }
                    say("built the %s (%s): %.2fs", a.cliName(), built[index], buildS[index]);
                }
                try (ReadTxn txn = store.read()) {
                    IndexReader[] readers = {Indexes.openReader(txn, 0), Indexes.openReader(txn, 1)};
                    SearchOptions[] opts = {SearchOptions.builder().k(K).searchK(K * 200).build(), SearchOptions.builder().k(K).ef(64).build()};
                    String[] knob = {"search-k " + K * 200, "ef 64"};
                    say("");
                    for (int q = 0; q < Math.min(3, queries.size()); q++) {
                        say("query %d: exact nearest ids %s", q, ids(truth[q], 5));
                        for (int f = 0; f < 2; f++) {
                            SearchResult r = readers[f].search(queries.get(q), opts[f]);
                            StringBuilder sb = new StringBuilder();
                            for (Neighbor n : r.neighbors().subList(0, Math.min(5, r.size()))) {
                                sb.append(String.format(Locale.ROOT, " %s (%.1f)", Cli.id(n.id()), n.distance()));
                            }
                            say("  %-6s ->%s", algos[f].cliName(), sb);
                        }
                    }
                    say("");
                    CliOut.println(String.format(Locale.ROOT, "%-7s %-46s %8s %10s %10s", "family", "parameters", "build_s", "recall@10", "queries/s"));
                    for (int f = 0; f < 2; f++) {
                        IndexReader r = readers[f];
                        for (float[] qv : queries) {
                            r.search(qv, opts[f]);
                        }
                        double recall = 0;
                        long s = System.nanoTime();
                        int[][] found = new int[queries.size()][];
                        for (int q = 0; q < queries.size(); q++) {
                            found[q] = r.search(queries.get(q), opts[f]).ids();
                        }
                        double secs = (System.nanoTime() - s) / 1e9;
                        for (int q = 0; q < queries.size(); q++) {
                            recall += BenchCommand.recall(found[q], truth[q], K);
                        }
                        CliOut.println(String.format(Locale.ROOT, "%-7s %-46s %8.2f %10.4f %10.0f", algos[f].cliName(),
                                built[f] + ", " + knob[f], buildS[f], recall / queries.size(), queries.size() / secs));
                    }
                }
            }
            say("");
            say("demo finished in %s. Try: quiver bench --help, quiver search --help", Cli.seconds(System.nanoTime() - start));
        } finally {
            if (temp) {
                BenchCommand.deleteTree(storeDir);
            }
        }
        return ExitCodes.OK;
    }

    private static String ids(int[] a, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(n, a.length); i++) {
            b.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(a[i]));
        }
        return b.toString();
    }

    private static void say(String fmt, Object... args) {
        CliOut.println(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args));
        CliOut.flush();
    }

    /** The repository root: -Dquiver.home, QUIVER_HOME (set by the launcher), else two levels above the jar, else the working directory. */
    static Path repoRoot() {
        String prop = System.getProperty("quiver.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String home = System.getenv("QUIVER_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path p = jar.getParent();
            for (int i = 0; i < 4 && p != null; i++, p = p.getParent()) {
                if (Files.exists(p.resolve("scripts/datasets.sh"))) {
                    return p;
                }
            }
        } catch (Exception ignored) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    private Path findData() {
        Path dir = data != null ? data : repoRoot().resolve("data/fashion-mnist");
        if (Files.exists(dir.resolve("base.fvecs")) && Files.exists(dir.resolve("queries.fvecs"))) {
            return dir;
        }
        if (data != null) {
            throw new CliException(ExitCodes.NOT_FOUND, dir + ": no base.fvecs and queries.fvecs there");
        }
        Path script = repoRoot().resolve("scripts/datasets.sh");
        if (Files.exists(script)) {
            say("Fashion-MNIST is not in %s: running bash %s (installs the Debian package dataset-fashion-mnist)...", dir, script);
            try {
                Process pr = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
                int rc = pr.waitFor();
                if (rc == 0 && Files.exists(dir.resolve("base.fvecs")) && Files.exists(dir.resolve("queries.fvecs"))) {
                    return dir;
                }
                say("scripts/datasets.sh failed (exit code %d): falling back to a synthetic dataset", rc);
            } catch (IOException e) {
                say("cannot run scripts/datasets.sh (%s): falling back to a synthetic dataset", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.CANCELLED, "interrupted");
            }
        } else {
            say("Fashion-MNIST is not in %s and scripts/datasets.sh is missing: using a synthetic dataset", dir);
        }
        return null;
    }

    private void synthesize(VectorSet base, List<float[]> queries) {
        SplittableRandom rnd = new SplittableRandom(7);
        int dims = 64;
        int clusters = 40;
        float[][] centres = new float[clusters][dims];
        for (float[] c : centres) {
            for (int d = 0; d < dims; d++) {
                c[d] = (float) (rnd.nextDouble() * 20 - 10);
            }
        }
        for (int i = 0; i < baseSize + querySize; i++) {
            float[] c = centres[rnd.nextInt(clusters)];
            float[] v = new float[dims];
            for (int d = 0; d < dims; d++) {
                v[d] = (float) (c[d] + gaussian(rnd) * 1.5);
            }
            if (i < baseSize) {
                base.add(i, v);
            } else {
                queries.add(v);
            }
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = Math.max(1e-12, rnd.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

}
