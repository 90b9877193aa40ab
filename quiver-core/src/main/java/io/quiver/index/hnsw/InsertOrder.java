package io.quiver.index.hnsw;

import io.quiver.storage.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The order in which a build of several threads inserts its new nodes: first every node whose
 * item differs from those of the new nodes before it, then the copies (nodes holding the same
 * bytes as an earlier new node).
 *
 * <p>Two workers that insert copies of one vector at the same time do not see each other, and each
 * starts a group of copies. A full list keeps one copy of a vector, so the old nodes' lists, named
 * by both groups, swapped one group's copy for the other's until the group that lost them all was
 * named by nothing outside it: with 2 threads, 3 of 32 builds of 10,000 copies added in 10 batches
 * left a group of 17-32 that no search reached, too large for the write phase's island rescue. One
 * thread inserts copies one at a time, each finding those before it. Inserted after the first of
 * them, every copy finds the group it belongs to.
 *
 * <pre>{@code
 * InsertOrder order = InsertOrder.copiesLast(g.slots, from, g.slotCount, itemBytes, floats);
 * // insert order.slots()[0 .. order.firsts()) in parallel, then the rest
 * }</pre>
 *
 * @param slots the slots {@code from..to-1}, firsts before copies, each part in slot order
 * @param firsts how many of {@code slots} are not copies
 */
record InsertOrder(int[] slots, int firsts) {

    /**
     * Orders the slots {@code from..to-1} of {@code nodes}, whose items ({@code itemBytes} each)
     * are at {@link GraphNode#item}. With {@code floats} the items are a float distance's (a
     * version byte, then floats): two are copies when their floats are equal as numbers, so that
     * {@code -0.0} and {@code 0.0}, at distance 0 from each other as the build measures, count as
     * copies too (an adversarial helper's data, whose copies differed only in the signs of their
     * zeros, still lost a group of 77 in 8 of 25 two-thread imports when only equal bytes counted).
     */
    static InsertOrder copiesLast(GraphNode[] nodes, int from, int to, int itemBytes, boolean floats) {
        int n = to - from;
        // (hash << 32 | position): sorting brings equal items together, in slot order
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            long a = nodes[from + i].item;
            keyed[i] = ((long) (floats ? floatHash(a, itemBytes) : hash(a, itemBytes)) << 32) | i;
        }
        Arrays.sort(keyed);
        boolean[] copy = new boolean[n];
        int copies = 0;
        int[] firstsOfRun = new int[4]; // the distinct items met in the current run of equal hashes
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && keyed[end] >>> 32 == keyed[start] >>> 32) {
                end++;
            }
            int distinct = 0;
            for (int r = start; r < end; r++) {
                int i = (int) keyed[r];
                long a = nodes[from + i].item;
                boolean same = false;
                for (int f = 0; f < distinct && !same; f++) {
                    long b = nodes[from + firstsOfRun[f]].item;
                    same = floats ? equalFloats(a, b, itemBytes) : equal(a, b, itemBytes);
                }
                if (same) {
                    copy[i] = true;
                    copies++;
                } else {
                    if (distinct == firstsOfRun.length) {
                        firstsOfRun = Arrays.copyOf(firstsOfRun, distinct * 2);
                    }
                    firstsOfRun[distinct++] = i;
                }
            }
            start = end;
        }
        int[] slots = new int[n];
        int f = 0;
        int c = n - copies;
        for (int i = 0; i < n; i++) {
            slots[copy[i] ? c++ : f++] = from + i;
        }
        return new InsertOrder(slots, n - copies);
    }

    private static int hash(long address, int bytes) {
        long h = 0x9E3779B97F4A7C15L;
        int i = 0;
        for (; i + 8 <= bytes; i += 8) {
            h = (h ^ NativeMemory.getLong(address + i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        for (; i < bytes; i++) {
            h = (h ^ NativeMemory.getByte(address + i)) * 0x94D049BB133111EBL;
        }
        h ^= h >>> 32;
        return (int) h;
    }

    /** {@link #hash} of a float item with every {@code -0.0} taken as {@code 0.0}. */
    private static int floatHash(long address, int bytes) {
        long h = 0x9E3779B97F4A7C15L ^ NativeMemory.getByte(address);
        for (int i = 1; i + 4 <= bytes; i += 4) {
            int x = NativeMemory.getInt(address + i);
            h = (h ^ (x == 0x80000000 ? 0 : x)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        h ^= h >>> 32;
        return (int) h;
    }

    /** Whether two float items have the same version byte and equal floats ({@code -0.0 == 0.0}). */
    private static boolean equalFloats(long a, long b, int bytes) {
        if (NativeMemory.getByte(a) != NativeMemory.getByte(b)) {
            return false;
        }
        for (int i = 1; i + 4 <= bytes; i += 4) {
            if (NativeMemory.getFloat(a + i) != NativeMemory.getFloat(b + i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(long a, long b, int bytes) {
        return MemorySegment.mismatch(NativeMemory.ALL, a, a + bytes, NativeMemory.ALL, b, b + bytes) < 0;
    }
}
