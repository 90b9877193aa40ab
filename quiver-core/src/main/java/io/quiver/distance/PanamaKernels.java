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
    private static final VectorSpecies<Float> S = species();
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** The preferred width, or {@code -Dquiver.simd.bits=256} to force one (measured in KernelBenchmark). */
    private static VectorSpecies<Float> species() {
        String bits = System.getProperty("quiver.simd.bits");
        if (bits != null) {
            return switch (bits) {
                case "128" -> FloatVector.SPECIES_128;
                case "256" -> FloatVector.SPECIES_256;
                case "512" -> FloatVector.SPECIES_512;
                default -> FloatVector.SPECIES_PREFERRED;
            };
        }
        // 512-bit lanes measured slower than 256-bit ones on the AMD EPYC (Zen) machines we run on
        // (KernelBenchmark: ~190 vs ~100 ns for a 784-d dot product): unaligned 64-byte loads split
        // a cache line every time and Zen executes 512-bit operations as two halves.
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
    }

    @Override
    public float dot(long a, long b, int n) {
        int i = 0;
        float sum = 0;
        if (n >= 4 * L) {
            // four independent sums keep both FMA units busy despite their latency
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int bound = n - n % (4 * L);
            for (; i < bound; i += 4 * L) {
                long o = (long) i * 4;
                acc0 = FloatVector.fromMemorySegment(S, ALL, a + o, LE).fma(FloatVector.fromMemorySegment(S, ALL, b + o, LE), acc0);
                acc1 = FloatVector.fromMemorySegment(S, ALL, a + o + 4L * L, LE).fma(FloatVector.fromMemorySegment(S, ALL, b + o + 4L * L, LE), acc1);
                acc2 = FloatVector.fromMemorySegment(S, ALL, a + o + 8L * L, LE).fma(FloatVector.fromMemorySegment(S, ALL, b + o + 8L * L, LE), acc2);
                acc3 = FloatVector.fromMemorySegment(S, ALL, a + o + 12L * L, LE).fma(FloatVector.fromMemorySegment(S, ALL, b + o + 12L * L, LE), acc3);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i + L <= n; i += L) {
            long o = (long) i * 4;
            sum += FloatVector.fromMemorySegment(S, ALL, a + o, LE).mul(FloatVector.fromMemorySegment(S, ALL, b + o, LE)).reduceLanes(VectorOperators.ADD);
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
        if (n >= 4 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int bound = n - n % (4 * L);
            for (; i < bound; i += 4 * L) {
                long o = (long) i * 4;
                FloatVector d0 = FloatVector.fromMemorySegment(S, ALL, a + o, LE).sub(FloatVector.fromMemorySegment(S, ALL, b + o, LE));
                FloatVector d1 = FloatVector.fromMemorySegment(S, ALL, a + o + 4L * L, LE).sub(FloatVector.fromMemorySegment(S, ALL, b + o + 4L * L, LE));
                FloatVector d2 = FloatVector.fromMemorySegment(S, ALL, a + o + 8L * L, LE).sub(FloatVector.fromMemorySegment(S, ALL, b + o + 8L * L, LE));
                FloatVector d3 = FloatVector.fromMemorySegment(S, ALL, a + o + 12L * L, LE).sub(FloatVector.fromMemorySegment(S, ALL, b + o + 12L * L, LE));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i + L <= n; i += L) {
            long o = (long) i * 4;
            FloatVector d = FloatVector.fromMemorySegment(S, ALL, a + o, LE).sub(FloatVector.fromMemorySegment(S, ALL, b + o, LE));
            sum += d.mul(d).reduceLanes(VectorOperators.ADD);
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
