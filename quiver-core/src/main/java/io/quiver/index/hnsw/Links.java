package io.quiver.index.hnsw;

import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;

/**
 * The LINKS value codec. A node's neighbours at one level are stored under
 * {@code [index][LINKS][id][level]} as bare little-endian u32 ids (the count is the value length
 * / 4): the search reads them in place. The incoming links of a node live next to them under the
 * level byte {@code 0x80 | level}; searches never read those, but they let a build find every node
 * that points to a deleted one without scanning the graph.
 */
final class Links {
    /** Level byte flag of incoming-link lists. */
    static final int IN = 0x80;
    /** Highest level a node may have (level bytes below {@link #IN}). */
    static final int MAX_LEVEL = 31;
    static final int[] EMPTY = new int[0];

    private Links() {}

    /** Decodes a list into a new array, or null when absent. */
    static int[] read(Txn txn, int index, int id, int levelByte) {
        ByteBuffer v = txn.get(index, KeyKind.LINKS, id, levelByte);
        if (v == null) {
            return null;
        }
        int n = v.remaining() >>> 2;
        int[] out = new int[n];
        long a = NativeMemory.address(v);
        for (int i = 0; i < n; i++) {
            out[i] = NativeMemory.getInt(a + 4L * i);
        }
        return out;
    }

    static void write(WriteTxn txn, int index, int id, int levelByte, int[] ids, int count) {
        ByteBuffer out = txn.reserve(index, KeyKind.LINKS, id, levelByte, 4 * count);
        for (int i = 0; i < count; i++) {
            out.putInt(4 * i, ids[i]);
        }
    }

    /** Reads every level of {@code id}'s outgoing lists (probing upwards until one is missing), or null. */
    static int[][] readAllLevels(Txn txn, int index, int id) {
        int[] l0 = read(txn, index, id, 0);
        if (l0 == null) {
            return null;
        }
        int[][] levels = new int[MAX_LEVEL + 1][];
        levels[0] = l0;
        int top = 0;
        for (int l = 1; l <= MAX_LEVEL; l++) {
            int[] ll = read(txn, index, id, l);
            if (ll == null) {
                break;
            }
            levels[l] = ll;
            top = l;
        }
        return java.util.Arrays.copyOf(levels, top + 1);
    }
}
