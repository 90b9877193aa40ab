package io.quiver.index.forest;

import io.quiver.index.BuildCommon;
import io.quiver.storage.NativeMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Builds several new plane trees over the same items together, one level at a time. Splitting a
 * node needs the margin of each of its items from the node's plane, a pass over their vectors;
 * built one after the other, ten trees read every vector about ten times per level, and that
 * reading, not the arithmetic, bounds the build (a 784-d vector is 3 KiB). Here each level makes
 * the planes of all its nodes first (a short two-means each), then one pass over the items
 * measures each item against its node's plane in every tree while the item is in cache.
 *
 * <p>The rules are those of {@link TreeUpdater#buildSubtree}: the same two-means, the same balance
 * rule, and the sequential {@link PlaneSplitter#createSplit(IntList, BuildSource, SplittableRandom, int)}
 * for the rare node whose first plane is degenerate or unbalanced. Only the order differs: a
 * tree's random stream serves its nodes breadth-first instead of depth-first. A stream is used by
 * one thread at a time, in that fixed order, so the trees do not depend on the thread count.
 *
 * <p>Items are handled by position {@code 0..n-1} (the ids in ascending order); the
 * {@link BuildSource}s it is given must resolve positions to vectors.
 */
final class LevelBuilder {
    /** Items per task of the margin pass: enough work per task, small enough to balance the threads. */
    private static final int PASS_CHUNK = 1024;

    /** Runs {@code tasks} tasks, each with a {@link BuildSource} of its thread, and waits. */
    @FunctionalInterface
    interface Parallel {
        void run(int tasks, Task task);
    }

    @FunctionalInterface
    interface Task {
        void run(int task, BuildSource src, BuildCommon common);
    }

    /** A node still to split: its items (positions) and where the result goes. */
    private static final class Pending {
        final IntList members;
        final int depth;
        final BuildNode.Split parent;
        final boolean left;
        BuildNode.Plane plane;
        BuildNode result;

        Pending(IntList members, int depth, BuildNode.Split parent, boolean left) {
            this.members = members;
            this.depth = depth;
            this.parent = parent;
            this.left = left;
        }
    }

    private final PlaneSplitter splitter;
    private final int[] ids;
    private final long[] addresses;
    private final int splitAfter;
    private final int dims;

    /**
     * @param ids the ids of the items, ascending; position {@code i} is {@code ids[i]}
     * @param addresses the vector address of each position (a copy in memory: it is read once per level)
     */
    LevelBuilder(PlaneSplitter splitter, int[] ids, long[] addresses, int splitAfter, int dims) {
        this.splitter = splitter;
        this.ids = ids;
        this.addresses = addresses;
        this.splitAfter = splitAfter;
        this.dims = dims;
    }

    /** Trees built together per group, bounded so that their side marks stay a small part of the heap. */
    static int groupSize(int items) {
        // per item: its slot (int) and side (boolean), and its place in this level's and the next
        // level's member lists
        long perTree = 16L * items + 64;
        long heap = Runtime.getRuntime().maxMemory() / 8;
        return (int) Math.max(1, Math.min(16, heap / perTree));
    }

    /**
     * Builds one tree per random stream over all items; {@code done} is called after each level
     * with the number of levels finished.
     */
    BuildNode[] build(SplittableRandom[] rnds, Parallel parallel, IntConsumer done) {
        int trees = rnds.length;
        int n = ids.length;
        BuildNode[] roots = new BuildNode[trees];
        List<List<Pending>> level = new ArrayList<>();
        for (int t = 0; t < trees; t++) {
            IntList all = new IntList(n);
            for (int i = 0; i < n; i++) {
                all.add(i);
            }
            Pending root = new Pending(all, 0, null, false);
            List<Pending> l = new ArrayList<>();
            if (isLeaf(root)) {
                roots[t] = leaf(all);
            } else {
                l.add(root);
            }
            level.add(l);
        }
        // slot[t][i]: the node of tree t that item i belongs to in this level's table, or -1.
        int[][] slot = new int[trees][n];
        boolean[][] right = new boolean[trees][n];
        long slotBytes = (4L * dims + 63) & ~63L;
        int depth = 0;
        while (true) {
            int[] firstSlot = new int[trees + 1];
            for (int t = 0; t < trees; t++) {
                firstSlot[t + 1] = firstSlot[t] + level.get(t).size();
            }
            int planes = firstSlot[trees];
            if (planes == 0) {
                break;
            }
            // Step 1, per tree: each node's first plane, in breadth-first order of the tree's stream.
            parallel.run(trees, (t, src, c) -> {
                for (Pending p : level.get(t)) {
                    c.checkCancelled();
                    p.plane = splitter.twoMeans(p.members, src, rnds[t]);
                }
            });
            // Step 2, per block of items: every tree's margin of each item, while it is in cache.
            try (Arena arena = Arena.ofShared()) {
                long table = arena.allocate(slotBytes * planes, 64).address();
                BuildNode.Plane[] byIndex = new BuildNode.Plane[planes];
                for (int t = 0; t < trees; t++) {
                    Arrays.fill(slot[t], -1);
                    List<Pending> l = level.get(t);
                    for (int j = 0; j < l.size(); j++) {
                        Pending p = l.get(j);
                        int s = firstSlot[t] + j;
                        if (p.plane == null) {
                            continue;
                        }
                        byIndex[s] = p.plane;
                        MemorySegment.copy(p.plane.normal, 0, NativeMemory.ALL, NativeMemory.FLOAT, table + s * slotBytes, dims);
                        IntList m = p.members;
                        for (int i = 0; i < m.size; i++) {
                            slot[t][m.a[i]] = s;
                        }
                    }
                }
                int chunks = (n + PASS_CHUNK - 1) / PASS_CHUNK;
                parallel.run(chunks, (chunk, src, c) -> {
                    c.checkCancelled();
                    int to = Math.min(n, (chunk + 1) * PASS_CHUNK);
                    for (int i = chunk * PASS_CHUNK; i < to; i++) {
                        long item = addresses[i];
                        for (int t = 0; t < trees; t++) {
                            int s = slot[t][i];
                            if (s >= 0) {
                                right[t][i] = splitter.margin(table + s * slotBytes, byIndex[s], item) > 0;
                            }
                        }
                    }
                });
            }
            // Step 3, per tree: partition each node by the sides found (or split it the sequential
            // way when its first plane was no good), and list the next level's nodes.
            int d = depth;
            List<List<Pending>> next = new ArrayList<>();
            for (int t = 0; t < trees; t++) {
                next.add(new ArrayList<>());
            }
            parallel.run(trees, (t, src, c) -> {
                for (Pending p : level.get(t)) {
                    c.checkCancelled();
                    split(p, right[t], src, rnds[t], next.get(t));
                    if (p.parent == null) {
                        roots[t] = p.result;
                    } else if (p.left) {
                        p.parent.left = p.result;
                    } else {
                        p.parent.right = p.result;
                    }
                }
            });
            level.clear();
            level.addAll(next);
            depth++;
            done.accept(depth);
        }
        return roots;
    }

    private boolean isLeaf(Pending p) {
        return p.members.size() <= splitAfter || p.depth >= TreeUpdater.MAX_DEPTH;
    }

    private BuildNode.Leaf leaf(IntList members) {
        IntList out = new IntList(members.size());
        for (int i = 0; i < members.size; i++) {
            out.add(ids[members.a[i]]);
        }
        return new BuildNode.Leaf(out);
    }

    private void split(Pending p, boolean[] right, BuildSource src, SplittableRandom rnd, List<Pending> next) {
        IntList m = p.members;
        int n = m.size;
        BuildNode.Split split = null;
        boolean[] sides = null;
        if (p.plane != null) {
            int r = 0;
            for (int i = 0; i < n; i++) {
                r += right[m.a[i]] ? 1 : 0;
            }
            if (PlaneSplitter.balancedEnough(r, n)) {
                split = p.plane;
            }
        }
        if (split == null) {
            split = splitter.createSplit(m, src, rnd, 1);
            if (split == null) {
                p.result = leaf(m);
                return;
            }
            sides = split.sides;
            split.sides = null;
            if (sides == null) {
                splitter.prepare(split, src);
            }
        }
        IntList left = new IntList(n / 2 + 1);
        IntList rightList = new IntList(n / 2 + 1);
        for (int i = 0; i < n; i++) {
            int pos = m.a[i];
            boolean r;
            if (split == p.plane) {
                r = right[pos];
            } else {
                r = sides != null ? sides[i] : splitter.goesRight(split, src.item(pos), src);
            }
            (r ? rightList : left).add(pos);
        }
        if (left.isEmpty() || rightList.isEmpty()) {
            p.result = leaf(m);
            return;
        }
        p.result = split;
        child(split, left, true, p.depth + 1, next);
        child(split, rightList, false, p.depth + 1, next);
    }

    private void child(BuildNode.Split parent, IntList members, boolean left, int depth, List<Pending> next) {
        Pending c = new Pending(members, depth, parent, left);
        if (isLeaf(c)) {
            if (left) {
                parent.left = leaf(members);
            } else {
                parent.right = leaf(members);
            }
        } else {
            next.add(c);
        }
    }
}
