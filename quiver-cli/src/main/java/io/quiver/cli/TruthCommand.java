package io.quiver.cli;

import io.quiver.cli.io.Ivecs;
import io.quiver.distance.DistanceKind;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "truth", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Compute exact nearest neighbours by brute force into an .ivecs file.",
        description = {"Computes the exact K nearest base vectors of every query by brute force (multi-threaded, SIMD kernels) "
                    + "and writes them as .ivecs: one row of K ids per query, closest first, ties broken by the smaller id.",
            "Ids are the base file's ids, or its 0-based row numbers when it has none (as 'quiver import' assigns them)."})
final class TruthCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--base", required = true, paramLabel = "B", description = "base vectors (any import format)")
    Path base;

    @Option(names = "--queries", required = true, paramLabel = "Q", description = "query vectors")
    Path queries;

    @Option(names = "--distance", required = true, paramLabel = "D", description = "distance, as for import")
    String distance;

    @Option(names = "--k", paramLabel = "K", defaultValue = "100", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--out", required = true, paramLabel = "T.ivecs", description = "output file")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "threads (default: available processors)")
    Integer threads;

    @Option(names = "--limit-base", paramLabel = "N", description = "use only the first N base vectors")
    Long limitBase;

    @Option(names = "--limit-queries", paramLabel = "N", description = "use only the first N queries")
    Long limitQueries;

    @Override
    public Integer call() throws Exception {
        DistanceKind kind = DistanceKind.parse(distance);
        if (k <= 0) {
            throw CliException.usage("--k must be positive");
        }
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (nThreads < 1) {
            throw CliException.usage("--threads must be at least 1");
        }
        long t0 = System.nanoTime();
        // checked here, by name: -1 is load's own "no limit", so --limit-base -1 read every vector
        if (limitBase != null && limitBase < 1) {
            throw CliException.usage("--limit-base must be positive");
        }
        if (limitQueries != null && limitQueries < 1) {
            throw CliException.usage("--limit-queries must be positive");
        }
        try (VectorSet b = VectorSet.load(base, kind, -1, limitBase == null ? -1 : limitBase, "base");
                VectorSet q = VectorSet.load(queries, kind, b.distance().dimensions(), limitQueries == null ? -1 : limitQueries, "queries")) {
            if (k > b.size()) {
                Cli.info("note: --k %d exceeds the %d base vectors: rows hold %d ids", k, b.size(), b.size());
            }
            int[][] rows = b.nearest(q, k, nThreads);
            Ivecs.write(out, rows);
            String summary = String.format(java.util.Locale.ROOT, "wrote %d rows of %d nearest neighbours (%s, %d base vectors) to %s in %s",
                    rows.length, Math.min(k, b.size()), kind.cliName(), b.size(), out, Cli.seconds(System.nanoTime() - t0));
            if (isStandardOutput(out)) {
                Cli.info("%s", summary); // not into the rows just written there
            } else {
                CliOut.println(summary);
            }
        }
        return ExitCodes.OK;
    }

    /** Whether {@code file} is this process's standard output ({@code /dev/stdout}, or the file or pipe it goes to). */
    private static boolean isStandardOutput(Path file) {
        try {
            return java.nio.file.Files.isSameFile(file, Path.of("/proc/self/fd/1"));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
