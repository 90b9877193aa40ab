package io.quiver.index.hnsw;

import java.util.Arrays;

/** A growable list of ints (no boxing), for the bookkeeping of a build. */
final class IntList {
    int[] a = new int[4];
    int size;

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    boolean contains(int v) {
        return contains(a, size, v);
    }

    /** Whether {@code v} is among the first {@code n} of {@code a}. */
    static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
