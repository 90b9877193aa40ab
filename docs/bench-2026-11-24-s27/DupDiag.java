package io.quiver.index.hnsw;

import io.quiver.index.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;
import org.roaringbitmap.RoaringBitmap;

/** For a store with copies 0..C-1 of one vector: which items fail to find themselves, and how they are linked. */
public class DupDiag {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int copies = Integer.parseInt(a[1]);
        int ef = Integer.parseInt(a[2]);
        try (Store s = Store.open(dir, StoreOptions.builder().readOnly(true).create(false).build()); ReadTxn t = s.read()) {
            HnswReader r = HnswReader.open(t, 0);
            RoaringBitmap ids = r.ids();
            int n = (int) ids.getLongCardinality();
            int[] inDeg = new int[n], inFromCopies = new int[n], outCopies = new int[n];
            int[] upper = new int[n];
            for (int id = 0; id < n; id++) {
                int[] l = Links.read(t, 0, id, 0);
                for (int x : l) { inDeg[x]++; if (id < copies) inFromCopies[x]++; if (x < copies) outCopies[id]++; }
                int lv = 0; while (Links.read(t, 0, id, lv + 1) != null) lv++;
                upper[id] = lv;
            }
            int fail = 0, failBig = 0; long sumIn = 0, sumInF = 0, sumInC = 0, sumInCF = 0, sumOutC = 0, sumOutCF = 0, withCopyF = 0, withCopy = 0;
            int[] hist = new int[40], histF = new int[40];
            List<Integer> failed = new ArrayList<>();
            for (int id0 = copies; id0 < n; id0++) { final int id = id0;
                SearchResult res = r.search(r.vector(id), SearchOptions.builder().k(10).ef(ef).build());
                boolean found = Arrays.stream(res.ids()).anyMatch(x -> x == id);
                sumIn += inDeg[id]; sumInC += inFromCopies[id]; sumOutC += outCopies[id];
                hist[Math.min(39, inDeg[id])]++;
                if (outCopies[id] > 0) withCopy++;
                if (!found) {
                    fail++; failed.add(id);
                    sumInF += inDeg[id]; sumInCF += inFromCopies[id]; sumOutCF += outCopies[id];
                    histF[Math.min(39, inDeg[id])]++;
                    if (outCopies[id] > 0) withCopyF++;
                    SearchResult big = r.search(r.vector(id), SearchOptions.builder().k(10).ef(ef * 4).build());
                    if (Arrays.stream(big.ids()).anyMatch(x -> x == id)) failBig++;
                }
            }
            int m = n - copies;
            System.out.printf("items %d, failed %d (found at ef %d: %d)%n", m, fail, 4 * ef, failBig);
            System.out.printf("mean level-0 in-degree: all %.2f failed %.2f; from copies: all %.3f failed %.3f; out-links to copies: all %.3f failed %.3f; with a copy in list: all %.3f failed %.3f%n",
                    (double) sumIn / m, (double) sumInF / Math.max(1, fail), (double) sumInC / m, (double) sumInCF / Math.max(1, fail),
                    (double) sumOutC / m, (double) sumOutCF / Math.max(1, fail), (double) withCopy / m, (double) withCopyF / Math.max(1, fail));
            StringBuilder b = new StringBuilder("in-degree hist (all/failed): ");
            for (int i = 0; i < 40; i++) if (hist[i] > 0) b.append(i).append(':').append(hist[i]).append('/').append(histF[i]).append(' ');
            System.out.println(b);
            // copies' lists: how many copies / non-copies at level 0
            long cc = 0, cn = 0;
            for (int id = 0; id < copies; id++) { for (int x : Links.read(t, 0, id, 0)) { if (x < copies) cc++; else cn++; } }
            System.out.printf("copies' level-0 lists: %.2f copies, %.2f others on average%n", (double) cc / copies, (double) cn / copies);
            int entryLevels = 0; for (int id = 0; id < n; id++) entryLevels = Math.max(entryLevels, upper[id]);
            System.out.println("max level " + entryLevels + "; first failed: " + failed.subList(0, Math.min(10, failed.size())));
        }
    }
}
