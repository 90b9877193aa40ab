package io.quiver.index.forest;

import io.quiver.index.IndexMetadata;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The state a forest build leaves: parameters, tree roots and the set of node ids in use (so that
 * an incremental build allocates ids without scanning the nodes). Stored under
 * {@code [index][METADATA][FOREST]} as {@code [version u8][splitAfter u32][seed u64][roots: n u32, ids u32...][used nodes: roaring]}.
 */
record ForestMetadata(int splitAfter, long seed, int[] roots, RoaringBitmap usedNodes) {
    private static final byte VERSION = 1;

    int nTrees() {
        return roots.length;
    }

    static ForestMetadata read(Txn txn, int index) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, IndexMetadata.FOREST);
        if (v == null) {
            return null;
        }
        try {
            if (v.get(0) != VERSION) {
                throw new QuiverException(ErrorKind.VERSION_MISMATCH, "forest metadata of index " + index + " has version " + v.get(0));
            }
            int splitAfter = v.getInt(1);
            long seed = v.getLong(5);
            int n = v.getInt(13);
            if (n < 0 || 17 + 4L * n > v.remaining()) {
                throw new QuiverException(ErrorKind.CORRUPTED, "forest metadata of index " + index + " claims " + n + " trees");
            }
            int[] roots = new int[n];
            for (int i = 0; i < n; i++) {
                roots[i] = v.getInt(17 + 4 * i);
            }
            ByteBuffer rest = v.duplicate().order(v.order());
            rest.position(17 + 4 * n);
            RoaringBitmap used = io.quiver.index.StoredBitmaps.read(rest.slice(), "node set of the forest of index " + index);
            return new ForestMetadata(splitAfter, seed, roots, used);
        } catch (QuiverException e) {
            throw e;
        } catch (RuntimeException e) {
            // Roaring's decoder throws whatever it meets in random bytes (negative sizes, underflows, ...).
            throw new QuiverException(ErrorKind.CORRUPTED, "forest metadata of index " + index + " is corrupted: " + e, e);
        }
    }

    void write(WriteTxn txn, int index) {
        usedNodes.runOptimize();
        int size = 17 + 4 * roots.length + usedNodes.serializedSizeInBytes();
        ByteBuffer out = txn.reserve(index, KeyKind.METADATA, IndexMetadata.FOREST, size);
        out.put(0, VERSION);
        out.putInt(1, splitAfter);
        out.putLong(5, seed);
        out.putInt(13, roots.length);
        for (int i = 0; i < roots.length; i++) {
            out.putInt(17 + 4 * i, roots[i]);
        }
        out.position(17 + 4 * roots.length);
        usedNodes.serialize(out.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN));
    }
}
