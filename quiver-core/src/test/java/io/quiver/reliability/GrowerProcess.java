package io.quiver.reliability;

import io.quiver.storage.KeyKind;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Process A of {@link MapGrowthProcessTest}: opens a store with a 1 MiB map and writes
 * {@code values} values of {@code valueBytes} bytes (id at both ends), {@code perTxn} per
 * transaction, growing the map many times. Prints {@code COMMITTED n} after each commit and
 * {@code DONE resizes=r map=m} at the end.
 *
 * <p>Arguments: store directory, values, value bytes, values per transaction, first id, and
 * optionally the map's growth factor (default 2).
 */
public final class GrowerProcess {
    private GrowerProcess() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int values = Integer.parseInt(args[1]);
        int valueBytes = Integer.parseInt(args[2]);
        int perTxn = Integer.parseInt(args[3]);
        int first = Integer.parseInt(args[4]);
        double growth = args.length > 5 ? Double.parseDouble(args[5]) : 2.0;
        try (Store store = Store.open(dir, StoreOptions.builder().initialMapSize(1L << 20).growthFactor(growth).build())) {
            for (int start = first; start < first + values; start += perTxn) {
                int from = start;
                int to = Math.min(first + values, start + perTxn);
                store.write(txn -> {
                    for (int id = from; id < to; id++) {
                        ByteBuffer out = txn.reserve(0, KeyKind.ITEM, id, valueBytes);
                        out.putInt(0, id);
                        out.putInt(valueBytes - 4, id);
                    }
                });
                System.out.println("COMMITTED " + to);
                System.out.flush();
            }
            System.out.println("DONE resizes=" + store.resizeCount() + " map=" + store.mapSize());
        }
    }
}
