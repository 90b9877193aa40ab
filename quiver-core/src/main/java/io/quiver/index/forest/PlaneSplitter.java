package io.quiver.index.forest;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.distance.DotProduct;
import io.quiver.distance.FloatDistance;
import io.quiver.distance.Kernels;
import io.quiver.distance.VectorKernels;
import io.quiver.storage.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Annoy's hyperplane split for float vectors: two centroids found by a short two-means over
 * random items, the plane halfway between them (through the origin for cosine and dot). For dot
 * products the items are lifted to {@code (x, sqrt(M^2-|x|^2))} first (Bachrach et al.), so the
 * split is made in a space where inner product order is Euclidean order.
 */
final class PlaneSplitter extends Splitter {
    private static final int TWO_MEANS_STEPS = 200;
    private static final int ATTEMPTS = 3;

    private final DistanceKind kind;
    private final int dims;
    private final float maxNorm2;
    private final VectorKernels k = Kernels.get();
    /** Keeps the touching loads alive. */
    private long touchSink;

    PlaneSplitter(FloatDistance distance, float maxNorm2) {
        this.kind = distance.kind();
        this.dims = distance.dimensions();
        this.maxNorm2 = maxNorm2;
    }

    /** Scratch layout: centroid p, centroid q, then the normal, each starting on a 64-byte boundary. */
    private long slot() {
        return (4L * (dims + 1) + 63) & ~63L;
    }

    @Override
    int scratchBytes() {
        return (int) (3 * slot());
    }

    private float extra(long item) {
        return kind == DistanceKind.DOT ? DotProduct.extraDimension(item, maxNorm2) : 0f;
    }

    /** Squared distance of the centroid c (heap copy + native copy at cAddr) to an item, in the split space. */
    private float centroidDistance(float[] c, long cAddr, long item) {
        long x = item + Distance.PAYLOAD;
        return switch (kind) {
            case MANHATTAN -> k.manhattan(cAddr, x, dims);
            case COSINE -> {
                float n = Distance.header(item);
                float cn2 = c[dims];
                // |c - x/|x||^2 with |c|^2 cached in c[dims]
                yield n == 0f ? cn2 + 1f : cn2 - 2f * k.dot(cAddr, x, dims) / n + 1f;
            }
            case DOT -> {
                float e = c[dims] - extra(item);
                yield k.squaredEuclidean(cAddr, x, dims) + e * e;
            }
            default -> k.squaredEuclidean(cAddr, x, dims);
        };
    }

    /** c = (c*count + x) / (count+1) in the split space. */
    private void absorb(float[] c, long cAddr, long item, int count, float[] tmp) {
        long x = item + Distance.PAYLOAD;
        float scale = 1f;
        if (kind == DistanceKind.COSINE) {
            float n = Distance.header(item);
            scale = n == 0f ? 0f : 1f / n;
        }
        float inv = 1f / (count + 1);
        // A bulk copy then a heap loop the JIT vectorises: cheaper than per-element native reads.
        MemorySegment.copy(NativeMemory.ALL, NativeMemory.FLOAT, x, tmp, 0, dims);
        float w = count;
        for (int i = 0; i < dims; i++) {
            c[i] = (c[i] * w + tmp[i] * scale) * inv;
        }
        if (kind == DistanceKind.DOT) {
            c[dims] = (c[dims] * count + extra(item)) * inv;
        } else if (kind == DistanceKind.COSINE) {
            c[dims] = norm2(c);
        }
        MemorySegment.copy(c, 0, NativeMemory.ALL, NativeMemory.FLOAT, cAddr, dims);
    }

    private void init(float[] c, long cAddr, long item, float[] tmp) {
        Arrays.fill(c, 0f);
        absorb(c, cAddr, item, 0, tmp);
    }

    private float norm2(float[] c) {
        double s = 0;
        for (int i = 0; i < dims; i++) {
            s += (double) c[i] * c[i];
        }
        return (float) s;
    }

