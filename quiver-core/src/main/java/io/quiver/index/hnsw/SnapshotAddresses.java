package io.quiver.index.hnsw;

import io.quiver.index.AddressCache;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where the values an HNSW search reads (codes, vectors, level-0 lists) sit in LMDB's map, per id,
 * shared by every reader of one index on one snapshot in this process.
 *
 * <p>A reader remembers those addresses itself, but a reader lives as long as its read
 * transaction, and a server opens one per request: each search then paid a B-tree lookup for every
 * node it met. At 500k items of 768-d, a snapshot and reader per query searched 600 queries/s at
 * ef 80 against 2,600 for one reader kept for all of them (docs/BENCHMARKS.md, twenty-second
 * session). Readers of the same commit read the same pages at the same addresses, and LMDB frees
 * none of them while one of those readers is open; so readers of the newest snapshot seen share
 * one table here, and a reader of an older one keeps to its own. A map resize waits for every
 * transaction of the process to close, and a new map generation starts a new table.
 *
 * <pre>{@code
 * SnapshotAddresses.Table t = SnapshotAddresses.of(txn.store(), index).table(txn, span, count);
 * long a = t == null ? 0 : t.code(id);   // 0: not known yet; look it up, then t.setCode(id, a)
 * }</pre>
 */
final class SnapshotAddresses {
    /** Largest id span shared: 4M ids; three arrays of 8 bytes per id. */
    static final int MAX_IDS = 1 << 22;

    private Table current;

    /** The shared table of {@code index} in {@code store}. */
    static SnapshotAddresses of(Store store, int index) {
        return store.attachment("hnsw-snapshot-addresses/" + index, SnapshotAddresses.class, SnapshotAddresses::new);
    }

    /**
     * The table for {@code txn}'s snapshot of ids below {@code span} ({@code count} of them), made
     * when {@code txn} reads a newer commit than the last table; null when its snapshot is older,
     * or the ids are too many, too sparse, or would take more than a sixteenth of the heap.
     */
    synchronized Table table(ReadTxn txn, long span, long count) {
        long snapshot = txn.snapshotId();
        int generation = txn.store().mapGeneration();
        Table t = current;
        if (t != null && t.snapshot == snapshot && t.mapGeneration == generation && t.span >= span) {
            return t;
        }
        if (t != null && t.mapGeneration == generation && t.snapshot > snapshot) {
            return null;
        }
        if (span <= 0 || span > MAX_IDS || !AddressCache.denseEnough(span, count)
                || 24 * span > Runtime.getRuntime().maxMemory() / 16) {
            current = null;
            return null;
        }
        current = new Table(snapshot, generation, (int) span);
        return current;
    }

    /** Addresses of one snapshot, by id: 0 not known yet, -1 no such value. Thread-safe. */
    static final class Table {
        final long snapshot;
        final int mapGeneration;
        final int span;
        /**
         * Per id, side by side (a walk needs both of a node, and one cache line then serves): at
         * {@code 2·id} its code (or its vector, when the index keeps no codes); at {@code 2·id + 1}
         * its level-0 list, the address in the low 48 bits and the length in ids above (m0 is at
         * most 4,096).
         */
        private final AtomicLongArray walk;
        /** Vectors, for the final ranking. */
        private final AtomicLongArray item;

        private Table(long snapshot, int mapGeneration, int span) {
            this.snapshot = snapshot;
            this.mapGeneration = mapGeneration;
            this.span = span;
            this.walk = new AtomicLongArray(2 * span);
            this.item = new AtomicLongArray(span);
        }

        long code(int id) {
            return id >= 0 && id < span ? walk.getOpaque(2 * id) : 0;
        }

        void setCode(int id, long address) {
            if (id >= 0 && id < span) {
                walk.setOpaque(2 * id, address);
            }
        }

        long item(int id) {
            return id >= 0 && id < span ? item.getOpaque(id) : 0;
        }

        void setItem(int id, long address) {
            if (id >= 0 && id < span) {
                item.setOpaque(id, address);
            }
        }

        /** The packed level-0 list (see {@link #walk}), or 0. */
        long links0(int id) {
            return id >= 0 && id < span ? walk.getOpaque(2 * id + 1) : 0;
        }

        void setLinks0(int id, long packed) {
            if (id >= 0 && id < span) {
                walk.setOpaque(2 * id + 1, packed);
            }
        }
    }
}
