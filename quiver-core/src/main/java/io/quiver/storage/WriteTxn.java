package io.quiver.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;

/**
 * The single write transaction of a {@link Store}. Changes become visible to readers atomically at
 * {@link #commit()}; closing without commit discards them. Use it from one thread only.
 */
public final class WriteTxn extends Txn {
    private final ByteBuffer wkey = ByteBuffer.allocateDirect(Keys.SIZE_WITH_LEVEL);
    private ByteBuffer valueScratch = ByteBuffer.allocateDirect(4096);
    private boolean committed;
    private boolean commitAttempted;
    private boolean lastAppended;
    /** Whether LMDB reported a full map in this transaction (see {@link #failure}). */
    private boolean mapFilled;
    private long metadataVersion;
    private final java.util.Set<Integer> builtIndexes = new java.util.HashSet<>();
    private final java.util.List<Runnable> afterCommit = new java.util.ArrayList<>();

    /** The thread that began it (LMDB's write transactions belong to one thread). */
    private final Thread owner = Thread.currentThread();

    WriteTxn(Store store, org.lmdbjava.Txn<ByteBuffer> txn) {
        super(store, txn);
    }

    /**
     * Reserves {@code size} bytes under the key and returns a little-endian buffer to fill before
     * the next operation on this transaction: the value is written in place, without a copy.
     */
    public ByteBuffer reserve(int index, KeyKind kind, int id, int size) {
        return reserveRaw(Keys.write(wkey, index, kind, id), size, false);
    }

    /** Like {@link #reserve(int, KeyKind, int, int)} for a key with a level suffix. */
    public ByteBuffer reserve(int index, KeyKind kind, int id, int level, int size) {
        return reserveRaw(Keys.write(wkey, index, kind, id, level), size, false);
    }

    /**
     * Reserves a value for a key known to sort after every existing key ({@code MDB_APPEND}): bulk
     * loading in ascending id order fills pages completely and skips the B-tree search. Falls back
     * to a normal insert when the key is not the last one.
     */
    public ByteBuffer reserveAppend(int index, KeyKind kind, int id, int size) {
        return reserveRaw(Keys.write(wkey, index, kind, id), size, true);
    }

