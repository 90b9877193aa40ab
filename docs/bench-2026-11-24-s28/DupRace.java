package io.quiver.index.hnsw;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
import org.roaringbitmap.RoaringBitmap;

public class DupRace {
    public static void main(String[] a) throws Exception {
        int copies = Integer.parseInt(a[0]), batches = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]);
        int runs = Integer.parseInt(a[3]);
        int dims = 32, others = 1000;
        int fails = 0;
        for (int run = 0; run < runs; run++) {
            Path dir = Files.createTempDirectory("duprace");
            Random r = new Random(7);
            float[] same = new float[dims];
            for (int j = 0; j < dims; j++) same[j] = (float) r.nextGaussian();
            float[][] rand = new float[others][dims];
            for (float[] v : rand) for (int j = 0; j < dims; j++) v[j] = (float) r.nextGaussian();
            try (Store store = Store.open(dir)) {
                store.write(txn -> {
                    HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, dims);
                    for (int i = 0; i < others; i++) w.add(1_000_000 + i, rand[i]);
                    w.build(HnswBuildOptions.builder().threads(threads).build());
                });
                int per = copies / batches;
                for (int b = 0; b < batches; b++) {
                    int from = b * per;
                    store.write(txn -> {
                        HnswWriter w = HnswWriter.open(txn, 0);
                        for (int i = from; i < from + per; i++) w.add(i, same);
                        w.build(HnswBuildOptions.builder().threads(threads).build());
                    });
                    String d = diagnose(store, from, from + per);
                    if (d != null) {
                        System.out.println("run " + run + " batch " + b + ": " + d);
                        fails++;
                        break;
                    }
                }
            }
            deleteTree(dir);
        }
        System.out.println("failed runs: " + fails + " of " + runs);
    }

    static String diagnose(Store store, int newFrom, int newTo) { return diagnose(store, newFrom, newTo, null); }
    static String diagnose(Store store, int newFrom, int newTo, Map<Integer,String> kinds) {
        try (ReadTxn txn = store.read()) {
            HnswMetadata m = HnswMetadata.read(txn, 0);
            StringBuilder sb = new StringBuilder();
            for (int level = m.maxLevel(); level >= 0; level--) {
                Map<Integer, int[]> out = new HashMap<>();
                Map<Integer, int[]> in = new HashMap<>();
                final int lv = level;
                txn.scan(0, KeyKind.LINKS, (id, l, v) -> {
                    int n = v.remaining() / 4;
                    int[] x = new int[n];
                    for (int i = 0; i < n; i++) x[i] = v.getInt(v.position() + 4 * i);
                    if (l == lv) out.put(id, x);
                    if (l == (Links.IN | lv)) in.put(id, x);
                    return true;
                });
                RoaringBitmap seen = RoaringBitmap.bitmapOf(m.entry());
                ArrayDeque<Integer> q = new ArrayDeque<>(List.of(m.entry()));
                while (!q.isEmpty()) {
                    int[] l = out.get(q.poll());
                    if (l != null) for (int y : l) if (seen.checkedAdd(y)) q.add(y);
                }
                RoaringBitmap lost = new RoaringBitmap();
                for (int id : out.keySet()) if (!seen.contains(id)) lost.add(id);
                if (lost.isEmpty()) continue;
                int newOnes = 0;
                for (int x : lost) if (x >= newFrom && x < newTo) newOnes++;
                int inside = 0, total = 0, outsideLinks = 0;
                RoaringBitmap hasIn = new RoaringBitmap();
                for (int x : lost) {
                    for (int y : out.get(x)) { total++; if (lost.contains(y)) { inside++; hasIn.add(y);} else outsideLinks++; }
                }
                RoaringBitmap noIn = RoaringBitmap.andNot(lost, hasIn);
                sb.append(String.format("level %d: %d unreachable (%d from this batch), links inside %d, out %d; members with no in-link from the island: %s; ",
                        level, lost.getCardinality(), newOnes, inside, outsideLinks, noIn));
                int shown = 0;
                for (int x : lost) {
                    if (shown++ >= 30) break;
                    sb.append("\n   ").append(x).append(kinds == null ? "" : "(" + kinds.get(x) + ")").append(" out=").append(Arrays.toString(out.get(x))).append(" in=").append(Arrays.toString(in.get(x)));
                }
                // IN-list consistency for the lost
                for (int x : lost) {
                    int[] il = in.get(x);
                    if (il != null) for (int p : il) {
                        int[] po = out.get(p);
                        boolean ok = false;
                        if (po != null) for (int y : po) ok |= y == x;
                        if (!ok) sb.append("\n   IN-list of ").append(x).append(" names ").append(p).append(" which does not link to it");
                    }
                }
                sb.append('\n');
            }
            return sb.length() == 0 ? null : sb.toString();
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) { s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete()); }
    }
}
