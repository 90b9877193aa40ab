import io.quiver.distance.DistanceKind;
import io.quiver.index.hnsw.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/**
 * NearDup mode kind copies batches threads runs [dims]
 * mode: exact | signzero | scaled | mixed
 * 1000 random items, then `copies` items of one vector (variant per mode), in `batches` batches, check after each.
 */
public class NearDup {
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        DistanceKind kind = DistanceKind.valueOf(a[1]);
        int copies = Integer.parseInt(a[2]), batches = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]), runs = Integer.parseInt(a[5]);
        int base = a.length > 6 ? Integer.parseInt(a[6]) : 32;
        long seed = a.length > 7 ? Long.parseLong(a[7]) : 7;
        int extra = mode.equals("signzero") || mode.equals("mixed") || mode.equals("exactz") ? 12 : 0;
        int dims = base + extra;
        int others = 1000;
        int fails = 0;
        long t0 = System.nanoTime();
        for (int run = 0; run < runs; run++) {
            Path dir = Files.createTempDirectory(Path.of("/tmp/helper2/tmp"), "nd");
            Random r = new Random(seed);
            float[] same = new float[dims];
            for (int j = 0; j < base; j++) same[j] = (float) r.nextGaussian();
            int zeros = extra;
            float[][] rand = new float[others][dims];
            for (float[] v : rand) for (int j = 0; j < base; j++) v[j] = (float) r.nextGaussian();
            String bad = null;
            try (Store store = Store.open(dir)) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, kind, dims);
                    for (int i = 0; i < others; i++) w.add(1_000_000 + i, rand[i]);
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                int per = copies / batches;
                for (int b = 0; b < batches && bad == null; b++) {
                    int from = b * per;
                    store.write(txn -> {
                        HnswWriter w = HnswWriter.open(txn, 0);
                        for (int i = from; i < from + per; i++) w.add(i, variant(mode, same, i, zeros));
                        w.build(HnswBuildOptions.builder().threads(threads).build());
                    });
                    try (ReadTxn txn = store.read()) {
                        List<String> p = HnswReader.open(txn, 0).check();
                        if (!p.isEmpty()) bad = "batch " + b + ": " + p.size() + " problems, first: " + p.get(0);
                    }
                }
            }
            if (bad != null) { fails++; System.out.println("run " + run + " " + bad); }
            try (var s = Files.walk(dir)) { s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete()); }
        }
        System.out.printf("%s %s copies=%d batches=%d threads=%d: failed %d of %d (%.1f s)%n", mode, kind, copies, batches, threads, fails, runs, (System.nanoTime() - t0) / 1e9);
    }

    static float[] variant(String mode, float[] same, int i, int zeros) {
        float[] v = same.clone();
        switch (mode) {
            case "exact", "exactz" -> {}
            case "signzero" -> { for (int j = 0; j < zeros; j++) if ((i >> j & 1) != 0) v[v.length - 1 - j] = -0.0f; }
            case "scaled" -> { float s = 1f + (i % 4096) / 4096f; for (int j = 0; j < v.length; j++) v[j] *= s; }
            case "mixed" -> { if ((i & 1) == 1) { int k = i >> 1; for (int j = 0; j < zeros; j++) if ((k >> j & 1) != 0) v[v.length - 1 - j] = -0.0f; } }
            default -> throw new IllegalArgumentException(mode);
        }
        return v;
    }
}
