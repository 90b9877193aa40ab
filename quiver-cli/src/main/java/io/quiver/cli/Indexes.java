package io.quiver.cli;

import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.ProgressListener;
import io.quiver.index.ProgressTrace;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.WriteTxn;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Where the CLI meets the two index families. */
final class Indexes {
    private Indexes() {}

    /** Opens a reader for whatever family {@code index} was built with. */
    static IndexReader openReader(ReadTxn txn, int index) {
        IndexMetadata meta = IndexMetadata.require(txn, index);
        return switch (meta.algorithm()) {
            case NONE -> throw CliException.of(ErrorKind.NEEDS_BUILD, "index " + index + " has never been built: run 'quiver build --db "
                    + txn.store().directory() + " --index " + index + " --algo forest|hnsw' first");
            case FOREST -> ForestReader.open(txn, index);
            case HNSW -> HnswReader.open(txn, index);
        };
    }

    /**
     * The parameters {@code index} holds, which an incremental build keeps whatever its options
     * said (graph parameters, tree count and leaf size, int8 codes): for reports of what was built.
     * Null when the index cannot be read (never built, or changes pending).
     */
    static java.util.Map<String, Object> builtParameters(ReadTxn txn, int index) {
        IndexMetadata meta = IndexMetadata.read(txn, index);
        if (meta == null || meta.algorithm() == Algorithm.NONE) {
            return null;
        }
        IndexReader r;
        try {
            r = openReader(txn, index);
        } catch (RuntimeException e) {
            return null;
        }
        boolean codes = io.quiver.index.ItemCodes.read(txn, index, meta.distance()) != null;
        if (r instanceof HnswReader h) {
            HnswBuildOptions o = h.parameters();
            if (o == null) {
                return Json.obj("int8_codes", codes);
            }
            return Json.obj("m", o.m(), "m0", o.m0(), "ef_construction", o.efConstruction(), "alpha", o.alpha(), "int8_codes", codes);
        }
        ForestReader f = (ForestReader) r;
        return Json.obj("trees", f.nTrees(), "split_after", f.splitAfter(), "int8_codes", codes);
    }

    /** {@link #builtParameters} as {@code key=value;...} (no commas: it goes in a CSV column). */
    static String describeBuilt(ReadTxn txn, int index) {
        java.util.Map<String, Object> m = builtParameters(txn, index);
        if (m == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> {
            if (k.equals("alpha") && ((Number) v).doubleValue() == 1.0 || k.equals("int8_codes") && Boolean.TRUE.equals(v)) {
                return; // defaults, left out as before
            }
            b.append(b.length() == 0 ? "" : ";").append(k).append('=').append(v instanceof Float f ? String.format(java.util.Locale.ROOT, "%.2f", f) : v);
        });
        return b.toString();
    }

    /** The family's own verification of a reader's structure (empty list when sound). */
    static List<String> verify(IndexReader reader) {
        if (reader instanceof ForestReader f) {
            return f.check();
        }
        if (reader instanceof HnswReader h) {
            return h.check();
        }
        return null;
    }

    /** Builds {@code index} with {@code algo}; the caller commits. */
    static ProgressTrace build(WriteTxn txn, int index, Algorithm algo, BuildParams p, boolean forceRebuild, BooleanSupplier cancel,
            ProgressListener listener) {
        return build(txn, index, algo, p, forceRebuild, cancel, listener, java.util.Set.of());
    }

    /**
     * As above; {@code given} names the graph options the user typed (--m, --m0, --ef-construction,
     * --alpha). An incremental HNSW build keeps the graph's own, so when a typed one differs a
     * note on stderr says so rather than dropping it silently.
     */
    static ProgressTrace build(WriteTxn txn, int index, Algorithm algo, BuildParams p, boolean forceRebuild, BooleanSupplier cancel,
            ProgressListener listener, java.util.Set<String> given) {
        IndexMetadata.require(txn, index);
        if (algo == Algorithm.HNSW && !forceRebuild && !given.isEmpty()) {
            HnswBuildOptions kept = HnswWriter.open(txn, index).keptParameters();
            boolean differs = kept != null && (given.contains("--m") && p.m != kept.m()
                    || (given.contains("--m0") || given.contains("--m")) && p.m0() != kept.m0()
                    || given.contains("--ef-construction") && p.efConstruction() != kept.efConstruction()
                    || given.contains("--alpha") && (float) p.alpha != kept.alpha());
            if (differs) {
                Cli.info("note: index %d keeps the graph parameters it was built with (m %d, m0 %d, ef-construction %d, alpha %s);"
                        + " add --force-rebuild to rebuild it with the ones given", index, kept.m(), kept.m0(), kept.efConstruction(), kept.alpha());
            }
        }
        return switch (algo) {
            case FOREST -> {
                if (forceRebuild) {
                    throw CliException.usage("--force-rebuild applies to hnsw only");
                }
                yield ForestWriter.open(txn, index).build(ForestBuildOptions.builder()
                        .nTrees(p.trees).splitAfter(p.splitAfter).int8Codes(p.int8Codes).threads(p.threads()).seed(p.seed)
                        .cancel(cancel).listener(listener).build());
            }
            case HNSW -> HnswWriter.open(txn, index).build(HnswBuildOptions.builder()
                    .m(p.m).m0(p.m0).efConstruction(p.efConstruction()).alpha(p.alpha).int8Codes(p.int8Codes).threads(p.threads()).seed(p.seed)
                    .forceRebuild(forceRebuild).cancel(cancel).listener(listener).build());
            case NONE -> throw CliException.usage("--algo must be forest or hnsw");
        };
    }
}
