package io.quiver.index.hnsw;

/**
 * A node whose links the current build may read or change, held on the heap: the overlay over
 * the committed graph. Its lists are guarded by the node's monitor (one short lock per read or
 * update, as in hnswlib), so that workers insert concurrently.
 */
final class GraphNode {
    final int id;
    /** The node's top level. */
    final int level;
    /**
     * Address of what the build measures with (the item bytes, or its int8 code when the build
     * uses codes) in the build's off-heap copies, or 0 when read from the committed snapshot.
     */
    final long vector;
    /** Address of the item bytes in the build's copies (the same as {@link #vector} without codes), or 0. */
    final long item;
    private final int[][] links;
    private final int[] counts;
    /** The lists as the write transaction held them when loaded (null for a node new in this build). */
    final int[][] original;
    private volatile boolean dirty;

    GraphNode(int id, int level, long vector, long item, int m, int m0, int[][] original) {
        this.id = id;
        this.level = level;
        this.vector = vector;
        this.item = item;
        this.original = original;
        this.links = new int[level + 1][];
        this.counts = new int[level + 1];
        for (int l = 0; l <= level; l++) {
            int cap = l == 0 ? m0 : m;
            int[] o = original != null && l < original.length ? original[l] : null;
            if (o != null) {
                links[l] = java.util.Arrays.copyOf(o, Math.max(cap, o.length));
                counts[l] = o.length;
            } else {
                links[l] = new int[cap];
            }
        }
    }

    /** Copies the list at {@code level} into {@code out} (which must hold the list); returns its size. */
    synchronized int copyLinks(int level, int[] out) {
        if (level > this.level) {
            return 0;
        }
        int n = counts[level];
        System.arraycopy(links[level], 0, out, 0, n);
        return n;
    }

    /** Capacity needed by {@link #copyLinks} at {@code level}. */
    int capacity(int level) {
        return level > this.level ? 0 : links[level].length;
    }

    synchronized void setLinks(int level, int[] ids, int n) {
        if (links[level].length < n) {
            links[level] = new int[n];
        }
        System.arraycopy(ids, 0, links[level], 0, n);
        counts[level] = n;
        dirty = true;
    }

    /**
     * Sets the list at {@code level} if it is still empty, as a new node's own list is until its
     * worker sets it; returns false when another worker has already linked this node in there.
     */
    synchronized boolean setLinksIfEmpty(int level, int[] ids, int n) {
        if (counts[level] != 0) {
            return false;
        }
        setLinks(level, ids, n);
        return true;
    }

    /** Appends {@code id} if there is room and it is absent; returns false when the list is full. */
    synchronized boolean tryAppend(int level, int id, int cap) {
        int n = counts[level];
        int[] l = links[level];
        for (int i = 0; i < n; i++) {
            if (l[i] == id) {
                return true;
            }
        }
        if (n >= cap || n >= l.length) {
            return false;
        }
        l[n] = id;
        counts[level] = n + 1;
        dirty = true;
        return true;
    }

    /**
     * Puts {@code replacement} in the place of {@code old} in the list at {@code level} (only
     * removes {@code old} when the list already holds {@code replacement}); returns false when the
     * list does not hold {@code old}.
     */
    synchronized boolean replace(int level, int old, int replacement) {
        int n = counts[level];
        int[] l = links[level];
        int at = -1;
        boolean present = false;
        for (int i = 0; i < n; i++) {
            at = l[i] == old ? i : at;
            present |= l[i] == replacement;
        }
        if (at < 0) {
            return false;
        }
        if (present) {
            l[at] = l[n - 1];
            counts[level] = n - 1;
        } else {
            l[at] = replacement;
        }
        dirty = true;
        return true;
    }

    boolean isDirty() {
        return dirty;
    }

    void markDirty() {
        dirty = true;
    }

    /** A copy of the list at {@code level} (for the single-threaded write phase). */
    synchronized int[] snapshot(int level) {
        return java.util.Arrays.copyOf(links[level], counts[level]);
    }
}
