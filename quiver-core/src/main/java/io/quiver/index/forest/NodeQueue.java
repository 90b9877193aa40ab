package io.quiver.index.forest;

import java.util.Arrays;

/** A max-priority queue of (priority, node id) on primitive arrays, reused across searches. */
final class NodeQueue {
    private float[] prio = new float[256];
    private int[] node = new int[256];
    private int size;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    float topPriority() {
        return prio[0];
    }

    int topNode() {
        return node[0];
    }

    void push(float p, int n) {
        if (size == prio.length) {
            prio = Arrays.copyOf(prio, size * 2);
            node = Arrays.copyOf(node, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (prio[parent] >= p) {
                break;
            }
            prio[i] = prio[parent];
            node[i] = node[parent];
            i = parent;
        }
        prio[i] = p;
        node[i] = n;
    }

    /** Removes the top entry. */
    void pop() {
        int last = --size;
        if (last == 0) {
            return;
        }
        float p = prio[last];
        int n = node[last];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= last) {
                break;
            }
            if (c + 1 < last && prio[c + 1] > prio[c]) {
                c++;
            }
            if (prio[c] <= p) {
                break;
            }
            prio[i] = prio[c];
            node[i] = node[c];
            i = c;
        }
        prio[i] = p;
        node[i] = n;
    }
}
