package io.quiver.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;

/**
 * A read-only snapshot of a {@link Store}: sees the last commit made before it began and nothing
 * after, never blocks writers. Opened with {@code MDB_NOTLS}, so it may be handed to another thread
 * (one thread at a time). Close it promptly: an open snapshot pins old pages and delays map growth.
 *
 * <pre>{@code
 * try (ReadTxn txn = store.read()) {
 *     ForestReader reader = ForestReader.open(txn, 0);
 *     ...
 * }
 * }</pre>
 */
public final class ReadTxn extends Txn {
    ReadTxn(Store store, org.lmdbjava.Txn<ByteBuffer> txn) {
        super(store, txn);
    }

    /** Receives one value found by {@link #getWithLeafNeighbours}. */
    @FunctionalInterface
    public interface AddressVisitor {
        void visit(int id, long address);
    }

    /**
     * The address of the value under {@code [index][kind][id]} (0 when there is none), after
     * reporting to {@code neighbours} every other value of {@code kind} in {@code index} that
     * shares its B-tree leaf page and sits in overflow pages of its own ({@link
     * Store#isOverflowValue}), as {@code (id, address)} in key order.
     *
     * <p>One descent for up to ~150 addresses (4 KiB leaves of 7-byte keys): a caller that meets
     * most ids of a large range, such as an incremental HNSW build in a new process, replaces a
     * B-tree descent per id with a walk of a page it has already reached. The leaf is read in
     * LMDB's page format (the header of {@code mdb.c}'s {@code MDB_page}, nodes as
     * {@code MDB_node}), which a committed page of the map keeps for as long as this snapshot is
     * open; what is read is checked against LMDB's own answer for {@code id} (its page must start
     * where the key's page starts, and the page number it names must give the address LMDB
     * returned), and with any other page size or any mismatch only {@code id} is answered.
     *
     * <pre>{@code
     * long a = snapshot.getWithLeafNeighbours(index, KeyKind.ITEM, id, (other, address) -> cache.put(other, address));
     * }</pre>
     */
    public long getWithLeafNeighbours(int index, KeyKind kind, int id, AddressVisitor neighbours) {
        checkOpen();
        long keyAddress;
        long valueAddress;
        try (Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            if (!c.get(Keys.write(key2, index, kind, id), GetOp.MDB_SET_KEY)) {
                return 0;
            }
            keyAddress = NativeMemory.address(c.key());
            valueAddress = NativeMemory.address(c.val());
        } catch (LmdbException e) {
            throw failure(e, "reading");
        }
        if (store.pageSize() == LeafPage.SIZE && store.isOverflowValue(valueAddress)) {
            if (leaf == null) {
                leaf = new LeafPage();
            }
            leaf.visitOverflowValues(keyAddress, valueAddress, index, kind, store.mapSize(), neighbours);
        }
        return valueAddress;
    }

    private LeafPage leaf;

    /**
     * LMDB's id of the commit this snapshot reads. Two open snapshots with the same id (and the
     * same {@link Store#mapGeneration}) read the very same pages at the same addresses, which
     * stay put while either is open: what one found where can serve the other.
     */
    public long snapshotId() {
        checkOpen();
        return txn.getId();
    }

    /** {@link #user}'s value once LMDB's transaction is freed. */
    private static final Object RELEASED = new Object();
    private static final java.lang.invoke.VarHandle USER;

    static {
        try {
            USER = java.lang.invoke.MethodHandles.lookup().findVarHandle(ReadTxn.class, "user", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread between {@link #beginUse} and {@link #endUse}, null when none, {@link #RELEASED} at the end. */
    private volatile Object user;
    /** Nested uses of {@link #user} (only that thread reads or writes it). */
    private int depth;
    /** Set by {@link #close} called inside a use on the same thread: the use's end frees the transaction. */
    private boolean releaseAtEnd;

    /**
     * Marks the start of a call that reads this snapshot's memory through addresses kept from it,
     * such as a reader's search; {@link #endUse} must follow in a {@code finally}. Readers keep
     * LMDB addresses between calls, so without this a reader used after its transaction closed
     * read freed or unmapped memory: wrong answers, or the JVM killed by SIGSEGV once the store
     * closed or the map moved. Nested uses on one thread are fine.
     *
     * <pre>{@code
     * txn.beginUse();
     * try {
     *     return searchOn(txn);
     * } finally {
     *     txn.endUse();
     * }
     * }</pre>
     *
     * @throws IllegalStateException when the transaction is closed, or in use by another thread at
     *     the moment (a transaction serves one thread at a time: open one per thread)
     */
    public void beginUse() {
        Thread me = Thread.currentThread();
        if (user == me) {
            depth++;
            return;
        }
        if (closed) {
            throw new IllegalStateException("transaction is closed");
        }
        if (!USER.compareAndSet(this, null, me)) {
            Object other = user;
            throw new IllegalStateException(other == RELEASED ? "transaction is closed"
                    : "transaction is in use by another thread (" + (other instanceof Thread t ? t.getName() : "?")
                            + "): a transaction serves one thread at a time; open one per thread");
        }
        depth = 1;
        if (closed) {
            // closed by another thread between the check and the claim: that thread waits for this
            depth = 0;
            user = null;
            throw new IllegalStateException("transaction is closed");
        }
    }

    /**
     * Runs {@code read} between {@link #beginUse} and {@link #endUse}: the short form for calls off
     * a search's path (it takes a lambda, which the hot calls of the readers spell out instead).
     *
     * <pre>{@code
     * return txn.use(() -> statsOf(txn));
     * }</pre>
     */
    public <T> T use(java.util.function.Supplier<T> read) {
        beginUse();
        try {
            return read.get();
        } finally {
            endUse();
        }
    }

    /** Ends the use {@link #beginUse} began; frees the transaction when it was closed meanwhile by this thread. */
    public void endUse() {
        if (--depth > 0) {
            return;
        }
        user = null;
        if (releaseAtEnd) {
            releaseAtEnd = false;
            releaseWhenFree();
        }
    }

    /**
     * Closes the snapshot. When another thread is inside a use of it (a search), waits for that use
     * to end, as LMDB would otherwise free pages the search is reading; when this thread is (a
     * search's cancellation callback closing it), the use's end frees it.
     */
    @Override
    public void close() {
        if (user == RELEASED) {
            return;
        }
        closed = true;
        if (user == Thread.currentThread()) {
            releaseAtEnd = true;
            return;
        }
        releaseWhenFree();
    }

    /** Set once LMDB's transaction is freed and the store counts it closed. */
    private volatile boolean freed;

    private void releaseWhenFree() {
        long wait = 20_000;
        boolean interrupted = false;
        try {
            while (true) {
                Object u = user;
                if (u == RELEASED) {
                    if (freed) {
                        return; // another thread's close freed it
                    }
                } else if (u == null && USER.compareAndSet(this, null, RELEASED)) {
                    try {
                        txn.close();
                    } finally {
                        store.txnEnded();
                        freed = true;
                    }
                    return;
                }
                // a search on another thread (or another close) is under way: wait, backing off
                // to a millisecond, as a search may take that long
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                wait = Math.min(2 * wait, 1_000_000);
                // park returns at once while the flag is set: keep it for the caller, not for the loop
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
