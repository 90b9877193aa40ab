package io.quiver.index.hnsw;

import java.util.Arrays;

/**
 * A binary heap of (distance, node) pairs on two primitive arrays: the beam and candidate queues
 * of a search, reused across searches so that a query allocates nothing per visited node. A min
 * heap pops the closest first; a max heap keeps the farthest on top (to evict it).
 */
final class NodeHeap {
    private final boolean max;
    private float[] dist;
    private int[] node;
    private int size;

    NodeHeap(int capacity, boolean max) {
        this.max = max;
        this.dist = new float[Math.max(16, capacity)];
        this.node = new int[dist.length];
    }

    static NodeHeap min(int capacity) {
        return new NodeHeap(capacity, false);
    }

    static NodeHeap max(int capacity) {
        return new NodeHeap(capacity, true);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    float topDistance() {
        return dist[0];
    }

    int topNode() {
        return node[0];
    }

    private boolean above(float a, float b) {
        return max ? a > b : a < b;
    }

    void push(float d, int n) {
        if (size == dist.length) {
            dist = Arrays.copyOf(dist, size * 2);
            node = Arrays.copyOf(node, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!above(d, dist[p])) {
                break;
            }
            dist[i] = dist[p];
            node[i] = node[p];
            i = p;
        }
        dist[i] = d;
        node[i] = n;
    }

    /** Removes the top; read it first with {@link #topDistance()} / {@link #topNode()}. */
    void pop() {
        int last = --size;
        if (last == 0) {
            return;
        }
        float d = dist[last];
        int n = node[last];
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < last && above(dist[r], dist[c])) {
                c = r;
            }
            if (!above(dist[c], d)) {
                break;
            }
            dist[i] = dist[c];
            node[i] = node[c];
            i = c;
        }
        dist[i] = d;
        node[i] = n;
    }

    /** Raw access to the i-th stored entry (heap order). */
    float distanceAt(int i) {
        return dist[i];
    }

    int nodeAt(int i) {
        return node[i];
    }

    /**
     * Empties the heap into the arrays sorted closest first; returns the count. Destroys the heap.
     */
    int drainAscending(float[] outDist, int[] outNode) {
        int n = size;
        if (max) {
            for (int i = n - 1; i >= 0; i--) {
                outDist[i] = topDistance();
                outNode[i] = topNode();
                pop();
            }
        } else {
            for (int i = 0; i < n; i++) {
                outDist[i] = topDistance();
                outNode[i] = topNode();
                pop();
            }
        }
        return n;
    }
}
