import io.quiver.distance.DistanceKind;
import io.quiver.index.hnsw.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

public class Dup {
    public static void main(String[] a) throws Exception {
        int copies = Integer.parseInt(a[0]);
        int dims = 32;
        Path dir = Files.createTempDirectory("dup");
        Random r = new Random(1);
        float[] same = new float[dims];
        for (int j = 0; j < dims; j++) same[j] = (float) r.nextGaussian();
        try (Store store = Store.open(dir)) {
            long t0 = System.nanoTime();
            io.quiver.index.ProgressTrace[] tr = new io.quiver.index.ProgressTrace[1];
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                for (int i = 0; i < copies; i++) w.add(i, same);
                for (int i = 0; i < 5; i++) { float[] v = new float[dims]; for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian(); w.add(20000 + i, v); }
                tr[0] = w.build(HnswBuildOptions.builder().threads(Integer.parseInt(a[1])).build());
            });
            System.out.printf("copies=%d build %.2f s%n", copies, (System.nanoTime() - t0) / 1e9);
            System.out.print(tr[0]);
            try (ReadTxn txn = store.read()) {
                List<String> p = HnswReader.open(txn, 0).check();
                System.out.println("check: " + (p.isEmpty() ? "ok" : p.get(0)));
            }
        }
    }
}