    private ByteBuffer reserveRaw(ByteBuffer k, int size, boolean append) {
        checkOpen();
        try {
            lastAppended = false;
            if (append) {
                try {
                    ByteBuffer b = dbi.reserve(txn, k, size, PutFlags.MDB_APPEND).order(ByteOrder.LITTLE_ENDIAN);
                    lastAppended = true;
                    return b;
                } catch (Dbi.KeyExistsException notLast) {
                    // MDB_APPEND refuses a key that is not the largest: insert it normally.
                }
            }
            return dbi.reserve(txn, k, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (LmdbException e) {
            throw failure(e, "writing");
        }
    }

    /** Whether the last {@link #reserveAppend} really appended (false: the key was not the largest). */
    public boolean lastReserveAppended() {
        return lastAppended;
    }

    /** Stores {@code value} (bytes position..limit) under the key. */
    public void put(int index, KeyKind kind, int id, ByteBuffer value) {
        ByteBuffer out = reserve(index, kind, id, value.remaining());
        out.put(value.duplicate());
    }

    /** Stores {@code value} under the key with a level suffix. */
    public void put(int index, KeyKind kind, int id, int level, ByteBuffer value) {
        ByteBuffer out = reserve(index, kind, id, level, value.remaining());
        out.put(value.duplicate());
    }

    /** Stores a byte array. */
    public void put(int index, KeyKind kind, int id, byte[] value) {
        ByteBuffer out = reserve(index, kind, id, value.length);
        out.put(value);
    }

    /** A reusable heap-free scratch buffer of at least {@code size} bytes for building values. */
    public ByteBuffer scratch(int size) {
        if (valueScratch.capacity() < size) {
            valueScratch = ByteBuffer.allocateDirect(Math.max(size, valueScratch.capacity() * 2));
        }
        valueScratch.clear().limit(size);
        return valueScratch.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Deletes the key; returns whether it existed. */
    public boolean delete(int index, KeyKind kind, int id) {
        return deleteRaw(Keys.write(wkey, index, kind, id));
    }

    /** Deletes the key with a level suffix. */
    public boolean delete(int index, KeyKind kind, int id, int level) {
        return deleteRaw(Keys.write(wkey, index, kind, id, level));
    }

    private boolean deleteRaw(ByteBuffer k) {
        checkOpen();
        try {
            return dbi.delete(txn, k);
        } catch (LmdbException e) {
            throw failure(e, "deleting");
        }
    }

    /** Deletes every key of {@code kind} in {@code index}; returns how many. */
    public long deleteAll(int index, KeyKind kind) {
        checkOpen();
        long n = 0;
        try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            Keys.write(wkey, index, kind, 0);
            if (!c.get(wkey, GetOp.MDB_SET_RANGE)) {
                return 0;
            }
            while (true) {
                ByteBuffer k = c.key();
                if (k.remaining() < Keys.SIZE || Keys.index(k) != index || k.get(2) != kind.code()) {
                    break;
                }
                c.delete();
                n++;
                // After a delete the cursor sits on the next entry, or past the end.
                if (!c.get(wkey, GetOp.MDB_SET_RANGE)) {
                    break;
                }
            }
        } catch (LmdbException e) {
            throw failure(e, "deleting");
        }
        return n;
    }

    /**
     * Records that a build rewrote {@code index} in this transaction: from then on the last commit
     * no longer shows its structure, and a later build in the same transaction must read it from
     * this transaction rather than from parallel snapshots.
     */
    public void markBuilt(int index) {
        builtIndexes.add(index);
    }

    /**
     * Counts the index metadata rewrites of this transaction, so that a writer opened earlier in
     * it sees that another writer converted, cleared or dropped its index since.
     */
    public long metadataVersion() {
        return metadataVersion;
    }

    /** Called by whoever rewrites or deletes an index's metadata record. */
    public void metadataChanged() {
        metadataVersion++;
    }

    /** Whether a build already ran on {@code index} in this transaction. */
    public boolean builtInThisTxn(int index) {
        return builtIndexes.contains(index);
    }

    /** Makes every change of this transaction durable and visible, then closes it. */
    public void commit() {
        checkOpen();
        try {
            // LMDB frees the transaction even when the commit fails (e.g. ENOSPC): never abort it after
            commitAttempted = true;
            txn.commit();
            committed = true;
        } catch (LmdbException e) {
            throw failure(e, "committing");
        } finally {
            close();
        }
        for (Runnable r : afterCommit) {
            r.run();
        }
    }

    /**
     * Runs {@code action} once this transaction has committed (never when it aborts or its commit
     * fails), on the committing thread.
     *
     * <pre>{@code
     * long id = txn.id();
     * txn.afterCommit(() -> cache.confirm(id)); // the cache now matches commit `id`
     * }</pre>
     */
    public void afterCommit(Runnable action) {
        checkOpen();
        afterCommit.add(action);
    }

    /**
     * LMDB fails the whole transaction when the map fills up: every later call and the commit
     * then return {@code MDB_BAD_TXN}. When the {@code MAP_FULL} was caught inside the
     * transaction (a loop that logs and skips a failed add, say), that code said only "Transaction
     * must abort" and {@link Store#write} gave up instead of growing the map and running the work
     * again. Those failures are reported as the full map they follow from.
     */
    @Override
    QuiverException failure(LmdbException e, String action) {
        QuiverException q = super.failure(e, action);
        if (q.kind() == ErrorKind.MAP_FULL) {
            mapFilled = true;
        } else if (mapFilled && e instanceof org.lmdbjava.Txn.BadException) { // lmdbjava's MDB_BAD_TXN
            return new QuiverException(ErrorKind.MAP_FULL, "LMDB map filled up earlier in this transaction (its MAP_FULL error was caught inside it),"
                    + " and LMDB refuses the rest of a failed transaction, here " + action + " (" + store.directory() + ")", e);
        }
        return q;
    }

    /** LMDB's id of this transaction: one more than the last committed one. */
    public long id() {
        return txn.getId();
    }

    /** Discards every change of this transaction and closes it. */
    public void abort() {
        close();
    }

    public boolean committed() {
        return committed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                if (!committed && !commitAttempted) {
                    txn.abort();
                }
                txn.close();
            } finally {
                store.writeEnded(owner);
                store.txnEnded();
            }
        }
    }
}
