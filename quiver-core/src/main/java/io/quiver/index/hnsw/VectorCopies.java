package io.quiver.index.hnsw;

import io.quiver.distance.ScalarQuantizer;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.WriteTxn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Off-heap copies of the item bytes that worker threads cannot see through their read
 * transactions (items written by the current, uncommitted write transaction). When the build
 * measures on int8 codes, each item also gets its code, in a region of its own: the workers read
 * neighbours' codes in random order, so the codes are kept dense (a quarter of the bytes, several
 * to a page), and the item serves once, as the exact query that inserts its node. Bump-allocated
 * in large chunks of one shared arena, freed together when the build ends.
 */
final class VectorCopies implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int itemBytes;
    /** When not null, {@link #copy} also writes the item's code and returns its address. */
    private final ScalarQuantizer codes;
    private final Region items;
    private final Region codeRegion;
    private long lastItem;

    /** One bump allocator of fixed-size records. */
    private final class Region {
        private final int recordBytes;
        private final long chunkBytes;
        private long next;
        private long left;

        Region(int recordBytes, long expected) {
            this.recordBytes = recordBytes;
            this.chunkBytes = Math.max(1 << 16, Math.max(1, Math.min(expected, 1L << 16)) * recordBytes);
        }

        long allocate() {
            if (left < recordBytes) {
                next = arena.allocate(chunkBytes, 16).address();
                left = chunkBytes;
            }
            long a = next;
            next += recordBytes;
            left -= recordBytes;
            return a;
        }
    }

    VectorCopies(int itemBytes, ScalarQuantizer codes, long expectedItems) {
        this.itemBytes = itemBytes;
        this.codes = codes;
        this.items = new Region(itemBytes, expectedItems);
        this.codeRegion = codes == null ? null : new Region(codes.codeBytes(), expectedItems);
    }

    /**
     * Copies the item {@code id} from the write transaction; returns the address the build
     * measures with: the item's code when the build uses codes, else the item copy.
     */
    long copy(WriteTxn txn, int index, int id) {
        ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
        if (v == null || v.remaining() != itemBytes) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " is missing or malformed");
        }
        long src = NativeMemory.address(v);
        lastItem = items.allocate();
        MemorySegment.copy(NativeMemory.ALL, src, NativeMemory.ALL, lastItem, itemBytes);
        if (codes == null) {
            return lastItem;
        }
        long code = codeRegion.allocate();
        codes.encodeItem(src, code);
        return code;
    }

    /** The item copy made by the last {@link #copy}. */
    long lastItem() {
        return lastItem;
    }

    @Override
    public void close() {
        arena.close();
    }
}
