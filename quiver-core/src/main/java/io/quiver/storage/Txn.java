package io.quiver.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;

/**
 * A transaction on a {@link Store}: the operations shared by {@link ReadTxn} and {@link WriteTxn}.
 * Not thread-safe: one thread at a time (a read transaction may move between threads). Buffers
 * returned by {@code get} are views of LMDB's memory, valid until the next operation on this
 * transaction; their {@link NativeMemory#address address} stays valid in a read transaction until
 * it closes.
 */
public abstract sealed class Txn implements AutoCloseable permits ReadTxn, WriteTxn {
    final Store store;
    final org.lmdbjava.Txn<ByteBuffer> txn;
    final Dbi<ByteBuffer> dbi;
    private final ByteBuffer key = ByteBuffer.allocateDirect(Keys.SIZE_WITH_LEVEL);
    /** Scratch key for positioning cursors (scans, listings, leaf reads). */
    final ByteBuffer key2 = ByteBuffer.allocateDirect(Keys.SIZE_WITH_LEVEL);
    /** Volatile: a {@link ReadTxn} may be closed by another thread than the one using it. */
    volatile boolean closed;

    Txn(Store store, org.lmdbjava.Txn<ByteBuffer> txn) {
        this.store = store;
        this.txn = txn;
        this.dbi = store.dbi();
    }

    public Store store() {
        return store;
    }

    /** The value stored under {@code [index][kind][id]}, or null. */
    public ByteBuffer get(int index, KeyKind kind, int id) {
        return getRaw(Keys.write(key, index, kind, id));
    }

    /** The value stored under {@code [index][kind][id][level]}, or null. */
    public ByteBuffer get(int index, KeyKind kind, int id, int level) {
        return getRaw(Keys.write(key, index, kind, id, level));
    }

    /** Looks up a raw key (a direct buffer). */
    public ByteBuffer getRaw(ByteBuffer rawKey) {
        checkOpen();
        try {
            ByteBuffer v = dbi.get(txn, rawKey);
            return v == null ? null : v.order(ByteOrder.LITTLE_ENDIAN);
        } catch (LmdbException e) {
            throw failure(e, "reading");
        }
    }

    /** Whether {@code [index][kind][id]} exists. */
    public boolean exists(int index, KeyKind kind, int id) {
        return get(index, kind, id) != null;
    }

    /** Receives one entry of a range scan; return false to stop. */
    @FunctionalInterface
    public interface EntryVisitor {
        boolean visit(int id, int level, ByteBuffer value);
    }

    /**
     * Visits every entry of {@code kind} in {@code index} whose id is {@code >= fromId} (unsigned),
     * in ascending id order. Cost is proportional to the entries visited, not to the store.
     */
    public void scan(int index, KeyKind kind, int fromId, EntryVisitor visitor) {
        checkOpen();
        try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            Keys.write(key2, index, kind, fromId);
            if (!c.get(key2, GetOp.MDB_SET_RANGE)) {
                return;
            }
            do {
                ByteBuffer k = c.key();
                if (k.remaining() < Keys.SIZE || Keys.index(k) != index || k.get(2) != kind.code()) {
                    return;
                }
                ByteBuffer v = c.val().order(ByteOrder.LITTLE_ENDIAN);
                if (!visitor.visit(Keys.id(k), Keys.level(k), v)) {
                    return;
                }
            } while (c.next());
        } catch (LmdbException e) {
            throw failure(e, "scanning");
        }
    }

    /** Visits every entry of {@code kind} in {@code index}. */
    public void scan(int index, KeyKind kind, EntryVisitor visitor) {
        scan(index, kind, 0, visitor);
    }

    /** Index numbers that have metadata in this store, ascending. */
    public java.util.List<Integer> indexes() {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        checkOpen();
        try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            int next = 0;
            while (next <= Keys.MAX_INDEX) {
                Keys.write(key2, next, KeyKind.METADATA, 0);
                if (!c.get(key2, GetOp.MDB_SET_RANGE)) {
                    break;
                }
                int idx = Keys.index(c.key());
                if (idx > Keys.MAX_INDEX) {
                    break;
                }
                if (c.key().get(2) == KeyKind.METADATA.code()) {
                    out.add(idx);
                }
                next = idx + 1;
            }
        } catch (LmdbException e) {
            throw failure(e, "listing indexes");
        }
        return out;
    }

    /** What a failed LMDB call of this transaction throws (see {@link WriteTxn}'s, which remembers a full map). */
    QuiverException failure(LmdbException e, String action) {
        return LmdbErrors.translate(e, store.directory(), action);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("transaction is closed");
        }
    }

    public boolean isOpen() {
        return !closed;
    }
}
