package io.quiver.index;

import java.util.Arrays;

/**
 * An open-addressing map from int keys to long values without boxing: the per-snapshot cache of
 * where an item's bytes sit in LMDB's map. Not thread-safe.
 */
public final class IntLongMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private int[] keys;
    private long[] values;
    private int size;
    private int mask;

    public IntLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new int[cap];
        values = new long[cap];
        Arrays.fill(values, EMPTY);
        mask = cap - 1;
    }

    private static int hash(int k) {
        int h = k * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The value for {@code key}, or {@code missing}. */
    public long get(int key, long missing) {
        int i = hash(key) & mask;
        while (true) {
            long v = values[i];
            if (v == EMPTY) {
                return missing;
            }
            if (keys[i] == key) {
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Sets {@code key} to {@code value} ({@code value} must not be Long.MIN_VALUE). */
    public void put(int key, long value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = hash(key) & mask;
        while (values[i] != EMPTY) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    public int size() {
        return size;
    }

    public void clear() {
        Arrays.fill(values, EMPTY);
        size = 0;
    }

    private void grow() {
        int[] ok = keys;
        long[] ov = values;
        keys = new int[ok.length * 2];
        values = new long[ov.length * 2];
        Arrays.fill(values, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ov[i] != EMPTY) {
                put(ok[i], ov[i]);
            }
        }
    }
}
