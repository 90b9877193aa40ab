package io.quiver.index.forest;

import java.util.Arrays;

/** A growable list of ints, for item id sets during builds. */
final class IntList {
    int[] a;
    int size;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    static IntList of(int[] values) {
        IntList l = new IntList(values.length);
        System.arraycopy(values, 0, l.a, 0, values.length);
        l.size = values.length;
        return l;
    }

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[size++] = v;
    }

    void addAll(IntList o) {
        for (int i = 0; i < o.size; i++) {
            add(o.a[i]);
        }
    }

    int get(int i) {
        return a[i];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }

    /** A copy of elements {@code from..to}. */
    IntList slice(int from, int to) {
        IntList l = new IntList(to - from);
        System.arraycopy(a, from, l.a, 0, to - from);
        l.size = to - from;
        return l;
    }
}
