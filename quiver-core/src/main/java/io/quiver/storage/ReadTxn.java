package io.quiver.storage;

import java.nio.ByteBuffer;

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
