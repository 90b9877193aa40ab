package io.quiver.reliability;

import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process that opens a store read-only and reads all of it: every index's forest is
 * checked and searched. Prints one line and exits: {@code OK items=N problems=P} (0),
 * {@code QUIVER <kind> <message>} (3) or {@code OTHER <exception>} (4). A crash (SIGSEGV, SIGBUS
 * in native code) shows as another exit code, which is what the tests that run it look for:
 * corrupt files must never crash the JVM.
 */
public final class StoreProbe {
    private StoreProbe() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        try (Store store = Store.open(dir, StoreOptions.builder().readOnly(true).create(false).build()); ReadTxn txn = store.read()) {
            long items = 0;
            int problems = 0;
            for (int index : txn.indexes()) {
                IndexMetadata meta = IndexMetadata.require(txn, index);
                items += ItemStore.open(txn, index).currentIds().getLongCardinality();
                ForestReader r = ForestReader.open(txn, index);
                List<String> p = r.check();
                problems += p.size();
                float[] q = new float[meta.dimensions()];
                for (int i = 0; i < 5; i++) {
                    q[i % q.length] += 1f;
                    r.search(q, SearchOptions.k(10));
                }
            }
            System.out.println("OK items=" + items + " problems=" + problems);
            System.out.flush();
            System.exit(0);
        } catch (QuiverException e) {
            System.out.println("QUIVER " + e.kind() + " " + e.getMessage());
            System.out.flush();
            System.exit(3);
        } catch (Throwable e) {
            System.out.println("OTHER " + e);
            System.out.flush();
            System.exit(4);
        }
    }
}
