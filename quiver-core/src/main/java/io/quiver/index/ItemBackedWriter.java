package io.quiver.index;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.WriteTxn;
import org.roaringbitmap.RoaringBitmap;

/**
 * What every family's writer does the same way: items live in the {@link ItemStore}, and adding
 * or deleting one only writes or removes its vector and marks it for the next build. A family adds
 * its {@code build} and says when it needs one.
 */
public abstract class ItemBackedWriter implements IndexWriter {
    protected final WriteTxn txn;
    protected final ItemStore items;

    protected ItemBackedWriter(WriteTxn txn, ItemStore items) {
        this.txn = txn;
        this.items = items;
    }

    @Override
    public final int index() {
        return items.index();
    }

    public final DistanceKind distanceKind() {
        return items.metadata().distanceKind();
    }

    public final int dimensions() {
        return items.metadata().dimensions();
    }

    @Override
    public final void add(int id, float[] vector) {
        items.add(id, vector);
    }

    @Override
    public final boolean delete(int id) {
        return items.delete(id);
    }

    @Override
    public final void clear() {
        items.clear();
    }

    @Override
    public final boolean contains(int id) {
        return items.contains(id);
    }

    @Override
    public final float[] vector(int id) {
        return items.vector(id);
    }

    @Override
    public final RoaringBitmap ids() {
        return items.currentIds();
    }
}