    @Override
    BuildNode.Split createSplit(IntList ids, BuildSource src, SplittableRandom rnd) {
        return createSplit(ids, src, rnd, 0);
    }

    /**
     * {@link #createSplit(IntList, BuildSource, SplittableRandom)} from attempt {@code firstAttempt}
     * on: {@link LevelBuilder} makes attempt 0 itself, over many trees at once, and comes here
     * only when that plane was degenerate or unbalanced, so the outcome is what the sequential
     * path would have produced.
     */
    BuildNode.Split createSplit(IntList ids, BuildSource src, SplittableRandom rnd, int firstAttempt) {
        int n = ids.size();
        long normalAddr = src.scratch() + 2 * slot();
        float[] margins = new float[n];
        for (int attempt = firstAttempt; attempt < ATTEMPTS; attempt++) {
            BuildNode.Plane plane = twoMeans(ids, src, rnd);
            if (plane == null) {
                continue;
            }
            MemorySegment.copy(plane.normal, 0, NativeMemory.ALL, NativeMemory.FLOAT, normalAddr, dims);
            int right = 0;
            long next = src.item(ids.get(0));
            long touched = 0;
            for (int t = 0; t < n; t++) {
                long item = next;
                if (t + 1 < n) {
                    // Touch the next vector while this one is measured: its miss overlaps the
                    // arithmetic (the pass is memory-bound; measured ~18% faster on 784-d).
                    next = src.item(ids.get(t + 1));
                    touched += NativeMemory.getLong(next + Distance.PAYLOAD);
                }
                float m = margin(normalAddr, plane, item);
                margins[t] = m;
                if (m > 0) {
                    right++;
                }
            }
            touchSink += touched;
            if (right > 0 && right < n) {
                if (balancedEnough(right, n) || attempt == ATTEMPTS - 1) {
                    return balanced(plane, margins, right, n);
                }
            } else if (attempt == ATTEMPTS - 1) {
                return balanced(plane, margins, right, n);
            }
        }
        return null;
    }

    /** Whether a plane with {@code right} of {@code n} items on its right side is kept as it is. */
    static boolean balancedEnough(int right, int n) {
        return right > 0 && right < n && Math.min(right, n - right) * 20 >= n;
    }

    /**
     * One attempt's plane: two centroids from a short two-means over random items of {@code ids},
     * the plane halfway between them; null when the centroids coincide.
     */
    BuildNode.Plane twoMeans(IntList ids, BuildSource src, SplittableRandom rnd) {
        int n = ids.size();
        long pAddr = src.scratch();
        long qAddr = pAddr + slot();
        float[] p = new float[dims + 1];
        float[] q = new float[dims + 1];
        float[] tmp = new float[dims];
        int i = rnd.nextInt(n);
        int j = rnd.nextInt(n - 1);
        j += (j >= i) ? 1 : 0;
        init(p, pAddr, src.item(ids.get(i)), tmp);
        init(q, qAddr, src.item(ids.get(j)), tmp);
        int ic = 1;
        int jc = 1;
        int steps = Math.min(TWO_MEANS_STEPS, 2 * n);
        long next = steps > 0 ? src.item(ids.get(rnd.nextInt(n))) : 0L;
        long touched = 0;
        for (int s = 0; s < steps; s++) {
            long z = next;
            if (s + 1 < steps) {
                // The samples are random items, each a cache miss per line: draw the next one now
                // (the same stream of draws) and touch all its lines, so that its misses overlap
                // this step's arithmetic.
                next = src.item(ids.get(rnd.nextInt(n)));
                for (long off = 0; off < 4L * dims; off += 64) {
                    touched += NativeMemory.getByte(next + Distance.PAYLOAD + off);
                }
            }
            float di = ic * centroidDistance(p, pAddr, z);
            float dj = jc * centroidDistance(q, qAddr, z);
            if (di < dj) {
                absorb(p, pAddr, z, ic++, tmp);
            } else if (dj < di) {
                absorb(q, qAddr, z, jc++, tmp);
            }
        }
        touchSink += touched;
        float[] normal = new float[dims];
        double len = 0;
        for (int d = 0; d < dims; d++) {
            normal[d] = p[d] - q[d];
            len += (double) normal[d] * normal[d];
        }
        float extraW = kind == DistanceKind.DOT ? p[dims] - q[dims] : 0f;
        len += (double) extraW * extraW;
        if (len == 0) {
            return null;
        }
        float invLen = (float) (1.0 / Math.sqrt(len));
        float max = 0f;
        for (int d = 0; d < dims; d++) {
            normal[d] *= invLen;
            max = Math.max(max, Math.abs(normal[d]));
        }
        // The plane is stored as int8 codes (TreeNodes.PLANE8) and routes with exactly the floats
        // they decode to; the offset puts that plane, not the unrounded one, halfway.
        float scale = max / 127f;
        byte[] codes = new byte[dims];
        if (scale > 0f) {
            for (int d = 0; d < dims; d++) {
                // clamped: with a subnormal scale the quotient can round past 127 and wrap
                codes[d] = (byte) Math.max(-127, Math.min(127, Math.round(normal[d] / scale)));
            }
        }
        decode(codes, scale, normal);
        float offset = 0f;
        if (kind == DistanceKind.EUCLIDEAN || kind == DistanceKind.MANHATTAN) {
            for (int d = 0; d < dims; d++) {
                offset -= normal[d] * (p[d] + q[d]) * 0.5f;
            }
        }
        return new BuildNode.Plane(normal, offset, extraW * invLen, codes, scale);
    }

