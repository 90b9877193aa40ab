package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * The groups of exact copies one beam search has met ({@link HnswReader}'s walk, {@link BuildWorker}'s
 * insert search): a node reached as a copy of another joins that node's group, and each group
 * counts its members, so that the limits on copies apply per vector, not per search. With one
 * count for the whole search, a walk through data that holds many vectors three times each spent
 * it on the first groups it met and then left out the copies of the query's own vector (an
 * adversarial helper: 101 of 200 queries for a vector stored 3 times missed one of its copies at
 * k 3). Costs nothing to a search that meets no copies: {@link #clear} is then free.
 *
 * <pre>{@code
 * groups.clear();                               // a new search
 * if (groups.join(c, o) <= k) { ... o may take a place in the beam ... }
 * }</pre>
 */
final class CopyGroups {
    private static final long FREE = -1L;
    /** Node keys (unsigned ints widened), {@link #FREE} where empty. */
    private long[] keys = newKeys(64);
    /** A node's group: the first member met. */
    private int[] group = new int[64];
    /** At a group's first member: how many copies joined it. */
    private int[] members = new int[64];
    private int size;

    private static long[] newKeys(int n) {
        long[] k = new long[n];
        Arrays.fill(k, FREE);
        return k;
    }

    /** Forgets every group (a new search). */
    void clear() {
        if (size > 0) {
            Arrays.fill(keys, FREE);
            size = 0;
        }
    }

    /**
     * Records {@code copy}, met through {@code of} and holding the same vector, as a member of
     * {@code of}'s group (which starts at {@code of} if it has none yet); returns how many copies
     * the group has gathered so far, {@code copy} included. Each copy is joined once, as a search
     * meets each node once.
     */
    int join(int of, int copy) {
        if ((size + 2) * 2 > keys.length) {
            grow();
        }
        int i = place(of, of);
        int g = group[i];
        int gi = g == of ? i : slot(g);
        int n = ++members[gi];
        place(copy, g);
        return n;
    }

    /** The slot of {@code node}, filled in as a member of group {@code g} when it had none. */
    private int place(int node, int g) {
        int i = slot(node);
        if (keys[i] == FREE) {
            keys[i] = Integer.toUnsignedLong(node);
            group[i] = g;
            members[i] = 0;
            size++;
        }
        return i;
    }

    /** The slot holding {@code node}, or the free slot where it would go. */
    private int slot(int node) {
        long k = Integer.toUnsignedLong(node);
        int mask = keys.length - 1;
        int h = node * 0x9E3779B9;
        int i = (h ^ (h >>> 16)) & mask;
        while (keys[i] != FREE && keys[i] != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldGroup = group;
        int[] oldMembers = members;
        keys = newKeys(oldKeys.length * 2);
        group = new int[keys.length];
        members = new int[keys.length];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                int j = slot((int) oldKeys[i]);
                keys[j] = oldKeys[i];
                group[j] = oldGroup[i];
                members[j] = oldMembers[i];
            }
        }
    }
}
