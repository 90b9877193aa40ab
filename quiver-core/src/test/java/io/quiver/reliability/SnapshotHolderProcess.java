package io.quiver.reliability;

import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.nio.file.Path;

/**
 * A process that opens a store read-only, takes one snapshot, prints {@code HOLDING} and then
 * sleeps until it is killed: {@link ReaderSlotsTest} kills it with SIGKILL, which gives LMDB no
 * chance to free the snapshot's reader slot.
 *
 * <p>Arguments: store directory; with a second argument {@code count}, it opens the store,
 * prints {@code READERS n} ({@link Store#readers}) and exits instead.
 */
public final class SnapshotHolderProcess {
    private SnapshotHolderProcess() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("count")) {
            // another process's view: it frees the slots of processes it finds dead, then counts
            try (Store store = Store.open(Path.of(args[0]))) {
                System.out.println("READERS " + store.readers());
            }
            return;
        }
        try (Store store = Store.open(Path.of(args[0]), StoreOptions.builder().readOnly(true).create(false).build());
                ReadTxn txn = store.read()) {
            System.out.println("HOLDING " + txn.hashCode());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
