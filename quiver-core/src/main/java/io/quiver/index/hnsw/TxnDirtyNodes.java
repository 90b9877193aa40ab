package io.quiver.index.hnsw;

import io.quiver.storage.WriteTxn;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * The nodes whose links or items earlier builds of the same (still open) write transaction
 * changed. Worker read transactions see the last commit, not those changes, so a later build in
 * the same transaction must take these nodes from the write transaction into its overlay. Keyed
 * weakly by the transaction: the record disappears with it, whether committed or aborted.
 */
final class TxnDirtyNodes {
    private static final Map<WriteTxn, Map<Integer, RoaringBitmap>> DIRTY = new WeakHashMap<>();

    private TxnDirtyNodes() {}

    static synchronized RoaringBitmap get(WriteTxn txn, int index) {
        Map<Integer, RoaringBitmap> m = DIRTY.get(txn);
        RoaringBitmap b = m == null ? null : m.get(index);
        return b == null ? new RoaringBitmap() : b.clone();
    }

    static synchronized void add(WriteTxn txn, int index, RoaringBitmap ids, boolean replace) {
        Map<Integer, RoaringBitmap> m = DIRTY.computeIfAbsent(txn, t -> new HashMap<>());
        RoaringBitmap b = m.get(index);
        if (b == null || replace) {
            m.put(index, ids.clone());
        } else {
            b.or(ids);
        }
    }
}
