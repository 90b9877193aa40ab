package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * What a build changes in the incoming-link lists, gathered while the writer rewrites the outgoing
 * ones: per level, "source now links to target" and "source no longer links to target". Each
 * change is one {@code long} (target in the high half, sign-flipped so that signed order is the
 * unsigned order of ids; source zero-extended in the low half, so that an id of 2^31 or more cannot
 * spill into the target), so that sorting them puts every list's changes together in key order and
 * each list's sources in unsigned order.
 *
 * <p>It replaces maps of boxed {@code (target, level)} keys to lists and a bitmap per merged list:
 * a batch of 1,000 inserts into 500k items changes ~16k incoming lists, and a fresh process runs
 * this once per batch, mostly before the JIT has compiled it, so the work per change matters.
 *
 * <pre>{@code
 * IncomingLinkChanges c = new IncomingLinkChanges();
 * c.add(7, 0, 42);            // 42 now links to 7 on level 0
 * c.sort();
 * c.forEachList((target, level, adds, a0, a1, drops, d0, d1) -> ...);
 * }</pre>
 */
final class IncomingLinkChanges {
    private static final int LEVELS = Links.MAX_LEVEL + 1;

    private final long[][] adds = new long[LEVELS][];
    private final long[][] drops = new long[LEVELS][];
    private final int[] addCount = new int[LEVELS];
    private final int[] dropCount = new int[LEVELS];
    private int levels; // one past the highest level with a change
    private boolean sorted = true;

    /** Receives the changes of one incoming list: entries [a0, a1) of adds, [d0, d1) of drops. */
    @FunctionalInterface
    interface ListVisitor {
        void visit(int target, int level, long[] adds, int a0, int a1, long[] drops, int d0, int d1);
    }

    /** {@code source} now links to {@code target} on {@code level}. */
    void add(int target, int level, int source) {
        append(adds, addCount, target, level, source);
    }

    /** {@code source} no longer links to {@code target} on {@code level}. */
    void drop(int target, int level, int source) {
        append(drops, dropCount, target, level, source);
    }

    private void append(long[][] lists, int[] counts, int target, int level, int source) {
        long[] a = lists[level];
        int n = counts[level];
        if (a == null || n == a.length) {
            a = lists[level] = grow(a);
        }
        a[n] = pack(target, source);
        counts[level] = n + 1;
        sorted = false;
        if (level >= levels) {
            levels = level + 1;
        }
    }

    private static long[] grow(long[] a) {
        if (a == null) {
            return new long[256];
        }
        // The usual soft limit of array lengths. The heap runs out long before (a long[] that size
        // is 16 GiB); the check only turns an int overflow into a clear error.
        int max = Integer.MAX_VALUE - 8;
        if (a.length >= max) {
            throw new IllegalStateException("more than " + max + " incoming-link changes on one level in one build");
        }
        return Arrays.copyOf(a, (int) Math.min(max, 2L * a.length));
    }

    /** Sorts the changes; call once after the last add or drop, before reading them. */
    void sort() {
        for (int l = 0; l < levels; l++) {
            if (adds[l] != null) {
                Arrays.sort(adds[l], 0, addCount[l]);
            }
            if (drops[l] != null) {
                Arrays.sort(drops[l], 0, dropCount[l]);
            }
        }
        sorted = true;
    }

    /** Whether any source now links to {@code target} on {@code level}. */
    boolean hasAdds(int target, int level) {
        requireSorted();
        if (level >= levels || adds[level] == null) {
            return false;
        }
        long[] a = adds[level];
        long first = pack(target, 0); // the smallest change this target can have
        int i = Arrays.binarySearch(a, 0, addCount[level], first);
        if (i < 0) {
            i = -i - 1;
        }
        return i < addCount[level] && (a[i] >>> 32) == (first >>> 32);
    }

