package io.quiver.cli;

import io.quiver.index.Algorithm;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The build options of both families (picocli mixin shared by build, bench and demo). */
public final class BuildParams {
    @Option(names = "--trees", paramLabel = "T", description = "forest: number of trees (0 = as many as the forest has, or automatic for a new one)", defaultValue = "0")
    public int trees;

    @Option(names = "--split-after", paramLabel = "S", description = "forest: largest leaf before a split (0 = automatic)", defaultValue = "0")
    public int splitAfter;

    @Option(names = "--m", paramLabel = "M", description = "hnsw: links per node on upper levels (default ${DEFAULT-VALUE})", defaultValue = "16")
    public int m;

    @Option(names = "--m0", paramLabel = "M0", description = "hnsw: links per node on level 0 (0 = 2*M)", defaultValue = "0")
    public int m0;

    @Option(names = "--ef-construction", paramLabel = "E", description = "hnsw: beam width while building, at least M (0, the default: 200, or M when larger)", defaultValue = "0")
    public int efConstruction;

    @Option(names = "--alpha", paramLabel = "A", description = "hnsw: neighbour pruning factor (default ${DEFAULT-VALUE})", defaultValue = "1.0")
    public double alpha;

    @Option(names = "--int8-codes", paramLabel = "true|false", arity = "1",
            description = "keep int8 codes of the vectors (a quarter of their bytes) to rank candidates on, re-ranking with the exact vectors; hnsw also builds on them when they are exact; left off when they cannot tell the items apart (default ${DEFAULT-VALUE}; euclidean and cosine, 16 dimensions or more)",
            defaultValue = "true")
    public boolean int8Codes;

    @Option(names = "--threads", paramLabel = "N", description = "build threads (default: available processors)")
    public Integer threads;

    @Option(names = "--seed", paramLabel = "S", description = "random seed (default ${DEFAULT-VALUE})", defaultValue = "42")
    public long seed;

    /** The options that only hnsw builds use, and those that only forest builds use. */
    static final java.util.List<String> GRAPH_OPTIONS = java.util.List.of("--m", "--m0", "--ef-construction", "--alpha");
    static final java.util.List<String> TREE_OPTIONS = java.util.List.of("--trees", "--split-after");

    /**
     * The options' defaults, from their annotations (picocli applies them on parsing no
     * arguments): for builds that take no options of their own ({@code import --build},
     * {@code delete --build}), which keep an existing index's parameters, and for the demo.
     */
    static BuildParams defaults() {
        BuildParams p = new BuildParams();
        new picocli.CommandLine(p).parseArgs();
        return p;
    }

    /**
     * Refuses {@code import --build} / {@code delete --build} of the other family than the one the
     * index is built as: they converted it silently (every structure rebuilt, the other family's
     * defaults), where a typo was the likelier cause. Converting stays {@code build --algo}'s job.
     * Called first in the transaction, so nothing is imported or deleted either.
     */
    static void requireSameFamily(io.quiver.storage.Txn txn, int index, Algorithm algo) {
        io.quiver.index.IndexMetadata meta = io.quiver.index.IndexMetadata.read(txn, index);
        if (meta != null && meta.algorithm() != Algorithm.NONE && meta.algorithm() != algo) {
            throw CliException.usage("index " + index + " is " + meta.algorithm().cliName() + "; --build " + algo.cliName()
                    + " would convert it: give --build " + meta.algorithm().cliName() + ", or convert first with 'quiver build --algo "
                    + algo.cliName() + "'");
        }
    }

    /**
     * {@code import --build} and {@code delete --build}: builds {@code index} with {@code algo}
     * in the caller's transaction, so that no reader ever sees the changes unbuilt; returns the
     * seconds the build took.
     */
    static double buildInSameTransaction(io.quiver.storage.WriteTxn txn, int index, Algorithm algo) {
        long t0 = System.nanoTime();
        try (Progress.Listener l = new Progress.Listener(algo.cliName() + ": ")) {
            Indexes.build(txn, index, algo, defaults(), false, Cli::cancelRequested, l);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The line {@code import --build} and {@code delete --build} print after their build. */
    static String builtInSameTransaction(int index, Algorithm algo, double seconds) {
        return String.format(Locale.ROOT, "built index %d (%s) in the same transaction in %.2fs", index, algo.cliName(), seconds);
    }

    /** The beam width these options ask for ({@code --ef-construction}, or 200 or M, whichever is larger, when it is 0). */
    public int efConstruction() {
        return efConstruction == 0 ? Math.max(200, m) : efConstruction;
    }

    /** The level-0 links per node these options ask for ({@code --m0}, or 2*M when it is 0). */
    public int m0() {
        return m0 == 0 ? 2 * m : m0;
    }

    public int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    public void validate() {
        if (trees < 0 || splitAfter < 0) {
            throw CliException.usage("--trees and --split-after must not be negative");
        }
        if (splitAfter == 1) {
            throw CliException.usage("--split-after must be 0 (automatic) or at least 2, got 1: a leaf of one item cannot be split");
        }
        if (m < 2 || m > 1024) {
            throw CliException.usage("--m must be in 2..1024, got " + m);
        }
        if (m0 < 0 || m0 > 4096 || m0 != 0 && m0 < m) {
            throw CliException.usage("--m0 must be 0 (= 2*M) or in M.." + 4096 + ", got " + m0);
        }
        if (efConstruction != 0 && efConstruction < m) {
            throw CliException.usage("--ef-construction must be at least --m (" + m + "), got " + efConstruction
                    + ": a new node links to up to M of the nodes its beam finds, and a narrower beam leaves the graph in unreachable islands");
        }
        if (!(alpha >= 1.0) || !Float.isFinite((float) alpha)) {
            throw CliException.usage("--alpha must be at least 1.0 and finite, got " + alpha);
        }
        if (threads != null && threads < 1) {
            throw CliException.usage("--threads must be at least 1");
        }
    }

    /** Refuses options of the other family typed on {@code spec}'s command line, which a build would ignore. */
    static void refuseOtherFamilysOptions(Algorithm a, picocli.CommandLine.Model.CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        for (String name : a == Algorithm.HNSW ? TREE_OPTIONS : GRAPH_OPTIONS) {
            if (parsed.hasMatchedOption(name)) {
                throw CliException.usage(name + " applies to " + (a == Algorithm.HNSW ? "forest" : "hnsw") + " builds, not " + a.cliName());
            }
        }
    }

    /** The parameters of {@code algo} as {@code key=value;...} (no commas: goes in a CSV column). */
    public String describe(Algorithm algo) {
        return switch (algo) {
            case FOREST -> "trees=" + (trees == 0 ? "auto" : trees) + ";split_after=" + (splitAfter == 0 ? "auto" : splitAfter) + (int8Codes ? "" : ";int8_codes=false");
            case HNSW -> "m=" + m + ";m0=" + m0() + ";ef_construction=" + efConstruction()
                    + (alpha != 1.0 ? String.format(Locale.ROOT, ";alpha=%.2f", alpha) : "") + (int8Codes ? "" : ";int8_codes=false");
            case NONE -> "";
        };
    }

    public java.util.Map<String, Object> asMap(Algorithm algo) {
        return switch (algo) {
            case FOREST -> Json.obj("trees", trees, "split_after", splitAfter, "int8_codes", int8Codes, "threads", threads(), "seed", seed);
            case HNSW -> Json.obj("m", m, "m0", m0(), "ef_construction", efConstruction(), "alpha", alpha, "int8_codes", int8Codes, "threads", threads(), "seed", seed);
            case NONE -> Json.obj();
        };
    }
}
