package io.quiver.index.forest;

import io.quiver.index.BuildCommon;
import io.quiver.storage.NativeMemory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.roaringbitmap.RoaringBitmap;

/**
 * Brings one tree up to date in memory: routes inserted and removed items down the split planes
 * (removed items by their vectors in the last commit), splits leaves that grow past the leaf
 * size, merges or drops leaves that shrink, and loads only the nodes on those paths. Used for
 * the first build too (an empty leaf receiving every item). Thread-confined.
 */
final class TreeUpdater {
    static final int MAX_DEPTH = 200;

    private final Splitter splitter;
    private final BuildSource src;
    private final SplittableRandom rnd;
    private final int splitAfter;
    private final int dims;
    private final BuildCommon common;
    /** Stored node ids this update made unreachable. */
    final IntList freed = new IntList(16);
    /** Removed ids that routing did not find (their old vector is unknown or moved). */
    final RoaringBitmap lost = new RoaringBitmap();
    private int polls;

    TreeUpdater(Splitter splitter, BuildSource src, SplittableRandom rnd, int splitAfter, int dims, BuildCommon common) {
        this.splitter = splitter;
        this.src = src;
        this.rnd = rnd;
        this.splitAfter = splitAfter;
        this.dims = dims;
        this.common = common;
    }

    private void poll() {
        if ((++polls & 15) == 0) {
            common.checkCancelled();
        }
    }

    /** Applies {@code ins} and {@code rem} below {@code node}; returns the node that replaces it. */
    BuildNode update(BuildNode node, IntList ins, IntList rem) {
        return update(node, ins, rem, 0);
    }

    private BuildNode update(BuildNode node, IntList ins, IntList rem, int depth) {
        if (ins.isEmpty() && rem.isEmpty()) {
            return node;
        }
        poll();
        if (node instanceof BuildNode.Stored s) {
            node = load(s.storedId);
        }
        if (node instanceof BuildNode.Leaf leaf) {
            return updateLeaf(leaf, ins, rem, depth);
        }
        BuildNode.Split split = (BuildNode.Split) node;
        splitter.prepare(split, src);
        IntList insL = new IntList(ins.size() / 2);
        IntList insR = new IntList(ins.size() / 2);
        for (int i = 0; i < ins.size(); i++) {
            int id = ins.get(i);
            (splitter.goesRight(split, src.item(id), src) ? insR : insL).add(id);
        }
        IntList remL = new IntList(4);
        IntList remR = new IntList(4);
        for (int i = 0; i < rem.size(); i++) {
            int id = rem.get(i);
            long old = src.committedItem(id);
            if (old == 0L) {
                lost.add(id);
            } else {
                (splitter.goesRight(split, old, src) ? remR : remL).add(id);
            }
        }
        BuildNode oldLeft = split.left;
        BuildNode oldRight = split.right;
        split.left = update(split.left, insL, remL, depth + 1);
        split.right = update(split.right, insR, remR, depth + 1);
        if (split.left != oldLeft || split.right != oldRight || split.left.storedId < 0 || split.right.storedId < 0) {
            split.dirty = true;
        }
        return tidy(split);
    }

    private BuildNode updateLeaf(BuildNode.Leaf leaf, IntList ins, IntList rem, int depth) {
        if (!rem.isEmpty()) {
            RoaringBitmap r = new RoaringBitmap();
            for (int i = 0; i < rem.size(); i++) {
                r.add(rem.get(i));
            }
            int w = 0;
            IntList ids = leaf.ids;
            for (int i = 0; i < ids.size; i++) {
                int id = ids.a[i];
                if (r.contains(id)) {
                    r.remove(id);
                } else {
                    ids.a[w++] = id;
                }
            }
            ids.size = w;
            lost.or(r);
        }
        leaf.ids.addAll(ins);
        leaf.dirty = true;
        if (leaf.ids.size() > splitAfter) {
            // Ids deleted in this transaction that routing could not find still sit here; they
            // have no vector to split on and are dropped now (the purge pass will not find them).
            IntList ids = leaf.ids;
            int w = 0;
            for (int i = 0; i < ids.size; i++) {
                if (src.item(ids.a[i]) != 0L) {
                    ids.a[w++] = ids.a[i];
                }
            }
            ids.size = w;
        }
        if (leaf.ids.size() > splitAfter) {
            BuildNode sub = buildSubtree(leaf.ids, depth);
            sub.storedId = leaf.storedId;
            sub.dirty = true;
            return sub;
        }
        return leaf;
    }

    /** Merges small sibling leaves and drops empty ones, so deletes do not leave a skeleton. */
    private BuildNode tidy(BuildNode.Split split) {
        BuildNode l = split.left;
        BuildNode r = split.right;
        if (l instanceof BuildNode.Leaf ll && ll.ids.isEmpty()) {
            free(ll);
            free(split);
            return r;
        }
        if (r instanceof BuildNode.Leaf rl && rl.ids.isEmpty()) {
            free(rl);
            free(split);
            return l;
        }
        // An underfull leaf next to an untouched sibling: look at the sibling (one read) to merge.
        if (l instanceof BuildNode.Leaf ll && r instanceof BuildNode.Stored && ll.ids.size() * 2 < splitAfter) {
            r = split.right = peekLeaf((BuildNode.Stored) r);
        } else if (r instanceof BuildNode.Leaf rl && l instanceof BuildNode.Stored && rl.ids.size() * 2 < splitAfter) {
            l = split.left = peekLeaf((BuildNode.Stored) l);
        }
        if (l instanceof BuildNode.Leaf ll && r instanceof BuildNode.Leaf rl && ll.ids.size() + rl.ids.size() <= splitAfter
                && (ll.dirty || rl.dirty)) {
            IntList merged = new IntList(ll.ids.size() + rl.ids.size());
            merged.addAll(ll.ids);
            merged.addAll(rl.ids);
            BuildNode.Leaf m = new BuildNode.Leaf(merged);
            m.storedId = split.storedId;
            free(ll);
            free(rl);
            return m;
        }
        return split;
    }

