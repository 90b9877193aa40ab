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
 * measures on int8 codes, each copy is the code followed by the item: neighbours are read as codes
 * (dense, random access), and the item serves once as the exact query that inserts the node.
 * Bump-allocated in
 * large chunks of one shared arena, freed together when the build ends.
 */
final class VectorCopies implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int itemBytes;
    /** When not null, the copies are the items' int8 codes, a quarter of their size. */
    private final ScalarQuantizer codes;
    private final int copyBytes;
    private final long chunkBytes;
    private long chunk;
    private long used;
    private long left;

    VectorCopies(int itemBytes, ScalarQuantizer codes, long expectedItems) {
        this.itemBytes = itemBytes;
        this.codes = codes;
        this.copyBytes = codes == null ? itemBytes : codes.codeBytes() + itemBytes;
        long want = Math.max(1, Math.min(expectedItems, 1L << 16));
        this.chunkBytes = Math.max(1 << 16, want * copyBytes);
    }

    /**
     * Copies the item {@code id} from the write transaction; returns the copy's address (of the
     * code, with the item {@link ScalarQuantizer#codeBytes()} later, when the build uses codes).
     */
    long copy(WriteTxn txn, int index, int id) {
        ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
        if (v == null || v.remaining() != itemBytes) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " is missing or malformed");
        }
        if (left < copyBytes) {
            MemorySegment s = arena.allocate(chunkBytes, 16);
            chunk = s.address();
            used = 0;
            left = chunkBytes;
        }
        long dst = chunk + used;
        if (codes != null) {
            codes.encodeItem(NativeMemory.address(v), dst);
            MemorySegment.copy(NativeMemory.ALL, NativeMemory.address(v), NativeMemory.ALL, dst + codes.codeBytes(), itemBytes);
        } else {
            MemorySegment.copy(NativeMemory.ALL, NativeMemory.address(v), NativeMemory.ALL, dst, itemBytes);
        }
        used += copyBytes;
        left -= copyBytes;
        return dst;
    }

    @Override
    public void close() {
        arena.close();
    }
}
