package io.quiver.index.forest;

import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Txn;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

/**
 * Where one build thread reads vectors and nodes, in place. Items inserted by the current write
 * transaction are found through {@code overlay} (their addresses, collected from the write
 * transaction before the parallel phase, stay valid while nothing is written); everything else
 * through this thread's own snapshot of the last commit. A build that follows another build in
 * the same write transaction reads everything from the write transaction, on one thread.
 */
final class BuildSource implements AutoCloseable {
    private final int index;
    private final Txn current;
    private final ReadTxn committed;
    private final boolean ownsCommitted;
    private final VectorTable overlay;
    private final Arena arena = Arena.ofConfined();
    /** Addresses already looked up: a build touches each item many times, a B-tree lookup costs ~1 µs. */
    private final io.quiver.index.IntLongMap cache = new io.quiver.index.IntLongMap(1 << 12);
    private final long scratch;

    BuildSource(int index, Txn current, ReadTxn committed, boolean ownsCommitted, VectorTable overlay, int scratchBytes) {
        this.index = index;
        this.current = current;
        this.committed = committed;
        this.ownsCommitted = ownsCommitted;
        this.overlay = overlay;
        this.scratch = arena.allocate(Math.max(64, scratchBytes), 64).address();
    }

    /** The current item bytes of {@code id}, or 0. */
    long item(int id) {
        if (overlay != null) {
            long a = overlay.get(id);
            if (a != 0L) {
                return a;
            }
        }
        long a = cache.get(id, 0L);
        if (a != 0L) {
            return a;
        }
        ByteBuffer v = current.get(index, KeyKind.ITEM, id);
        if (v == null) {
            return 0L;
        }
        a = NativeMemory.address(v);
        cache.put(id, a);
        return a;
    }

    /** The item bytes of {@code id} in the last commit (for routing removed items), or 0. */
    long committedItem(int id) {
        ByteBuffer v = committed.get(index, KeyKind.ITEM, id);
        return v == null ? 0L : NativeMemory.address(v);
    }

    /** The stored node, or null. */
    ByteBuffer node(int nodeId) {
        return current.get(index, KeyKind.TREE_NODE, nodeId);
    }

    /** Thread-private native scratch memory. */
    long scratch() {
        return scratch;
    }

    @Override
    public void close() {
        arena.close();
        if (ownsCommitted) {
            committed.close();
        }
    }
}
