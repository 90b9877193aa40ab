package io.quiver.distance;


import io.quiver.storage.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the JDK Vector API, loading lanes straight from LMDB's unaligned memory through one
 * global segment: no copy, no allocation. Only loaded when {@code jdk.incubator.vector} is present.
 */
public final class PanamaKernels implements VectorKernels {
    private static final VectorSpecies<Float> S = atMost512(species());
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** As many byte lanes as {@code S} has float lanes, for widening int8 codes. */
    private static final VectorSpecies<Byte> BYTES = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /** The float lanes the int8-code kernels widen into (see {@link #codeSpecies()}). */
    private static final VectorSpecies<Float> C = atMost512(codeSpecies());
    private static final int LC = C.length();
    private static final VectorSpecies<Byte> CODE_BYTES = LC >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LC * 8)) : null;

    // Lane i takes lane i + h (wrapping), for the fixed-order sums of sumLanes; null when h is not below the lanes.
    private static final VectorShuffle<Float> S8 = shift(S, 8);
    private static final VectorShuffle<Float> S4 = shift(S, 4);
    private static final VectorShuffle<Float> C8 = shift(C, 8);
    private static final VectorShuffle<Float> C4 = shift(C, 4);

    private static VectorShuffle<Float> shift(VectorSpecies<Float> species, int h) {
        return h < species.length() ? VectorShuffle.iota(species, h, 1, true) : null;
    }

    /**
     * The sum of {@code v}'s lanes in one fixed order: halves added lane by lane until one lane is
     * left, {@code half8} and {@code half4} being the species' shuffles ({@link #S8} and
     * {@link #S4}, or {@link #C8} and {@link #C4}; null when it has too few lanes). Not the Vector
     * API's lane reduction, whose order is left open: the JIT's code added the lanes in another
     * order than the interpreter's, so one pair of vectors measured apart by a rounding step before
     * and after the kernel was compiled (a third of 24-d pairs), and a 1-thread build's graph
     * depended on when that happened. (Halving through narrower vectors with
     * {@code reinterpretShape} instead was not compiled to vector code on the AMD EPYC VM: the
     * int8 kernels ran 3-9x slower and the warm-up never saw them fast.)
     */
    private static float sumLanes(FloatVector v, VectorShuffle<Float> half8, VectorShuffle<Float> half4) {
        if (half8 != null) {
            v = v.add(v.rearrange(half8));
        }
        if (half4 != null) {
            v = v.add(v.rearrange(half4));
        }
        // the last two halvings as scalars (cheaper than two more shuffles, same order)
        return (v.lane(0) + v.lane(2)) + (v.lane(1) + v.lane(3));
    }

    /**
     * The float kernels' width: the CPU's widest on Intel, at most 256 bits elsewhere, or
     * {@code -Dquiver.simd.bits=128|256|512}.
     */
    private static VectorSpecies<Float> species() {
        // 512-bit lanes measured no faster than 256-bit ones on the AMD EPYC (Zen) machines we ran
        // on (KernelBenchmark, 784-d: ~190 against ~100 ns under load once, 66-69 ns both when
        // idle): unaligned 64-byte loads split a cache line every time and Zen executes 512-bit
        // operations as two halves. On the Intel Xeon VMs of later sessions they were faster:
        // 43.1 against 56.7 ns (JMH, 784-d), Fashion-MNIST cosine builds 13.9-14.3 against
        // 15.2-15.8 s, steady 500k incremental batches 4-7% (docs/BENCHMARKS.md, 19th and 20th sessions).
        boolean capped = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256 && !intelCpu();
        return fromProperty("quiver.simd.bits", capped ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED);
    }

    /** Whether /proc/cpuinfo names an Intel CPU (false where it cannot be read). */
    static boolean intelCpu() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst().map(l -> l.contains("GenuineIntel")).orElse(false);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The int8-code kernels take the CPU's widest lanes, unlike the float ones: their code loads
     * are a quarter as wide (16 bytes for 16 lanes), so the split cache lines that make 512-bit
     * float loads slow here are rare, and each widening instruction does twice the work. Measured
     * with KernelBenchmark on the AMD EPYC machines we run on, 784 dimensions: float query vs code
     * 64-71 ns with 512-bit lanes, 86-89 ns with 256-bit ones; code vs code 68 vs 92-95 ns.
     * {@code -Dquiver.simd.codebits=128|256|512} overrides.
     */
    private static VectorSpecies<Float> codeSpecies() {
        return fromProperty("quiver.simd.codebits", FloatVector.SPECIES_PREFERRED);
    }

    /** {@code s} within 128 to 512 bits (sumLanes adds 4 to 16 lanes; no x86 CPU has more). */
    private static VectorSpecies<Float> atMost512(VectorSpecies<Float> s) {
        return s.vectorBitSize() > 512 ? FloatVector.SPECIES_512 : s.vectorBitSize() < 128 ? FloatVector.SPECIES_128 : s;
    }

    /** The width a system property names (128, 256 or 512 bits; anything else: the CPU's), or {@code otherwise} when unset. */
    private static VectorSpecies<Float> fromProperty(String property, VectorSpecies<Float> otherwise) {
        String bits = System.getProperty(property);
        if (bits == null) {
            return otherwise;
        }
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    /**
     * A segment of exactly {@code bytes} at {@code address}. Cheaper than it looks: escape analysis
     * removes the object, and the exact bound lets the JIT drop per-load checks that a segment
     * spanning the whole address space keeps (measured: 13 vs 30 ns for a 128-d dot product).
     */
    private static MemorySegment at(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public float dot(long a, long b, int n) {
        MemorySegment sa = at(a, 4L * n);
        MemorySegment sb = at(b, 4L * n);
        int i = 0;
        float sum = 0;
        FloatVector acc = FloatVector.zero(S);
        if (n >= 4 * L) {
            // four independent sums keep both FMA units busy despite their latency
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int bound = n - n % (4 * L);
            for (; i < bound; i += 4 * L) {
                long o = (long) i * 4;
                acc0 = FloatVector.fromMemorySegment(S, sa, o, LE).fma(FloatVector.fromMemorySegment(S, sb, o, LE), acc0);
                acc1 = FloatVector.fromMemorySegment(S, sa, o + 4L * L, LE).fma(FloatVector.fromMemorySegment(S, sb, o + 4L * L, LE), acc1);
                acc2 = FloatVector.fromMemorySegment(S, sa, o + 8L * L, LE).fma(FloatVector.fromMemorySegment(S, sb, o + 8L * L, LE), acc2);
                acc3 = FloatVector.fromMemorySegment(S, sa, o + 12L * L, LE).fma(FloatVector.fromMemorySegment(S, sb, o + 12L * L, LE), acc3);
            }
            acc = acc0.add(acc1).add(acc2.add(acc3));
        }
        for (; i + L <= n; i += L) {
            long o = (long) i * 4;
            acc = FloatVector.fromMemorySegment(S, sa, o, LE).fma(FloatVector.fromMemorySegment(S, sb, o, LE), acc);
        }
        if (n >= L) {
            sum = sumLanes(acc, S8, S4);
        }
        for (; i < n; i++) {
            sum += sa.get(NativeMemory.FLOAT, i * 4L) * sb.get(NativeMemory.FLOAT, i * 4L);
        }
        return sum;
    }

    @Override
    public float squaredEuclidean(long a, long b, int n) {
        MemorySegment sa = at(a, 4L * n);
        MemorySegment sb = at(b, 4L * n);
        int i = 0;
        float sum = 0;
        FloatVector acc = FloatVector.zero(S);
        if (n >= 4 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int bound = n - n % (4 * L);
            for (; i < bound; i += 4 * L) {
                long o = (long) i * 4;
                FloatVector d0 = FloatVector.fromMemorySegment(S, sa, o, LE).sub(FloatVector.fromMemorySegment(S, sb, o, LE));
                FloatVector d1 = FloatVector.fromMemorySegment(S, sa, o + 4L * L, LE).sub(FloatVector.fromMemorySegment(S, sb, o + 4L * L, LE));
                FloatVector d2 = FloatVector.fromMemorySegment(S, sa, o + 8L * L, LE).sub(FloatVector.fromMemorySegment(S, sb, o + 8L * L, LE));
                FloatVector d3 = FloatVector.fromMemorySegment(S, sa, o + 12L * L, LE).sub(FloatVector.fromMemorySegment(S, sb, o + 12L * L, LE));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            acc = acc0.add(acc1).add(acc2.add(acc3));
        }
        for (; i + L <= n; i += L) {
            long o = (long) i * 4;
            FloatVector d = FloatVector.fromMemorySegment(S, sa, o, LE).sub(FloatVector.fromMemorySegment(S, sb, o, LE));
            acc = d.fma(d, acc);
        }
        if (n >= L) {
            sum = sumLanes(acc, S8, S4);
        }
        for (; i < n; i++) {
            float d = sa.get(NativeMemory.FLOAT, i * 4L) - sb.get(NativeMemory.FLOAT, i * 4L);
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float squaredEuclideanInt8(long q, long c, int n) {
        // The codes' widening is written out at each use below: in a method of its own, which the
        // JIT stopped inlining once this kernel's budget ran out, it let the code segment escape,
        // one allocation per call (~28 KB per search at 500k × 768, ef 80; the fresh heap pages
        // that garbage faulted in slowed the first seconds of a process by a fifth).
        MemorySegment sq = at(q, 4L * n);
        MemorySegment sc = at(c, n);
        int i = 0;
        float sum = 0;
        if (CODE_BYTES != null && n >= 4 * LC) {
            // LC bytes widen to LC float lanes (sign-extend, then convert); four sums as in dot.
            FloatVector acc0 = FloatVector.zero(C);
            FloatVector acc1 = FloatVector.zero(C);
            FloatVector acc2 = FloatVector.zero(C);
            FloatVector acc3 = FloatVector.zero(C);
            int bound = n - n % (4 * LC);
            for (; i < bound; i += 4 * LC) {
                long o = (long) i * 4;
                FloatVector d0 = FloatVector.fromMemorySegment(C, sq, o, LE).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d1 = FloatVector.fromMemorySegment(C, sq, o + 4L * LC, LE).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d2 = FloatVector.fromMemorySegment(C, sq, o + 8L * LC, LE).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + 2L * LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d3 = FloatVector.fromMemorySegment(C, sq, o + 12L * LC, LE).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + 3L * LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            for (; i + LC <= n; i += LC) {
                FloatVector d = FloatVector.fromMemorySegment(C, sq, (long) i * 4, LE).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i, LE).convertShape(VectorOperators.B2F, C, 0)));
                acc0 = d.fma(d, acc0);
            }
            sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)), C8, C4);
        }
        for (; i < n; i++) {
            float d = sq.get(NativeMemory.FLOAT, i * 4L) - sc.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float dotInt8(long q, long c, int n) {
        // the widening written out at each use, as in squaredEuclideanInt8: a helper let the segments escape
        MemorySegment sq = at(q, 4L * n);
        MemorySegment sc = at(c, n);
        int i = 0;
        float sum = 0;
        if (CODE_BYTES != null && n >= 4 * LC) {
            FloatVector acc0 = FloatVector.zero(C);
            FloatVector acc1 = FloatVector.zero(C);
            FloatVector acc2 = FloatVector.zero(C);
            FloatVector acc3 = FloatVector.zero(C);
            int bound = n - n % (4 * LC);
            for (; i < bound; i += 4 * LC) {
                long o = (long) i * 4;
                acc0 = FloatVector.fromMemorySegment(C, sq, o, LE).fma(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i, LE).convertShape(VectorOperators.B2F, C, 0)), acc0);
                acc1 = FloatVector.fromMemorySegment(C, sq, o + 4L * LC, LE).fma(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + LC, LE).convertShape(VectorOperators.B2F, C, 0)), acc1);
                acc2 = FloatVector.fromMemorySegment(C, sq, o + 8L * LC, LE).fma(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + 2L * LC, LE).convertShape(VectorOperators.B2F, C, 0)), acc2);
                acc3 = FloatVector.fromMemorySegment(C, sq, o + 12L * LC, LE).fma(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i + 3L * LC, LE).convertShape(VectorOperators.B2F, C, 0)), acc3);
            }
            for (; i + LC <= n; i += LC) {
                acc0 = FloatVector.fromMemorySegment(C, sq, (long) i * 4, LE).fma(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sc, i, LE).convertShape(VectorOperators.B2F, C, 0)), acc0);
            }
            sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)), C8, C4);
        }
        for (; i < n; i++) {
            sum += sq.get(NativeMemory.FLOAT, i * 4L) * sc.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
        }
        return sum;
    }

    @Override
    public boolean quantize(long src, long dst, int n, float scale, float lo, float inv) {
        MemorySegment ss = at(src, 4L * n);
        MemorySegment sd = at(dst, n);
        int i = 0;
        boolean exact = true;
        if (BYTES != null) {
            // Clamp, round half up by truncation, shift to signed, then narrow the int lanes to
            // bytes: Java's casts, lane by lane, so the bytes equal the scalar path's. A lane is
            // exact when its rounded value converts back to the unclamped one.
            for (; i + L <= n; i += L) {
                FloatVector t = FloatVector.fromMemorySegment(S, ss, 4L * i, LE).mul(scale).sub(lo).mul(inv);
                IntVector c = (IntVector) t.max(0f).min(255f).add(0.5f).convert(VectorOperators.F2I, 0);
                exact &= c.convert(VectorOperators.I2F, 0).compare(VectorOperators.EQ, t).allTrue();
                c.sub(128).convertShape(VectorOperators.I2B, BYTES, 0).reinterpretAsBytes().intoMemorySegment(sd, i, LE);
            }
        }
        for (; i < n; i++) {
            float t = (ss.get(NativeMemory.FLOAT, 4L * i) * scale - lo) * inv;
            int c = (int) (Math.min(Math.max(t, 0f), 255f) + 0.5f);
            exact &= c == t;
            sd.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (c - 128));
        }
        return exact;
    }

    @Override
    public float squaredEuclideanBytes(long a, long b, int n) {
        // the widening written out at each use, as in squaredEuclideanInt8: a helper let the segments escape
        MemorySegment sa = at(a, n);
        MemorySegment sb = at(b, n);
        int i = 0;
        float sum = 0;
        if (CODE_BYTES != null && n >= 4 * LC) {
            // The terms are integers: each lane sums them exactly up to 2^24 and rounds beyond,
            // like any float sum; the scalar path sums in int.
            FloatVector acc0 = FloatVector.zero(C);
            FloatVector acc1 = FloatVector.zero(C);
            FloatVector acc2 = FloatVector.zero(C);
            FloatVector acc3 = FloatVector.zero(C);
            int bound = n - n % (4 * LC);
            for (; i < bound; i += 4 * LC) {
                FloatVector d0 = ((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sa, i, LE).convertShape(VectorOperators.B2F, C, 0)).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sb, i, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d1 = ((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sa, i + LC, LE).convertShape(VectorOperators.B2F, C, 0)).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sb, i + LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d2 = ((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sa, i + 2L * LC, LE).convertShape(VectorOperators.B2F, C, 0)).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sb, i + 2L * LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                FloatVector d3 = ((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sa, i + 3L * LC, LE).convertShape(VectorOperators.B2F, C, 0)).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sb, i + 3L * LC, LE).convertShape(VectorOperators.B2F, C, 0)));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            for (; i + LC <= n; i += LC) {
                FloatVector d = ((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sa, i, LE).convertShape(VectorOperators.B2F, C, 0)).sub(((FloatVector) ByteVector.fromMemorySegment(CODE_BYTES, sb, i, LE).convertShape(VectorOperators.B2F, C, 0)));
                acc0 = d.fma(d, acc0);
            }
            sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)), C8, C4);
        }
        for (; i < n; i++) {
            int d = sa.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) - sb.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
            sum += d * d;
        }
        return sum;
    }


    @Override
    public float manhattan(long a, long b, int n) {
        MemorySegment sa = at(a, 4L * n);
        MemorySegment sb = at(b, 4L * n);
        int i = 0;
        float sum = 0;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            int bound = n - n % L;
            for (; i < bound; i += L) {
                long o = (long) i * 4;
                FloatVector d = FloatVector.fromMemorySegment(S, sa, o, LE)
                        .sub(FloatVector.fromMemorySegment(S, sb, o, LE));
                acc = acc.add(d.abs());
            }
            sum = sumLanes(acc, S8, S4);
        }
        for (; i < n; i++) {
            sum += Math.abs(sa.get(NativeMemory.FLOAT, i * 4L) - sb.get(NativeMemory.FLOAT, i * 4L));
        }
        return sum;
    }

    @Override
    public int hamming(long a, long b, int words) {
        // Long.bitCount compiles to POPCNT; AVX2 has no wider popcount worth the shuffle tricks.
        MemorySegment sa = at(a, 8L * words);
        MemorySegment sb = at(b, 8L * words);
        int d = 0;
        for (int i = 0; i < words; i++) {
            d += Long.bitCount(sa.get(NativeMemory.LONG, i * 8L) ^ sb.get(NativeMemory.LONG, i * 8L));
        }
        return d;
    }

    @Override
    public String name() {
        return "panama-" + S.vectorBitSize() + "bit";
    }
}
