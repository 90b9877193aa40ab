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
        for (int i = 0; i < size; i++) {
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
