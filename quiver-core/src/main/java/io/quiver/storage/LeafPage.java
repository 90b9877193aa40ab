package io.quiver.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads a committed LMDB leaf page in the format of LMDB 0.9's {@code mdb.c} (the one lmdbjava
 * bundles; the file format has not changed since 0.9.0): a 16-byte header
 * {@code [pgno u64][pad u16][flags u16][lower u16][upper u16]}, then {@code (lower - 16) / 2}
 * node offsets, each pointing at a node {@code [size lo u16][size hi u16][flags u16][key size u16][key][data]}
 * whose data, for a value in overflow pages ({@code F_BIGDATA}), is the first page's number.
 * Little-endian hosts only, like the rest of {@link NativeMemory}.
 *
 * <p>Only {@link ReadTxn#getWithLeafNeighbours} uses it, and only after LMDB itself has answered
 * for one key of the page: the page must be where that key lies, and the page number the page
 * gives for that key's value must point at the value LMDB returned. Anything else reads nothing.
 *
 * <p>The page is copied into a heap array first and parsed there: a process's first builds call
 * this a few hundred times, too few for the JIT's best tier, and below it reading the map through
 * {@link NativeMemory} cost ~100 µs a page against ~2 µs for the copy and the array reads.
 */
final class LeafPage {
    /** The only page size this reader handles (an overflow value then starts 16 bytes into a 4 KiB-aligned page). */
    static final int SIZE = 4096;
    private static final int HEADER = 16;
    private static final int P_LEAF = 0x02;
    private static final int F_BIGDATA = 0x01;

    private final byte[] page = new byte[SIZE];

    /**
     * Reports, in key order, the values of {@code kind} in {@code index} held in overflow pages by
     * the leaf page that contains {@code keyAddress}, skipping the key at {@code keyAddress}
     * itself, whose value LMDB returned at {@code valueAddress}. Reads nothing when the page does
     * not check out (see the class comment), or when a page number falls outside a map of
     * {@code mapBytes}.
     */
    void visitOverflowValues(long keyAddress, long valueAddress, int index, KeyKind kind, long mapBytes, ReadTxn.AddressVisitor visitor) {
        long pageAddress = keyAddress & -SIZE;
        MemorySegment.copy(NativeMemory.ALL, ValueLayout.JAVA_BYTE, pageAddress, page, 0, SIZE);
        if (u16(10) != P_LEAF) {
            return;
        }
        long mapBase = pageAddress - u64(0) * SIZE;
        long pages = mapBytes / SIZE;
        int lower = u16(12);
        int keys = (lower - HEADER) >>> 1;
        int asked = (int) (keyAddress - pageAddress) - 8;
        if (keys <= 0 || lower > SIZE) {
            return;
        }
        boolean confirmed = false;
        for (int i = 0; i < keys; i++) {
            int node = node(i, lower);
            if (node < 0) {
                return;
            }
            if (node == asked) {
                confirmed = isOverflow(node) && address(mapBase, node, pages) == valueAddress;
                if (!confirmed) {
                    return;
                }
            }
        }
        if (!confirmed) {
            return;
        }
        byte kindCode = kind.code();
        for (int i = 0; i < keys; i++) {
            int node = node(i, lower);
            if (node == asked || !isOverflow(node) || u16(node + 6) != Keys.SIZE) {
                continue;
            }
            int key = node + 8;
            if (((page[key] & 0xFF) << 8 | page[key + 1] & 0xFF) != index || page[key + 2] != kindCode) {
                continue;
            }
            long a = address(mapBase, node, pages);
            if (a != 0) {
                int id = (page[key + 3] & 0xFF) << 24 | (page[key + 4] & 0xFF) << 16 | (page[key + 5] & 0xFF) << 8 | page[key + 6] & 0xFF;
                visitor.visit(id, a);
            }
        }
    }

    /**
     * The offset of node {@code i}, or -1 when the node would not lie between the offsets and the
     * page's end with its header, its key and its data (a page number when the value is in
     * overflow pages, else the value itself).
     */
    private int node(int i, int lower) {
        int offset = u16(HEADER + 2 * i);
        if (offset < lower || offset + 8 > SIZE) {
            return -1;
        }
        long end = offset + 8L + u16(offset + 6) + (isOverflow(offset) ? 8 : u16(offset) | (long) u16(offset + 2) << 16);
        return end <= SIZE ? offset : -1;
    }

    private boolean isOverflow(int node) {
        return (u16(node + 4) & F_BIGDATA) != 0;
    }

    /** The address of a big node's value, or 0 when its page number lies outside the map. */
    private long address(long mapBase, int node, long pages) {
        long pgno = u64(node + 8 + u16(node + 6));
        return pgno > 0 && pgno < pages ? mapBase + pgno * SIZE + HEADER : 0;
    }

    private int u16(int offset) {
        return page[offset] & 0xFF | (page[offset + 1] & 0xFF) << 8;
    }

    private long u64(int offset) {
        return u16(offset) & 0xFFFFL | (u16(offset + 2) & 0xFFFFL) << 16 | (u16(offset + 4) & 0xFFFFL) << 32 | (long) u16(offset + 6) << 48;
    }
}
