package io.quiver.index.forest;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import java.nio.ByteBuffer;

/**
 * The tree node codec. Every node starts with {@code [version u8][type u8]}:
 * <ul>
 *   <li>{@code LEAF}: {@code [count u32][item ids u32 * count]} — the descendants of a subtree,
 *       read in place (a plain array beats a Roaring bitmap for leaves of a few hundred ids);</li>
 *   <li>{@code PLANE}: {@code [left u32][right u32][offset f32][extra f32][normal f32 * dims]} —
 *       items with {@code normal·x + offset + extra·x_extra > 0} go right ({@code x_extra} is the
 *       dot-product transform's extra component, 0 for other distances and for queries);</li>
 *   <li>{@code PLANE8}: {@code [left u32][right u32][offset f32][extra f32][scale f32][codes i8 * dims]} —
 *       a plane whose normal is {@code scale·codes[i]}: what builds create. A quarter of the bytes
 *       of {@code PLANE}, stored inline in LMDB's pages (up to about 2,000 dimensions with 4 KiB
 *       pages) instead of an overflow page each, so a search step reads 13 cache lines instead of
 *       50 at 784 dimensions. The normal that routes items is exactly those products (computed as
 *       floats the same way by builds and updates), so an item is still found where it was put;
 *       searches take {@code scale·dot(q, codes)}, equal up to rounding;</li>
 *   <li>{@code BIT}: {@code [left u32][right u32][bit u32]} — bit vectors with the bit set go right.</li>
 * </ul>
 * {@code PLANE} nodes are no longer created; indexes built before {@code PLANE8} existed hold them,
 * stay readable and updatable, and keep them (an update rewrites a float plane as a float plane).
 */
final class TreeNodes {
    static final byte VERSION = 1;
    static final byte LEAF = 0;
    static final byte PLANE = 1;
    static final byte BIT = 2;
    static final byte PLANE8 = 3;

    static final int LEAF_COUNT = 2;
    static final int LEAF_IDS = 6;
    static final int LEFT = 2;
    static final int RIGHT = 6;
    static final int OFFSET = 10;
    static final int EXTRA = 14;
    static final int NORMAL = 18;
    static final int BIT_INDEX = 10;
    static final int SCALE = 18;
    static final int CODES = 22;

    private TreeNodes() {}

    static int leafBytes(int count) {
        return LEAF_IDS + 4 * count;
    }

    static int planeBytes(int dims) {
        return NORMAL + 4 * dims;
    }

    static int plane8Bytes(int dims) {
        return CODES + dims;
    }

    /** Bytes of a split node of {@code type}. */
    static int splitBytes(byte type, int dims) {
        return switch (type) {
            case PLANE -> planeBytes(dims);
            case PLANE8 -> plane8Bytes(dims);
            default -> bitBytes();
        };
    }

    static int bitBytes() {
        return BIT_INDEX + 4;
    }

    static byte type(long node) {
        return NativeMemory.getByte(node + 1);
    }

    static int leafCount(long node) {
        return NativeMemory.getInt(node + LEAF_COUNT);
    }

    static int leafId(long node, int i) {
        return NativeMemory.getInt(node + LEAF_IDS + 4L * i);
    }

    static int left(long node) {
        return NativeMemory.getInt(node + LEFT);
    }

    static int right(long node) {
        return NativeMemory.getInt(node + RIGHT);
    }

    /** Checks the header and size of a stored node; throws CORRUPTED otherwise. */
    static void check(ByteBuffer v, int nodeId, int dims) {
        int n = v.remaining();
        if (n < 2 || v.get(0) != VERSION) {
            throw corrupted(nodeId, "bad header");
        }
        switch (v.get(1)) {
            case LEAF -> {
                // long arithmetic: a count of 2^30 + c would otherwise pass as c (4 * count overflows)
                if (n < LEAF_IDS || n != LEAF_IDS + 4L * v.getInt(LEAF_COUNT)) {
                    throw corrupted(nodeId, "leaf of " + n + " bytes" + (n < LEAF_IDS ? "" : " claims " + v.getInt(LEAF_COUNT) + " ids"));
                }
            }
            case PLANE -> {
                if (n != planeBytes(dims)) {
                    throw corrupted(nodeId, "split plane of " + n + " bytes for " + dims + " dimensions");
                }
            }
            case PLANE8 -> {
                if (n != plane8Bytes(dims)) {
                    throw corrupted(nodeId, "int8 split plane of " + n + " bytes for " + dims + " dimensions");
                }
                if (!Float.isFinite(v.getFloat(SCALE)) || v.getFloat(SCALE) < 0f) {
                    throw corrupted(nodeId, "int8 split plane with scale " + v.getFloat(SCALE));
                }
            }
            case BIT -> {
                if (n != bitBytes()) {
                    throw corrupted(nodeId, "bit split of " + n + " bytes");
                }
            }
            default -> throw corrupted(nodeId, "unknown node type " + v.get(1));
        }
    }

    static QuiverException corrupted(int nodeId, String what) {
        return new QuiverException(ErrorKind.CORRUPTED, "tree node " + Integer.toUnsignedString(nodeId) + " is corrupted: " + what);
    }
}
