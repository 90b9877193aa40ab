package io.quiver.index.hnsw;

import io.quiver.distance.DistanceKind;
import io.quiver.index.ItemBackedWriter;
import io.quiver.index.ItemStore;
import io.quiver.index.ProgressTrace;
import io.quiver.storage.WriteTxn;

/**
 * Writes one HNSW index inside a write transaction: {@code add} and {@code delete} only store the
 * vector and mark the id; {@link #build} then inserts the new items and repairs exactly the links
 * that deleted items touched, so its cost follows the change, not the index.
 *
 * <pre>{@code
 * store.write(txn -> {
 *     HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.COSINE, 768);
 *     w.add(1, vector1);
 *     w.delete(7);
 *     ProgressTrace trace = w.build(HnswBuildOptions.builder().m(16).efConstruction(200).build());
 * });
 * }</pre>
 *
 * <p>An index last built as a forest is converted on the next {@code build}: the trees are
 * dropped and the graph is built over the stored vectors (no re-import). Several builds in one
 * write transaction are fine. Use from the transaction's thread only.
 */
public final class HnswWriter extends ItemBackedWriter {
    private HnswWriter(WriteTxn txn, ItemStore items) {
        super(txn, items);
    }

    /**
     * Creates index {@code index}, or opens it when it exists with the same distance and
     * dimensions ({@code INDEX_MISMATCH} otherwise).
     */
    public static HnswWriter create(WriteTxn txn, int index, DistanceKind kind, int dimensions) {
        return new HnswWriter(txn, ItemStore.create(txn, index, kind, dimensions));
    }

    /** Opens an existing index ({@code UNKNOWN_INDEX} when absent). */
    public static HnswWriter open(WriteTxn txn, int index) {
        return new HnswWriter(txn, ItemStore.open(txn, index));
    }

    @Override
    public boolean needsBuild() {
        return items.needsBuild() || items.metadata().algorithm() != io.quiver.index.Algorithm.HNSW && !items.builtItems().isEmpty();
    }

    /**
     * The graph parameters the next build keeps, or null when it builds from scratch (no graph
     * yet, or a forest to convert). An incremental build keeps the m, m0, efConstruction and alpha
     * of the build from scratch that made the graph, whatever its options say, because a graph's
     * lists must all have been chosen by one rule; {@code forceRebuild} applies new ones.
     *
     * <pre>{@code
     * HnswBuildOptions kept = HnswWriter.open(txn, 0).keptParameters();
     * if (kept != null && kept.m() != 32) { ... a rebuild is needed for m = 32 ... }
     * }</pre>
     */
    public HnswBuildOptions keptParameters() {
        if (items.metadata().algorithm() != io.quiver.index.Algorithm.HNSW) {
            return null;
        }
        HnswMetadata old = HnswMetadata.read(txn, items.index());
        return old == null ? null : old.graphOptions();
    }

    /**
     * Brings the graph up to date with every add and delete since the last build; returns the
     * named steps with their durations. Cancelling (through the options) throws
     * {@code CANCELLED} before anything is written.
     */
    public ProgressTrace build(HnswBuildOptions options) {
        return new HnswBuilder(txn, items, options).build();
    }
}
