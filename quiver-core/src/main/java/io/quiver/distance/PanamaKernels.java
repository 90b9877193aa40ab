package io.quiver.distance;

import static io.quiver.storage.NativeMemory.ALL;
import static io.quiver.storage.NativeMemory.getFloat;
import static io.quiver.storage.NativeMemory.getLong;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the JDK Vector API, loading lanes straight from LMDB's unaligned memory through one
 * global segment: no copy, no allocation. Only loaded when {@code jdk.incubator.vector} is present.
 */
public final class PanamaKernels implements VectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Override
    public float dot(long a, long b, int n) {
        int i = 0;
        float sum = 0;
        if (n >= 2 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            int bound = n - n % (2 * L);
            for (; i < bound; i += 2 * L) {
                long o = (long) i * 4;
                FloatVector a0 = FloatVector.fromMemorySegment(S, ALL, a + o, LE);
                FloatVector b0 = FloatVector.fromMemorySegment(S, ALL, b + o, LE);
                FloatVector a1 = FloatVector.fromMemorySegment(S, ALL, a + o + 4L * L, LE);
                FloatVector b1 = FloatVector.fromMemorySegment(S, ALL, b + o + 4L * L, LE);
                acc0 = a0.fma(b0, acc0);
                acc1 = a1.fma(b1, acc1);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += getFloat(a + i * 4L) * getFloat(b + i * 4L);
        }
        return sum;
    }

    @Override
    public float squaredEuclidean(long a, long b, int n) {
        int i = 0;
        float sum = 0;
        if (n >= 2 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            int bound = n - n % (2 * L);
            for (; i < bound; i += 2 * L) {
                long o = (long) i * 4;
                FloatVector d0 = FloatVector.fromMemorySegment(S, ALL, a + o, LE)
                        .sub(FloatVector.fromMemorySegment(S, ALL, b + o, LE));
                FloatVector d1 = FloatVector.fromMemorySegment(S, ALL, a + o + 4L * L, LE)
                        .sub(FloatVector.fromMemorySegment(S, ALL, b + o + 4L * L, LE));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float d = getFloat(a + i * 4L) - getFloat(b + i * 4L);
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float manhattan(long a, long b, int n) {
        int i = 0;
        float sum = 0;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            int bound = n - n % L;
            for (; i < bound; i += L) {
                long o = (long) i * 4;
                FloatVector d = FloatVector.fromMemorySegment(S, ALL, a + o, LE)
                        .sub(FloatVector.fromMemorySegment(S, ALL, b + o, LE));
                acc = acc.add(d.abs());
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += Math.abs(getFloat(a + i * 4L) - getFloat(b + i * 4L));
        }
        return sum;
    }

    @Override
    public int hamming(long a, long b, int words) {
        // Long.bitCount compiles to POPCNT; AVX2 has no wider popcount worth the shuffle tricks.
        int d = 0;
        for (int i = 0; i < words; i++) {
            d += Long.bitCount(getLong(a + i * 8L) ^ getLong(b + i * 8L));
        }
        return d;
    }

    @Override
    public String name() {
        return "panama-" + S.vectorBitSize() + "bit";
    }
}
