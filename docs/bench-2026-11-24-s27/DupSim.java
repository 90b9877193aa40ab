package io.quiver.index.hnsw;

import io.quiver.index.*;
import io.quiver.storage.*;
import java.nio.file.*;
import java.util.*;

/** Simulates the HNSW search on exact vectors, to see where searches for items near many copies go wrong. */
public class DupSim {
    static float[][] vec;
    static long sideCopies;
    static int mode3Fail; static long mode3Evals;
    static Txn t;
    static Map<Long, int[]> cache = new HashMap<>();
    static int[] links(int id, int l) {
        return cache.computeIfAbsent(((long) id << 8) | l, k -> { int[] x = Links.read(t, 0, id, l); return x == null ? new int[0] : x; });
    }
    static float d(float[] a, float[] b) { float s = 0; for (int i = 0; i < a.length; i++) { float x = a[i] - b[i]; s += x * x; } return s; }

    /** mode 0: strict beam; 1: ties allowed into a full beam (bounded by cap). */
    static boolean search(float[] q, int self, int start, int ef, int mode, int[] stats) {
        PriorityQueue<float[]> cand = new PriorityQueue<>((a, b) -> Float.compare(a[0], b[0]));
        PriorityQueue<float[]> beam = new PriorityQueue<>((a, b) -> Float.compare(b[0], a[0]));
        BitSet seen = new BitSet();
        Map<Integer, Integer> firstAt = new HashMap<>();
        int expandedCopies = 0;
        float ds = d(q, vec[start]);
        firstAt.put(Float.floatToRawIntBits(ds), start);
        cand.add(new float[] {ds, start}); beam.add(new float[] {ds, start}); seen.set(start);
        int evals = 1;
        while (!cand.isEmpty()) {
            float[] c = cand.poll();
            if (beam.size() >= ef && c[0] > beam.peek()[0]) break;
            for (int y : links((int) c[1], 0)) {
                if (seen.get(y)) continue;
                seen.set(y);
                float dy = d(q, vec[y]); evals++;
                boolean admit = beam.size() < ef || dy < beam.peek()[0] || mode == 1 && dy == beam.peek()[0] && beam.size() < 4 * ef;
                if (admit && mode >= 2) {
                    Integer z = firstAt.get(Float.floatToRawIntBits(dy));
                    if (z != null && Arrays.equals(vec[z], vec[y])) {
                        sideCopies++;
                        if (mode == 3 && expandedCopies++ < 64) cand.add(new float[] {dy, y});
                        continue;
                    }
                    firstAt.put(Float.floatToRawIntBits(dy), y);
                }
                if (admit) {
                    cand.add(new float[] {dy, y}); beam.add(new float[] {dy, y});
                    while (beam.size() > ef && (mode == 0 || beam.peek()[0] > worstKeep(beam, ef))) beam.poll();
                }
            }
        }
        stats[0] += evals;
        List<float[]> all = new ArrayList<>(beam);
        all.sort((a, b) -> Float.compare(a[0], b[0]));
        for (int i = 0; i < Math.min(10, all.size()); i++) if ((int) all.get(i)[1] == self) return true;
        return false;
    }
    static float worstKeep(PriorityQueue<float[]> beam, int ef) {
        // keep ties with the ef-th best: returns the ef-th best distance
        float[] arr = new float[beam.size()]; int i = 0; for (float[] x : beam) arr[i++] = x[0];
        Arrays.sort(arr); return arr[Math.min(ef - 1, arr.length - 1)];
    }
    static int descend(float[] q, int entry, int maxLevel) {
        int cur = entry; float cd = d(q, vec[cur]);
        for (int l = maxLevel; l >= 1; l--) {
            boolean moved = true;
            while (moved) { moved = false; for (int y : links(cur, l)) { float dy = d(q, vec[y]); if (dy < cd) { cd = dy; cur = y; moved = true; } } }
        }
        return cur;
    }
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int copies = Integer.parseInt(a[1]);
        int ef = Integer.parseInt(a[2]);
        try (Store s = Store.open(dir, StoreOptions.builder().readOnly(true).create(false).build()); ReadTxn txn = s.read()) {
            t = txn;
            HnswReader r = HnswReader.open(txn, 0);
            int n = (int) r.size();
            vec = new float[n][];
            for (int i = 0; i < n; i++) vec[i] = r.vector(i);
            HnswMetadata g = HnswMetadata.read(txn, 0);
            System.out.println("entry " + g.entry() + " (copy: " + (g.entry() < copies) + ") maxLevel " + g.maxLevel());
            int[] fails = new int[4]; int startCopy = 0, startCopyFail = 0;
            int[] ev = new int[4];
            Random rnd = new Random(1);
            for (int id = copies; id < n; id++) {
                int start = descend(vec[id], g.entry(), g.maxLevel());
                int[] st0 = new int[1];
                boolean f0 = !search(vec[id], id, start, ef, 0, st0);
                ev[0] += st0[0];
                int[] st = new int[1];
                if (f0) fails[0]++;
                if (start < copies) { startCopy++; if (f0) startCopyFail++; }
                if (!search(vec[id], id, start, ef, 1, st)) fails[1]++;
                ev[1] += st[0];
                int[] st3 = new int[1];
                if (!search(vec[id], id, descendLex(vec[id], g.entry(), g.maxLevel()), ef, 3, st3)) fails[0 + 3 - 3 + 0] += 0;
                if (!search(vec[id], id, descendLex(vec[id], g.entry(), g.maxLevel()), ef, 3, st3)) mode3Fail++;
                mode3Evals += st3[0];
                int[] st2 = new int[1];
                if (!search(vec[id], id, start, ef, 2, st2)) fails[3]++;
                ev[2] += st2[0];
                ev[0] += 0;
                int other = copies + rnd.nextInt(n - copies);
                int s2 = start < copies ? descendNoCopies(vec[id], other) : start;
                if (!search(vec[id], id, s2, ef, 0, new int[1])) fails[2]++;
            }
            System.out.printf("lexicographic descent + copies expanded (64) but kept out of the beam: %d fail (mean evals %.0f)%n", mode3Fail, (double) mode3Evals / 2 / (n - copies));
            System.out.printf("copies kept out of the beam: %d fail (mean evals %.0f vs strict %.0f)%n", fails[3], (double) ev[2] / (n - copies), (double) ev[0] / (n - copies));
            System.out.printf("strict beam: %d fail; level-0 start is a copy for %d items (%d of them fail); ties admitted: %d fail (mean evals %.0f); restarted from a non-copy when the start is a copy: %d fail%n",
                    fails[0], startCopy, startCopyFail, fails[1], (double) ev[1] / (n - copies), fails[2]);
        }
    }
    static int descendLex(float[] q, int entry, int maxLevel) {
        int cur = entry; float cd = d(q, vec[cur]);
        for (int l = maxLevel; l >= 1; l--) {
            boolean moved = true;
            while (moved) { moved = false; for (int y : links(cur, l)) { float dy = d(q, vec[y]); if (dy < cd || dy == cd && y < cur) { cd = dy; cur = y; moved = true; } } }
        }
        return cur;
    }
    static int descendNoCopies(float[] q, int from) { return from; }
}
