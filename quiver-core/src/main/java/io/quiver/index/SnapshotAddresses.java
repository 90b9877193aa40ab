package io.quiver.index;

import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where values of one index sit in LMDB's map, by id, shared by every reader of one snapshot in
 * this process: HNSW readers keep each node's code, level-0 list and vector here, forest readers
 * their tree nodes, vectors and codes.
 *
 * <p>A reader remembers those addresses itself, but a reader lives as long as its read
 * transaction, and a server opens one per request: each search then paid a B-tree lookup for every
 * node it met, and a forest reader also allocated arrays the size of the index. At 500k items of
 * 768-d, a snapshot and HNSW reader per query searched 563-583 queries/s at ef 80 against
 * 2,200-2,700 for one reader kept for all of them (docs/BENCHMARKS.md, twenty-second session).
 * Readers of the same commit read the same pages at the same addresses, and LMDB frees none of
 * them while one of those readers is open; so readers of the newest snapshot seen share one table
 * here, and a reader of an older one keeps to its own. A map resize waits for every transaction of
 * the process to close, and a new map generation starts a new table.
 *
 * <pre>{@code
 * SnapshotAddresses.Table t = SnapshotAddresses.of(txn.store(), "hnsw/" + index).table(txn, span, count, 3);
 * long a = t == null ? 0 : t.get(id, 0);  // 0: not known yet; look it up, then t.set(id, 0, a)
 * }</pre>
 */
public final class SnapshotAddresses {
    /** Largest id span shared: 4M ids. */
    public static final int MAX_IDS = 1 << 22;

    /**
     * Soft: a table no reader holds any more stays for the next reader of its snapshot while the
     * heap has room, and goes before the heap runs out (a store of many indexes keeps one table
     * per index and family).
     */
    private java.lang.ref.SoftReference<Table> current = new java.lang.ref.SoftReference<>(null);

    /** The shared tables named {@code name} (a family and an index, say) of {@code store}. */
    public static SnapshotAddresses of(Store store, String name) {
        return store.attachment("snapshot-addresses/" + name, SnapshotAddresses.class, SnapshotAddresses::new);
    }

    /**
     * The table for {@code txn}'s snapshot of ids below {@code span} ({@code count} of them), with
     * {@code columns} addresses per id; made when {@code txn} reads a newer commit than the last
     * table. Null when its snapshot is older, or the ids are too many, too sparse, or would take
     * more than a sixteenth of the heap.
     */
    public synchronized Table table(ReadTxn txn, long span, long count, int columns) {
        long snapshot = txn.snapshotId();
        int generation = txn.store().mapGeneration();
        Table t = current.get();
        if (t != null && t.snapshot == snapshot && t.mapGeneration == generation && t.span >= span && t.columns == columns) {
            return t;
        }
        if (t != null && t.mapGeneration == generation && t.snapshot > snapshot) {
            return null;
        }
        if (span <= 0 || span > MAX_IDS || !AddressCache.denseEnough(span, count)
                || 8L * columns * span > Runtime.getRuntime().maxMemory() / 16) {
            current = new java.lang.ref.SoftReference<>(null);
            return null;
        }
        t = new Table(snapshot, generation, (int) span, columns);
        current = new java.lang.ref.SoftReference<>(t);
        return t;
    }

    /**
     * Addresses of one snapshot, by id and column: 0 not known yet, -1 no such value (or any
     * other non-zero word a reader chooses to keep). The columns of an id are side by side, so
     * the first two share a cache line. Thread-safe.
     */
    public static final class Table {
        final long snapshot;
        final int mapGeneration;
        final int span;
        private final int columns;
        private final AtomicLongArray words;

        private Table(long snapshot, int mapGeneration, int span, int columns) {
            this.snapshot = snapshot;
            this.mapGeneration = mapGeneration;
            this.span = span;
            this.columns = columns;
            this.words = new AtomicLongArray(columns * span);
        }

        /** The word of {@code id} in {@code column}, 0 when unknown (or the id is beyond the table). */
        public long get(int id, int column) {
            return id >= 0 && id < span ? words.getOpaque(id * columns + column) : 0;
        }

        public void set(int id, int column, long word) {
            if (id >= 0 && id < span) {
                words.setOpaque(id * columns + column, word);
            }
        }
    }
}
