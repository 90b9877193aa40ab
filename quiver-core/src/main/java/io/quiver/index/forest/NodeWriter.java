package io.quiver.index.forest;

import io.quiver.index.ConcurrentNodeIds;
import io.quiver.storage.KeyKind;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes the nodes a build changed, children first (a parent stores its children's ids), reusing
 * a node's stored id when it has one and handing out fresh ids otherwise. Runs on the writer thread
 * in tree order, so the same input and seed give the same node ids.
 */
final class NodeWriter {
    private final WriteTxn txn;
    private final int index;
    private final int dims;
    private final ConcurrentNodeIds ids;
    private final RoaringBitmap used;

    NodeWriter(WriteTxn txn, int index, int dims, ConcurrentNodeIds ids, RoaringBitmap used) {
        this.txn = txn;
        this.index = index;
        this.dims = dims;
        this.ids = ids;
        this.used = used;
    }

    /** Writes {@code node}'s changed subtree; returns its node id. */
    int write(BuildNode node) {
        if (node instanceof BuildNode.Stored) {
            return node.storedId;
        }
        int left = 0;
        int right = 0;
        if (node instanceof BuildNode.Split s) {
            left = write(s.left);
            right = write(s.right);
        }
        if (!node.dirty && node.storedId != -1) {
            return node.storedId;
        }
        int id = node.storedId != -1 ? node.storedId : ids.next();
        used.add(id);
        node.storedId = id;
        node.dirty = false;
        switch (node) {
            case BuildNode.Leaf leaf -> {
                ByteBuffer out = txn.reserve(index, KeyKind.TREE_NODE, id, TreeNodes.leafBytes(leaf.ids.size()));
                out.put(0, TreeNodes.VERSION);
                out.put(1, TreeNodes.LEAF);
                out.putInt(TreeNodes.LEAF_COUNT, leaf.ids.size());
                for (int i = 0; i < leaf.ids.size(); i++) {
                    out.putInt(TreeNodes.LEAF_IDS + 4 * i, leaf.ids.get(i));
                }
            }
            case BuildNode.Plane p when p.codes != null -> {
                ByteBuffer out = split(id, TreeNodes.PLANE8, TreeNodes.plane8Bytes(dims), left, right);
                out.putFloat(TreeNodes.OFFSET, p.offset);
                out.putFloat(TreeNodes.EXTRA, p.extra);
                out.putFloat(TreeNodes.SCALE, p.scale);
                out.put(TreeNodes.CODES, p.codes);
            }
            case BuildNode.Plane p -> {
                // a float plane of an index built before PLANE8, rewritten as it was (its children changed)
                ByteBuffer out = split(id, TreeNodes.PLANE, TreeNodes.planeBytes(dims), left, right);
                out.putFloat(TreeNodes.OFFSET, p.offset);
                out.putFloat(TreeNodes.EXTRA, p.extra);
                for (int i = 0; i < dims; i++) {
                    out.putFloat(TreeNodes.NORMAL + 4 * i, p.normal[i]);
                }
            }
            case BuildNode.Bit b -> {
                ByteBuffer out = split(id, TreeNodes.BIT, TreeNodes.bitBytes(), left, right);
                out.putInt(TreeNodes.BIT_INDEX, b.bit);
            }
            case BuildNode.Stored st -> throw new IllegalStateException();
        }
        return id;
    }

    /** Reserves a split node of {@code type} and writes the header every split shares. */
    private ByteBuffer split(int id, byte type, int bytes, int left, int right) {
        ByteBuffer out = txn.reserve(index, KeyKind.TREE_NODE, id, bytes);
        out.put(0, TreeNodes.VERSION);
        out.put(1, type);
        out.putInt(TreeNodes.LEFT, left);
        out.putInt(TreeNodes.RIGHT, right);
        return out;
    }
}