    private BuildNode peekLeaf(BuildNode.Stored s) {
        ByteBuffer v = src.node(s.storedId);
        if (v != null && v.remaining() > 1 && v.get(1) == TreeNodes.LEAF) {
            return load(s.storedId);
        }
        return s;
    }

    private void free(BuildNode n) {
        if (n.storedId >= 0 || n.storedId < -1) {
            freed.add(n.storedId);
        }
        n.storedId = -1;
    }

    /** Splits {@code ids} recursively until every leaf holds at most {@code splitAfter} items. */
    BuildNode buildSubtree(IntList ids, int depth) {
        poll();
        if (ids.size() <= splitAfter || depth >= MAX_DEPTH) {
            return new BuildNode.Leaf(ids);
        }
        BuildNode.Split split = splitter.createSplit(ids, src, rnd);
        if (split == null) {
            return new BuildNode.Leaf(ids);
        }
        IntList left = new IntList(ids.size() / 2 + 1);
        IntList right = new IntList(ids.size() / 2 + 1);
        boolean[] sides = split.sides;
        split.sides = null;
        if (sides == null) {
            splitter.prepare(split, src);
        }
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            boolean goRight = sides != null ? sides[i] : splitter.goesRight(split, src.item(id), src);
            (goRight ? right : left).add(id);
        }
        if (left.isEmpty() || right.isEmpty()) {
            return new BuildNode.Leaf(ids);
        }
        split.left = buildSubtree(left, depth + 1);
        split.right = buildSubtree(right, depth + 1);
        return split;
    }

    /** Decodes a stored node; its children stay unread. */
    BuildNode load(int nodeId) {
        ByteBuffer v = src.node(nodeId);
        if (v == null) {
            throw TreeNodes.corrupted(nodeId, "missing");
        }
        TreeNodes.check(v, nodeId, dims);
        long a = NativeMemory.address(v);
        BuildNode n;
        switch (v.get(1)) {
            case TreeNodes.LEAF -> {
                int count = TreeNodes.leafCount(a);
                IntList ids = new IntList(count + 1);
                for (int i = 0; i < count; i++) {
                    ids.add(TreeNodes.leafId(a, i));
                }
                n = new BuildNode.Leaf(ids);
            }
            case TreeNodes.PLANE, TreeNodes.PLANE8 -> {
                float[] normal = new float[dims];
                byte[] codes = null;
                float scale = 0f;
                if (v.get(1) == TreeNodes.PLANE8) {
                    codes = new byte[dims];
                    v.get(TreeNodes.CODES, codes);
                    scale = NativeMemory.getFloat(a + TreeNodes.SCALE);
                    PlaneSplitter.decode(codes, scale, normal);
                } else {
                    for (int i = 0; i < dims; i++) {
                        normal[i] = NativeMemory.getFloat(a + TreeNodes.NORMAL + 4L * i);
                    }
                }
                n = new BuildNode.Plane(normal, NativeMemory.getFloat(a + TreeNodes.OFFSET), NativeMemory.getFloat(a + TreeNodes.EXTRA), codes, scale);
            }
            default -> n = new BuildNode.Bit(NativeMemory.getInt(a + TreeNodes.BIT_INDEX));
        }
        if (n instanceof BuildNode.Split split) {
            split.left = new BuildNode.Stored(TreeNodes.left(a));
            split.right = new BuildNode.Stored(TreeNodes.right(a));
        }
        n.storedId = nodeId;
        n.dirty = false;
        return n;
    }

    /**
     * Removes {@code ids} wherever they sit, reading the whole tree: the slow path for removed
     * items whose old vectors could not route them (rare: an item built and deleted within one
     * write transaction, or a dot-product index whose largest norm grew).
     */
    BuildNode purge(BuildNode node, RoaringBitmap ids) {
        poll();
        if (node instanceof BuildNode.Stored s) {
            node = load(s.storedId);
        }
        if (node instanceof BuildNode.Leaf leaf) {
            int w = 0;
            for (int i = 0; i < leaf.ids.size; i++) {
                int id = leaf.ids.a[i];
                if (!ids.contains(id)) {
                    leaf.ids.a[w++] = id;
                }
            }
            if (w != leaf.ids.size) {
                leaf.ids.size = w;
                leaf.dirty = true;
            }
            return leaf;
        }
        BuildNode.Split split = (BuildNode.Split) node;
        BuildNode oldLeft = split.left;
        BuildNode oldRight = split.right;
        split.left = purge(split.left, ids);
        split.right = purge(split.right, ids);
        if (split.left != oldLeft || split.right != oldRight) {
            split.dirty = true;
        }
        return tidy(split);
    }

    /** Every stored node id of the subtree (for dropping a whole tree). */
    void collectIds(BuildNode node, IntList out) {
        if (node instanceof BuildNode.Stored s) {
            node = load(s.storedId);
        }
        if (node.storedId >= 0) {
            out.add(node.storedId);
        }
        if (node instanceof BuildNode.Split split) {
            collectIds(split.left, out);
            collectIds(split.right, out);
        }
    }
}
