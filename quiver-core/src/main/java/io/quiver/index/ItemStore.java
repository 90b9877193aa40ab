package io.quiver.index;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The items of one index inside one transaction: what both index families share. Adding or
 * deleting an item only writes (or removes) its vector and drops an {@code UPDATED} mark; a build
 * later reads the marks, so its cost follows the change, not the index.
 */
public final class ItemStore {
    private final Txn txn;
    private final int index;
    private IndexMetadata metadata;
    /** {@link WriteTxn#metadataVersion} when {@link #metadata} was read. */
    private long metadataVersion;
    private final Distance distance;
    private boolean tryAppend = true;

    private ItemStore(Txn txn, IndexMetadata metadata) {
        this.txn = txn;
        this.index = metadata.index();
        this.metadata = metadata;
        this.distance = metadata.distance();
        this.metadataVersion = txn instanceof WriteTxn w ? w.metadataVersion() : 0;
    }

    /** Opens an existing index; fails with {@link ErrorKind#UNKNOWN_INDEX} when absent. */
    public static ItemStore open(Txn txn, int index) {
        io.quiver.storage.Keys.checkIndex(index);
        return new ItemStore(txn, IndexMetadata.require(txn, index));
    }

    /**
     * Opens {@code index}, creating it with this distance and dimension count when absent. An
     * existing index with another distance or dimension count is an {@link ErrorKind#INDEX_MISMATCH}.
     */
    public static ItemStore create(WriteTxn txn, int index, DistanceKind kind, int dimensions) {
        io.quiver.storage.Keys.checkIndex(index);
        if (dimensions <= 0 || dimensions > IndexMetadata.MAX_DIMENSIONS) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "dimensions must be in 1.." + IndexMetadata.MAX_DIMENSIONS + ", got " + dimensions);
        }
        IndexMetadata m = IndexMetadata.read(txn, index);
        if (m == null) {
            m = new IndexMetadata(index, kind, dimensions, Algorithm.NONE, 0f);
            m.write(txn);
        } else if (m.distanceKind() != kind || m.dimensions() != dimensions) {
            throw new QuiverException(ErrorKind.INDEX_MISMATCH, "index " + index + " exists with distance " + m.distanceKind().cliName()
                    + " and " + m.dimensions() + " dimensions, not " + kind.cliName() + " and " + dimensions);
        }
        return new ItemStore(txn, m);
    }

    public Txn txn() {
        return txn;
    }

    public int index() {
        return index;
    }

    /**
     * The index's metadata as this transaction now holds it: re-read when another writer of the
     * same write transaction rewrote it (a forest build converting the graph this writer was
     * opened on, a clear, a drop), so a writer opened earlier never acts on a stale algorithm.
     */
    public IndexMetadata metadata() {
        if (txn instanceof WriteTxn w && w.metadataVersion() != metadataVersion) {
            IndexMetadata m = IndexMetadata.require(txn, index);
            if (m.distanceKind() != metadata.distanceKind() || m.dimensions() != metadata.dimensions()) {
                throw new QuiverException(ErrorKind.INDEX_MISMATCH, "index " + index + " was dropped and created again with distance "
                        + m.distanceKind().cliName() + " and " + m.dimensions() + " dimensions in this transaction; open a new writer");
            }
            metadata = m;
            metadataVersion = w.metadataVersion();
        }
        return metadata;
    }

    public Distance distance() {
        return distance;
    }

    private WriteTxn wtxn() {
        if (txn instanceof WriteTxn w) {
            return w;
        }
        throw new QuiverException(ErrorKind.READ_ONLY, "this operation needs a write transaction");
    }

    /** Updates the stored metadata (algorithm, norms). */
    public void setMetadata(IndexMetadata m) {
        WriteTxn w = wtxn();
        m.write(w);
        this.metadata = m;
        this.metadataVersion = w.metadataVersion();
    }

    /**
     * Stores (or replaces) the vector of {@code id} and marks it for the next build. Ids are
     * unsigned 32-bit values; adding them in ascending order appends to the B-tree.
     */
    public void add(int id, float[] vector) {
        try {
            distance.validate(vector);
        } catch (QuiverException e) {
            throw e.at("index " + index + ", item " + Integer.toUnsignedString(id) + ": ");
        }
        WriteTxn w = wtxn();
        ByteBuffer out;
        if (tryAppend) {
            out = w.reserveAppend(index, KeyKind.ITEM, id, distance.itemBytes());
            // one refusal means ids do not ascend past the end of the store: stop trying
            tryAppend = w.lastReserveAppended();
        } else {
            out = w.reserve(index, KeyKind.ITEM, id, distance.itemBytes());
        }
        distance.encode(vector, out);
        w.reserve(index, KeyKind.UPDATED, id, 0);
    }

    /** Stops trying LMDB's append mode (when ids are known not to ascend). */
    public void disableAppend() {
        tryAppend = false;
    }

    /** Removes {@code id}; the next build removes it from the structure. Returns whether it existed. */
    public boolean delete(int id) {
        WriteTxn w = wtxn();
        boolean existed = w.delete(index, KeyKind.ITEM, id);
        if (existed) {
            w.reserve(index, KeyKind.UPDATED, id, 0);
        }
        return existed;
    }

    /** Removes every item and every structure of the index, keeping its distance and dimensions. */
    public void clear() {
        WriteTxn w = wtxn();
        w.deleteAll(index, KeyKind.ITEM);
        w.deleteAll(index, KeyKind.UPDATED);
        w.deleteAll(index, KeyKind.TREE_NODE);
        w.deleteAll(index, KeyKind.LINKS);
        ItemCodes.dropAll(w, index);
        w.delete(index, KeyKind.METADATA, IndexMetadata.ITEMS);
        w.delete(index, KeyKind.METADATA, IndexMetadata.FOREST);
        w.delete(index, KeyKind.METADATA, IndexMetadata.HNSW);
        w.delete(index, KeyKind.METADATA, ZeroVectors.KEY);
        setMetadata(new IndexMetadata(index, metadata().distanceKind(), metadata().dimensions(), Algorithm.NONE, 0f));
    }

    /**
     * Removes the structure of another family before this one is built over the same stored
     * vectors (the in-place forest/HNSW conversion). Costs the size of the old structure; items
     * stay and the caller rebuilds from all of them.
     */
    public void dropStructure(Algorithm old) {
        WriteTxn w = wtxn();
        switch (old) {
            case FOREST -> {
                w.deleteAll(index, KeyKind.TREE_NODE);
                w.delete(index, KeyKind.METADATA, IndexMetadata.FOREST);
                ItemCodes.dropAll(w, index);
            }
            case HNSW -> {
                w.deleteAll(index, KeyKind.LINKS);
                w.delete(index, KeyKind.METADATA, IndexMetadata.HNSW);
                ItemCodes.dropAll(w, index);
            }
            case NONE -> { }
        }
        w.delete(index, KeyKind.METADATA, IndexMetadata.ITEMS);
        w.delete(index, KeyKind.METADATA, ZeroVectors.KEY);
        setMetadata(metadata().withAlgorithm(Algorithm.NONE));
    }

    /** Deletes the index entirely (items, structure, metadata). */
    public void drop() {
        clear();
        wtxn().delete(index, KeyKind.METADATA, IndexMetadata.MAIN);
        wtxn().metadataChanged();
    }

    public boolean contains(int id) {
        return txn.exists(index, KeyKind.ITEM, id);
    }

    /** The stored item bytes of {@code id}, or null. Valid until the next operation on the transaction. */
    public ByteBuffer item(int id) {
        ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
        if (v != null) {
            distance.checkItem(v, id);
        }
        return v;
    }

    /** The vector of {@code id} (decoded), or null when absent. */
    public float[] vector(int id) {
        ByteBuffer v = item(id);
        return v == null ? null : distance.decode(NativeMemory.address(v));
    }

    /** Whether changes wait for a build, or the index was never built. */
    public boolean needsBuild() {
        boolean[] any = {false};
        txn.scan(index, KeyKind.UPDATED, (id, level, value) -> {
            any[0] = true;
            return false;
        });
        return any[0] || (metadata().algorithm() == Algorithm.NONE && txn.get(index, KeyKind.METADATA, IndexMetadata.ITEMS) == null && hasAnyItem());
    }

    private boolean hasAnyItem() {
        boolean[] any = {false};
        txn.scan(index, KeyKind.ITEM, (id, level, value) -> {
            any[0] = true;
            return false;
        });
        return any[0];
    }

    /** Ids marked since the last build. */
    public RoaringBitmap updatedIds() {
        RoaringBitmap b = new RoaringBitmap();
        txn.scan(index, KeyKind.UPDATED, (id, level, value) -> {
            b.add(id);
            return true;
        });
        return b;
    }

    /** Removes the marks (at the end of a build). */
    public void clearUpdated() {
        wtxn().deleteAll(index, KeyKind.UPDATED);
    }

    /** The ids indexed by the last build. */
    public RoaringBitmap builtItems() {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, IndexMetadata.ITEMS);
        return v == null ? new RoaringBitmap() : StoredBitmaps.read(v, "item set of index " + index);
    }

    public void writeBuiltItems(RoaringBitmap items) {
        items.runOptimize();
        int size = items.serializedSizeInBytes();
        ByteBuffer out = wtxn().reserve(index, KeyKind.METADATA, IndexMetadata.ITEMS, size);
        items.serialize(out);
    }

    /**
     * Every id stored now, built or not: the built set corrected by the marks (cost follows the
     * number of marks).
     */
    public RoaringBitmap currentIds() {
        RoaringBitmap b = builtItems();
        RoaringBitmap updated = updatedIds();
        for (int id : updated) {
            if (contains(id)) {
                b.add(id);
            } else {
                b.remove(id);
            }
        }
        return b;
    }

    /** Splits the marks into what a build must insert (new or changed) and remove (deleted or changed). */
    public Changes changes() {
        RoaringBitmap built = builtItems();
        RoaringBitmap updated = updatedIds();
        RoaringBitmap inserted = new RoaringBitmap();
        RoaringBitmap removed = new RoaringBitmap();
        for (int id : updated) {
            boolean wasBuilt = built.contains(id);
            if (contains(id)) {
                inserted.add(id);
                if (wasBuilt) {
                    removed.add(id);
                }
            } else if (wasBuilt) {
                removed.add(id);
            }
        }
        return new Changes(built, inserted, removed);
    }

    /**
     * What a build must do.
     *
     * @param built ids in the structure before the build
     * @param inserted ids to insert (new, or changed: these are in {@code removed} too)
     * @param removed ids to take out of the structure
     */
    public record Changes(RoaringBitmap built, RoaringBitmap inserted, RoaringBitmap removed) {
        /** The ids live after the build. */
        public RoaringBitmap after() {
            RoaringBitmap a = RoaringBitmap.andNot(built, removed);
            a.or(inserted);
            return a;
        }

        public boolean isEmpty() {
            return inserted.isEmpty() && removed.isEmpty();
        }
    }
}
