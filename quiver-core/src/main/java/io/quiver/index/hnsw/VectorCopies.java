package io.quiver.index.hnsw;

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
 * transactions (items written by the current, uncommitted write transaction). Bump-allocated in
 * large chunks of one shared arena, freed together when the build ends.
 */
final class VectorCopies implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int itemBytes;
    private final long chunkBytes;
    private long chunk;
    private long used;
    private long left;

    VectorCopies(int itemBytes, long expectedItems) {
        this.itemBytes = itemBytes;
        long want = Math.max(1, Math.min(expectedItems, 1L << 16));
        this.chunkBytes = Math.max(1 << 16, want * itemBytes);
    }

    /** Copies the item {@code id} from the write transaction; returns the copy's address. */
    long copy(WriteTxn txn, int index, int id) {
        ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
        if (v == null || v.remaining() != itemBytes) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " is missing or malformed");
        }
        if (left < itemBytes) {
            MemorySegment s = arena.allocate(chunkBytes, 16);
            chunk = s.address();
            used = 0;
            left = chunkBytes;
        }
        long dst = chunk + used;
        MemorySegment.copy(NativeMemory.ALL, NativeMemory.address(v), NativeMemory.ALL, dst, itemBytes);
        used += itemBytes;
        left -= itemBytes;
        return dst;
    }

    @Override
    public void close() {
        arena.close();
    }
}
