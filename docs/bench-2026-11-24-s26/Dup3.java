import io.quiver.distance.DistanceKind;
import io.quiver.index.hnsw.*;
import io.quiver.index.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/** kind threads copies batches deleteEvery dims: the unit test's scenario, printing check after inserts and after deletes. */
public class Dup3 { static int COPIES, EVERY;
    public static void main(String[] a) throws Exception {
        DistanceKind kind = DistanceKind.valueOf(a[0]);
        int threads = Integer.parseInt(a[1]), copies = Integer.parseInt(a[2]), batches = Integer.parseInt(a[3]), every = Integer.parseInt(a[4]);
        COPIES = copies; EVERY = every; int dims = a.length > 5 ? Integer.parseInt(a[5]) : 16;
        Random r = new Random(3);
        float[] copy = new float[dims];
        for (int j = 0; j < dims; j++) copy[j] = (float) r.nextGaussian();
        try (Store store = Store.open(Files.createTempDirectory("dup3"))) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                for (int i = 0; i < 1000; i++) { float[] v = new float[dims]; for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian(); w.add(100_000 + i, v); }
                w.build(HnswBuildOptions.builder().threads(threads).build());
            });
            int per = copies / batches;
            for (int b = 0; b < batches; b++) {
                int from = b * per;
                store.write(txn -> { HnswWriter w = HnswWriter.open(txn, 0); for (int id = from; id < from + per; id++) w.add(id, copy); w.build(HnswBuildOptions.builder().threads(threads).build()); });
            }
            report(store, "after inserts");
            long t = System.nanoTime();
            store.write(txn -> { HnswWriter w = HnswWriter.open(txn, 0); for (int id = 0; id < copies; id += every) w.delete(id); w.build(HnswBuildOptions.builder().threads(threads).build()); });
            System.out.printf("delete build %.2f s%n", (System.nanoTime() - t) / 1e9);
            report(store, "after deletes");
        }
    }
    static void report(Store store, String when) {
        try (ReadTxn txn = store.read()) {
            List<String> p = HnswReader.open(txn, 0).check();
            System.out.println(when + ": " + (p.isEmpty() ? "ok" : p.get(0).replaceAll(": [0-9, .]*\\(.*", "")));
        }
    }
}