    /**
     * The normal an int8 plane routes with: {@code scale * codes[i]}, one float multiplication each.
     * Builds and the loading of stored planes both come here, so they agree to the bit.
     */
    static void decode(byte[] codes, float scale, float[] normal) {
        for (int d = 0; d < codes.length; d++) {
            normal[d] = codes[d] * scale;
        }
    }

    /**
     * The signed margin of the item at {@code item} from {@code plane}, whose normal is copied at
     * {@code normalAddr}. Every side decision of a build and of routing goes through here (same
     * kernel, same bytes, same order of operations), so an item is always found on the side a
     * build put it.
     */
    float margin(long normalAddr, BuildNode.Plane plane, long item) {
        return k.dot(normalAddr, item + Distance.PAYLOAD, dims) + plane.offset + plane.extra * extra(item);
    }

    /**
     * Keeps the plane when both sides hold at least 5% of the items; otherwise shifts it to the
     * median margin, a parallel plane that halves the set (still a valid plane for routing).
     */
    private BuildNode.Plane balanced(BuildNode.Plane plane, float[] margins, int right, int n) {
        if (balancedEnough(right, n)) {
            // margins were computed exactly as goesRight computes them (same kernel, same order)
            boolean[] sides = new boolean[n];
            for (int i = 0; i < n; i++) {
                sides[i] = margins[i] > 0;
            }
            plane.sides = sides;
            return plane;
        }
        float[] sorted = margins.clone();
        Arrays.sort(sorted);
        float median = sorted[n / 2];
        if (sorted[0] == sorted[n - 1]) {
            return null;
        }
        // items with margin > median go right; make sure the median itself does not leave one side empty
        float cut = median;
        if (cut >= sorted[n - 1]) {
            cut = sorted[(n - 1) / 2];
            if (cut >= sorted[n - 1]) {
                int t = n - 1;
                while (t > 0 && sorted[t] == sorted[n - 1]) {
                    t--;
                }
                cut = sorted[t];
            }
        }
        return plane.withOffset(plane.offset - cut);
    }

    @Override
    void prepare(BuildNode.Split split, BuildSource src) {
        MemorySegment.copy(((BuildNode.Plane) split).normal, 0, NativeMemory.ALL, NativeMemory.FLOAT, src.scratch() + 2 * slot(), dims);
    }

    @Override
    boolean goesRight(BuildNode.Split split, long item, BuildSource src) {
        return margin(src.scratch() + 2 * slot(), (BuildNode.Plane) split, item) > 0;
    }
}
