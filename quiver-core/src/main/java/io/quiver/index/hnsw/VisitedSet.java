package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * The nodes one search of a build worker has met, as one bit per key, cleared after each search
 * by the words it set. An array of generation marks took 4 bytes per key: 2 MiB per worker at
 * 500k items, so each neighbour's mark was one more miss to memory on top of its vector, where
 * the 50k index's marks stayed in cache; as bits the 500k marks take 62 KiB.
 *
 * <pre>{@code
 * VisitedSet seen = new VisitedSet(keys);
 * if (seen.add(k)) { ... first meeting of k in this search ... }
 * seen.clear();   // before the next search: in proportion to the words set, not to the keys
 * }</pre>
 */
final class VisitedSet {
    private long[] bits;
    /** The indexes of the words with a bit set since the last {@link #clear}. */
    private int[] setWords = new int[64];
    private int setCount;

    VisitedSet(int keys) {
        bits = new long[Math.max(1, (keys + 63) >>> 6)];
    }

    /** Room for keys below {@code keys}: grows (keeping the marks), never shrinks. */
    void ensure(int keys) {
        int words = (keys + 63) >>> 6;
        if (words > bits.length) {
            bits = Arrays.copyOf(bits, Math.max(words, bits.length + (bits.length >>> 1)));
        }
    }

    /** Marks {@code key}; returns whether it was not marked yet. */
    boolean add(int key) {
        int w = key >>> 6;
        long old = bits[w];
        long bit = 1L << key;
        if ((old & bit) != 0) {
            return false;
        }
        if (old == 0) {
            if (setCount == setWords.length) {
                setWords = Arrays.copyOf(setWords, setCount * 2);
            }
            setWords[setCount++] = w;
        }
        bits[w] = old | bit;
        return true;
    }

    /** Unmarks everything. */
    void clear() {
        for (int i = 0; i < setCount; i++) {
            bits[setWords[i]] = 0;
        }
        setCount = 0;
    }

    /** Whether no key is marked (reads every word: for checks, not for the build's loops). */
    boolean isEmpty() {
        for (long w : bits) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** Heap taken, for the scratch pool's limit. */
    long bytes() {
        return 8L * bits.length + 4L * setWords.length;
    }
}
