package io.quiver.testing;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.roaringbitmap.RoaringBitmap;

/** Test data: clustered synthetic vectors and brute-force ground truth with Quiver's own distances. */
public final class Vectors {
    private Vectors() {}

    /** {@code n} vectors around {@code clusters} random centres. */
    public static float[][] clustered(int n, int dims, int clusters, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[clusters][dims];
        for (float[] c : centres) {
            for (int d = 0; d < dims; d++) {
                c[d] = (float) (r.nextGaussian() * 4);
            }
        }
        float[][] out = new float[n][dims];
        for (int i = 0; i < n; i++) {
            float[] c = centres[r.nextInt(clusters)];
            for (int d = 0; d < dims; d++) {
                out[i][d] = c[d] + (float) r.nextGaussian();
            }
        }
        return out;
    }

    /** Exact k nearest ids (as indices into {@code base}) among {@code allowed} (null = all). */
    public static int[] bruteForce(DistanceKind kind, float[][] base, float[] q, int k, RoaringBitmap allowed) {
        Distance d = kind.create(q.length);
        try (Arena arena = Arena.ofConfined()) {
            long qa = arena.allocate(d.itemBytes()).address();
            long xa = arena.allocate(d.itemBytes()).address();
            d.encode(q, qa);
            float[] dist = new float[base.length];
            Integer[] idx = new Integer[base.length];
            int n = 0;
            for (int i = 0; i < base.length; i++) {
                if (base[i] == null || (allowed != null && !allowed.contains(i))) {
                    continue;
                }
                d.encode(base[i], xa);
                dist[i] = d.distance(qa, xa);
                idx[n++] = i;
            }
            Integer[] sorted = Arrays.copyOf(idx, n);
            Arrays.sort(sorted, (a, b) -> Float.compare(dist[a], dist[b]));
            return Arrays.stream(sorted).limit(k).mapToInt(Integer::intValue).toArray();
        }
    }

    /** |found ∩ truth| / |truth|. */
    public static double recall(int[] found, int[] truth) {
        RoaringBitmap t = RoaringBitmap.bitmapOf(truth);
        int hit = 0;
        for (int f : found) {
            if (t.contains(f)) {
                hit++;
            }
        }
        return truth.length == 0 ? 1.0 : (double) hit / truth.length;
    }
}