    /**
     * Visits each changed list once, in the store's key order: target ascending as an unsigned id,
     * then level. Within a list, sources come in ascending unsigned order.
     */
    void forEachList(ListVisitor visitor) {
        requireSorted();
        int[] pa = new int[levels];
        int[] pd = new int[levels];
        while (true) {
            // the smallest target still waiting on any level (high halves compare as signed ints)
            boolean any = false;
            int min = 0;
            for (int l = 0; l < levels; l++) {
                if (pa[l] < addCount[l]) {
                    int h = (int) (adds[l][pa[l]] >>> 32);
                    if (!any || h < min) {
                        min = h;
                        any = true;
                    }
                }
                if (pd[l] < dropCount[l]) {
                    int h = (int) (drops[l][pd[l]] >>> 32);
                    if (!any || h < min) {
                        min = h;
                        any = true;
                    }
                }
            }
            if (!any) {
                return;
            }
            for (int l = 0; l < levels; l++) {
                int a0 = pa[l];
                int a1 = a0;
                while (a1 < addCount[l] && (int) (adds[l][a1] >>> 32) == min) {
                    a1++;
                }
                int d0 = pd[l];
                int d1 = d0;
                while (d1 < dropCount[l] && (int) (drops[l][d1] >>> 32) == min) {
                    d1++;
                }
                if (a1 > a0 || d1 > d0) {
                    visitor.visit(min ^ Integer.MIN_VALUE, l, adds[l], a0, a1, drops[l], d0, d1);
                    pa[l] = a1;
                    pd[l] = d1;
                }
            }
        }
    }

    /**
     * Applies one list's changes to its stored ids: {@code (current - drops) ∪ adds}, ascending as
     * unsigned ids and without repeats, into {@code out} (grown when too small). Returns the array
     * holding the result; its length is {@code count[0]}. The ranges {@code [a0, a1)} and
     * {@code [d0, d1)} must hold one list's changes in the order {@link #forEachList} gives them
     * (ascending sources): the merge walks each once.
     */
    static int[] apply(int[] current, long[] adds, int a0, int a1, long[] drops, int d0, int d1, int[] out, int[] count) {
        int[] cur = current == null ? Links.EMPTY : current;
        if (!ascendingUnsigned(cur)) {
            // Every writer of incoming lists (this class, and before it a bitmap) leaves them
            // ascending; a list that is not (a damaged or foreign store) is sorted, as the bitmap
            // that merged lists before this class did, rather than merged wrongly.
            cur = cur.clone();
            for (int i = 0; i < cur.length; i++) {
                cur[i] ^= Integer.MIN_VALUE;
            }
            Arrays.sort(cur);
            for (int i = 0; i < cur.length; i++) {
                cur[i] ^= Integer.MIN_VALUE;
            }
        }
        int need = cur.length + (a1 - a0);
        if (out.length < need) {
            out = new int[Math.max(need, 2 * out.length)];
        }
        int n = 0;
        int i = 0;
        int j = a0;
        int d = d0;
        while (i < cur.length || j < a1) {
            int x;
            boolean fromCurrent;
            if (j >= a1 || (i < cur.length && Integer.compareUnsigned(cur[i], (int) adds[j]) < 0)) {
                x = cur[i++];
                fromCurrent = true;
            } else {
                x = (int) adds[j++];
                fromCurrent = false;
            }
            if (fromCurrent) {
                while (d < d1 && Integer.compareUnsigned((int) drops[d], x) < 0) {
                    d++;
                }
                if (d < d1 && (int) drops[d] == x) {
                    continue; // dropped, unless an add names it too (met on its own turn)
                }
            }
            if (n > 0 && out[n - 1] == x) {
                continue;
            }
            out[n++] = x;
        }
        count[0] = n;
        return out;
    }

    private static boolean ascendingUnsigned(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (Integer.compareUnsigned(a[i - 1], a[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code high} sign-flipped above {@code low} zero-extended: sorting such longs orders them by
     * {@code high} as an unsigned id, then by {@code low} as one.
     */
    static long pack(int high, int low) {
        return ((long) (high ^ Integer.MIN_VALUE) << 32) | Integer.toUnsignedLong(low);
    }

    private void requireSorted() {
        if (!sorted) {
            throw new IllegalStateException("sort() first");
        }
    }
}
