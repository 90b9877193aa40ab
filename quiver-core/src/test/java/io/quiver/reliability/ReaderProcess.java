package io.quiver.reliability;

import io.quiver.index.ItemStore;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.forest.ForestReader;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.roaringbitmap.RoaringBitmap;

/**
 * A second reader process for {@link ConcurrencyTest}: opens the store read-only and searches in a
 * loop until {@code STOP_FILE} appears. Before each snapshot it reads the writer's deletion log
 * (a line {@code seq id id ...} is appended only after the commit that deleted those ids), so
 * every id it has read there was deleted before its snapshot began and must never be returned.
 * Prints {@code ERROR <what>} lines and a final {@code DONE searches=N snapshots=M errors=E}.
 *
 * <p>Arguments: store directory, deletion log, stop file, dimensions.
 */
public final class ReaderProcess {
    private ReaderProcess() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path log = Path.of(args[1]);
        Path stop = Path.of(args[2]);
        int dims = Integer.parseInt(args[3]);
        Random rnd = new Random(ProcessHandle.current().pid());
        RoaringBitmap deleted = new RoaringBitmap();
        long logOffset = 0;
        long searches = 0;
        long snapshots = 0;
        int errors = 0;
        StringBuilder partial = new StringBuilder();
        try (Store store = Store.open(dir, StoreOptions.builder().readOnly(true).create(false).build())) {
            System.out.println("READY");
            System.out.flush();
            while (!Files.exists(stop)) {
                logOffset = readLog(log, logOffset, partial, deleted);
                try (ReadTxn txn = store.read()) {
                    snapshots++;
                    ForestReader reader = ForestReader.open(txn, 0);
                    RoaringBitmap live = ItemStore.open(txn, 0).currentIds();
                    RoaringBitmap resurrected = RoaringBitmap.and(live, deleted);
                    if (!resurrected.isEmpty()) {
                        errors++;
                        System.out.println("ERROR snapshot holds deleted id " + resurrected.first());
                    }
                    for (int i = 0; i < 5; i++) {
                        float[] q = new float[dims];
                        for (int d = 0; d < dims; d++) {
                            q[d] = (float) (rnd.nextGaussian() * 4);
                        }
                        SearchResult r = reader.search(q, SearchOptions.k(10));
                        searches++;
                        for (Neighbor n : r.neighbors()) {
                            if (deleted.contains(n.id())) {
                                errors++;
                                System.out.println("ERROR search returned id " + n.id() + ", deleted by a commit before this snapshot");
                            } else if (!live.contains(n.id())) {
                                errors++;
                                System.out.println("ERROR search returned id " + n.id() + ", not in the snapshot's items");
                            }
                        }
                        if (r.size() != Math.min(10, live.getCardinality())) {
                            errors++;
                            System.out.println("ERROR search returned " + r.size() + " results from " + live.getCardinality() + " items");
                        }
                    }
                } catch (RuntimeException e) {
                    errors++;
                    System.out.println("ERROR " + e.toString().replace('\n', ' '));
                }
                if (errors > 20) {
                    break;
                }
            }
        }
        System.out.println("DONE searches=" + searches + " snapshots=" + snapshots + " errors=" + errors + " deletions=" + deleted.getCardinality());
        System.out.flush();
    }

    /** Reads complete lines appended to the log since {@code offset}; returns the new offset. */
    static long readLog(Path log, long offset, StringBuilder partial, RoaringBitmap deleted) throws IOException {
        if (!Files.exists(log)) {
            return offset;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) {
                return offset;
            }
            byte[] b = new byte[(int) (len - offset)];
            f.seek(offset);
            f.readFully(b);
            partial.append(new String(b, StandardCharsets.US_ASCII));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl).strip();
                partial.delete(0, nl + 1);
                String[] parts = line.split(" ");
                for (int i = 1; i < parts.length; i++) {
                    if (!parts[i].isEmpty()) {
                        deleted.add(Integer.parseInt(parts[i]));
                    }
                }
            }
            return len;
        }
    }
}
