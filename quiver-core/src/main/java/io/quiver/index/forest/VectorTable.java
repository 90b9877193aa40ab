package io.quiver.index.forest;

import io.quiver.index.AddressCache;
import io.quiver.index.IntLongMap;

/**
 * Where a build finds vectors outside LMDB: item id to address. Ids in a compact range (the usual
 * case: row numbers) use a plain array, one load per lookup; scattered ids use a hash map.
 * Read-only once built, so the build threads share it.
 */
final class VectorTable {
    private final int first;
    private final long[] dense;
    private final IntLongMap sparse;

    private VectorTable(int first, long[] dense, IntLongMap sparse) {
        this.first = first;
        this.dense = dense;
        this.sparse = sparse;
    }

    static VectorTable of(IntLongMap map) {
        return new VectorTable(0, null, map);
    }

    /** A table for {@code count} ids between {@code first} and {@code last} (unsigned). */
    static VectorTable forRange(int first, int last, int count) {
        long span = Integer.toUnsignedLong(last) - Integer.toUnsignedLong(first) + 1;
        if (AddressCache.denseEnough(span, count) && span < Integer.MAX_VALUE - 8) {
            return new VectorTable(first, new long[(int) span], null);
        }
        return new VectorTable(0, null, new IntLongMap(count));
    }

    void put(int id, long address) {
        if (dense != null) {
            dense[id - first] = address;
        } else {
            sparse.put(id, address);
        }
    }

    /** The address of {@code id}'s vector, or 0 when this table does not hold it. */
    long get(int id) {
        if (dense != null) {
            int o = id - first;
            return o >= 0 && o < dense.length ? dense[o] : 0L;
        }
        return sparse.get(id, 0L);
    }
}
