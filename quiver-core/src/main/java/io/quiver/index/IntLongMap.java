package io.quiver.index;

import java.util.Arrays;

/**
 * An open-addressing map from int keys to long values without boxing: the per-snapshot cache of
 * where an item's bytes sit in LMDB's map. Key and value share one array slot pair, so a lookup
 * touches one cache line. Not thread-safe for writers; concurrent readers of a map no longer
 * written are fine.
 */
public final class IntLongMap {
    /** Marks a free slot in the key half: real keys are stored as {@code key & 0xFFFFFFFF}. */
    private static final long FREE = -1L;
    private long[] table;
    private int size;
    private int mask;

    public IntLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        allocate(cap);
    }

    private void allocate(int cap) {
        table = new long[2 * cap];
        for (int i = 0; i < table.length; i += 2) {
            table[i] = FREE;
        }
        mask = cap - 1;
        size = 0;
    }

    private static int hash(int k) {
        int h = k * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The value for {@code key}, or {@code missing}. */
    public long get(int key, long missing) {
        long k = Integer.toUnsignedLong(key);
        long[] t = table;
        int i = hash(key) & mask;
        while (true) {
            long stored = t[2 * i];
            if (stored == k) {
                return t[2 * i + 1];
            }
            if (stored == FREE) {
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    /** Sets {@code key} to {@code value}. */
    public void put(int key, long value) {
        if ((size + 1) * 2 > table.length / 2) {
            grow();
        }
        long k = Integer.toUnsignedLong(key);
        int i = hash(key) & mask;
        while (true) {
            long stored = table[2 * i];
            if (stored == k) {
                table[2 * i + 1] = value;
                return;
            }
            if (stored == FREE) {
                table[2 * i] = k;
                table[2 * i + 1] = value;
                size++;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    public int size() {
        return size;
    }

    public void clear() {
        for (int i = 0; i < table.length; i += 2) {
            table[i] = FREE;
        }
        size = 0;
    }

    private void grow() {
        long[] old = table;
        allocate(old.length); // old.length slots = twice the old capacity
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != FREE) {
                put((int) old[i], old[i + 1]);
            }
        }
    }

    /** Keys, in no particular order (for tests and diagnostics). */
    public int[] keys() {
        int[] out = new int[size];
        int n = 0;
        for (int i = 0; i < table.length; i += 2) {
            if (table[i] != FREE) {
                out[n++] = (int) table[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
