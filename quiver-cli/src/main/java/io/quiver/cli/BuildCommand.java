package io.quiver.cli;

import io.quiver.index.Algorithm;
import io.quiver.index.ProgressTrace;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Build (or update) an index as a forest or an HNSW graph.",
        description = {"Brings an index up to date with its added and deleted items (building it the first time), in one transaction.",
            "Prints the progress trace: one step per line with its duration (or JSON with --json)."})
final class BuildCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0", description = "index number (default ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--algo", required = true, paramLabel = "forest|hnsw", description = "index family")
    String algo;

    @Mixin
    BuildParams params;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--force-rebuild", description = "hnsw: rebuild the graph from scratch instead of updating it (a forest rebuilds its trees when --split-after changes)")
    boolean forceRebuild;

    @Option(names = "--json", description = "print the trace as JSON")
    boolean json;

    @Override
    public Integer call() {
        Algorithm a = parseAlgo(algo);
        params.validate();
        BuildParams.refuseOtherFamilysOptions(a, spec);
        io.quiver.storage.Keys.checkIndex(index);
        long t0 = System.nanoTime();
        ProgressTrace trace;
        long buildNanos;
        long openNanos;
        long total;
        Map<String, Object> built = null;
        try (Store store = Cli.openStore(db, Cli.Access.WRITE)) {
            openNanos = System.nanoTime() - t0;
            long[] tb = new long[1];
            trace = store.writeAndReturn(txn -> {
                try (Progress.Listener listener = new Progress.Listener(a.cliName() + ": ")) {
                    long s = System.nanoTime();
                    ProgressTrace t = Indexes.build(txn, index, a, params, forceRebuild, Cli::cancelRequested, listener, givenGraphOptions());
                    tb[0] = System.nanoTime() - s;
                    return t;
                }
            });
            buildNanos = tb[0];
            total = System.nanoTime() - t0;
            boolean codesGiven = spec.commandLine().getParseResult().hasMatchedOption("--int8-codes");
            boolean codesApply = false;
            if (json || codesGiven) {
                try (ReadTxn txn = store.read()) {
                    built = Indexes.builtParameters(txn, index);
                    // whether codes can apply to the index at all (Euclidean or cosine, 16 dimensions or more)
                    io.quiver.index.IndexMetadata meta = io.quiver.index.IndexMetadata.read(txn, index);
                    codesApply = meta != null && io.quiver.index.ItemCodes.used(meta.distance(), true);
                }
            }
            boolean decidedNow = trace.steps().stream().anyMatch(s -> s.name().contains("int8 codes left off"));
            if (codesGiven && built != null && !forceRebuild && !decidedNow && !Boolean.valueOf(params.int8Codes).equals(built.get("int8_codes"))
                    && (!params.int8Codes || codesApply)) {
                // codes are chosen for the whole index when it is built from scratch
                // codes may also be off because they could not tell the items apart (a build's "int8 codes left off" step)
                Cli.info("note: index %d keeps its int8 codes %s as it was built%s; %s", index, params.int8Codes ? "off" : "on",
                        params.int8Codes ? " (with --int8-codes false, or because codes could not tell its items apart)" : "",
                        a == Algorithm.HNSW ? "add --force-rebuild to decide again" : "a forest decides again when rebuilt from scratch (a new --split-after)");
            }
        }
        if (json) {
            List<Object> steps = new ArrayList<>();
            for (ProgressTrace.Step s : trace.steps()) {
                steps.add(Json.obj("name", s.name(), "seconds", s.duration().toNanos() / 1e9));
            }
            // what the index holds, not what was typed: an incremental build keeps the graph's own
            Map<String, Object> p = new java.util.LinkedHashMap<>(built != null ? built : params.asMap(a));
            p.put("threads", params.threads());
            Map<String, Object> m = Json.obj("index", index, "algorithm", a.cliName(), "params", p, "steps", steps,
                    "open_seconds", openNanos / 1e9, "build_seconds", buildNanos / 1e9, "total_seconds", total / 1e9);
            CliOut.println(Json.write(m));
        } else {
            for (ProgressTrace.Step s : trace.steps()) {
                CliOut.println(s.name() + "\t" + ProgressTrace.format(s.duration()));
            }
            // Opening is reported apart: in a new JVM it includes loading LMDB's native library.
            CliOut.println(String.format(Locale.ROOT, "open the store\t%s", ProgressTrace.format(java.time.Duration.ofNanos(openNanos))));
            CliOut.println(String.format(Locale.ROOT, "total (open + build + commit)\t%s", ProgressTrace.format(java.time.Duration.ofNanos(total))));
        }
        return ExitCodes.OK;
    }

    /** The graph options typed on the command line (not taken from their defaults). */
    private java.util.Set<String> givenGraphOptions() {
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String name : BuildParams.GRAPH_OPTIONS) {
            if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
                given.add(name);
            }
        }
        return given;
    }

    static Algorithm parseAlgo(String s) {
        return parseAlgo(s, "--algo");
    }

    static Algorithm parseAlgo(String s, String option) {
        Algorithm a;
        try {
            a = Algorithm.parse(s);
        } catch (io.quiver.storage.QuiverException e) {
            throw CliException.usage(option + " must be forest or hnsw, got '" + s + "'");
        }
        if (a == Algorithm.NONE) {
            throw CliException.usage(option + " must be forest or hnsw");
        }
        return a;
    }
}
