package io.quiver.testing;

import io.quiver.storage.KeyKind;
import io.quiver.storage.Txn;
import org.roaringbitmap.RoaringBitmap;

/** The ids that have a key of one kind in one index, read by a range scan (tests only). */
public final class StoredIds {
    private StoredIds() {}

    public static RoaringBitmap of(Txn txn, int index, KeyKind kind) {
        RoaringBitmap ids = new RoaringBitmap();
        txn.scan(index, kind, (id, level, value) -> {
            ids.add(id);
            return true;
        });
        return ids;
    }
}
