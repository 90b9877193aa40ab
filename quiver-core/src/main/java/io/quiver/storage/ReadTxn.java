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
            throw LmdbErrors.translate(e, store.directory(), "reading");
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

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                txn.close();
            } finally {
                store.txnEnded();
            }
        }
    }
}
