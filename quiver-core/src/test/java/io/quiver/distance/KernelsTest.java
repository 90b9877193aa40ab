package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.storage.NativeMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KernelsTest {
    private final VectorKernels scalar = new ScalarKernels();
    private final VectorKernels panama = new PanamaKernels();

    @Test
    void bothWarmUpStagesRunToTheEnd() throws InterruptedException {
        // The search stage starts on request (a search, or a tool about to search) and runs after
        // the shared one; each checks that its kernels of zeros returned zero.
        Kernels.warmUpSearchKernelsInBackground();
        Kernels.warmUpSearchKernelsInBackground(); // once per JVM
        assertThat(Kernels.awaitWarmUp(120_000)).isTrue();
    }

    @Test
    void theVectorApiIsChosenWhenAvailable() {
        assertThat(Kernels.get().name()).startsWith("panama");
    }

    /** Both implementations on random vectors at odd offsets (LMDB does not align values). */
    @Property(tries = 200)
    void panamaAndScalarAgree(@ForAll @IntRange(min = 1, max = 1600) int n, @ForAll @IntRange(min = 0, max = 7) int misalign, @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(8L * n + 64);
            long a = seg.address() + misalign;
            long b = a + 4L * n + 3;
            double dot = 0, l2 = 0, l1 = 0;
            for (int i = 0; i < n; i++) {
                float x = (float) r.nextGaussian();
                float y = (float) r.nextGaussian();
                NativeMemory.putFloat(a + 4L * i, x);
                NativeMemory.putFloat(b + 4L * i, y);
                dot += (double) x * y;
                l2 += (double) (x - y) * (x - y);
                l1 += Math.abs(x - y);
            }
            double tol = 1e-4 * n + 1e-3;
            assertThat((double) scalar.dot(a, b, n)).isCloseTo(dot, within(tol));
            assertThat((double) panama.dot(a, b, n)).isCloseTo(dot, within(tol));
            assertThat((double) scalar.squaredEuclidean(a, b, n)).isCloseTo(l2, within(tol));
            assertThat((double) panama.squaredEuclidean(a, b, n)).isCloseTo(l2, within(tol));
            assertThat((double) scalar.manhattan(a, b, n)).isCloseTo(l1, within(tol));
            assertThat((double) panama.manhattan(a, b, n)).isCloseTo(l1, within(tol));
            int words = (n + 63) / 64;
            assertThat(panama.hamming(a, b, Math.min(words, n / 2))).isEqualTo(scalar.hamming(a, b, Math.min(words, n / 2)));
        }
    }

    /** The int8 kernel: float query against signed byte codes, at odd offsets, all code values. */
    @Property(tries = 200)
    void int8KernelsAgree(@ForAll @IntRange(min = 1, max = 1600) int n, @ForAll @IntRange(min = 0, max = 7) int misalign, @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(5L * n + 64);
            long q = seg.address() + misalign;
            long c = q + 4L * n + 1;
            double l2 = 0;
            double dot = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                float x = (float) (r.nextGaussian() * 100);
                byte y = (byte) r.nextInt(256);
                NativeMemory.putFloat(q + 4L * i, x);
                NativeMemory.ALL.set(java.lang.foreign.ValueLayout.JAVA_BYTE, c + i, y);
                l2 += (double) (x - y) * (x - y);
                dot += (double) x * y;
                magnitude += Math.abs((double) x * y);
            }
            double tol = 1e-5 * l2 + 1e-3;
            assertThat((double) scalar.squaredEuclideanInt8(q, c, n)).isCloseTo(l2, within(tol));
            assertThat((double) panama.squaredEuclideanInt8(q, c, n)).isCloseTo(l2, within(tol));
            // a signed sum: its rounding error scales with the sum of the terms' magnitudes
            double dotTol = 1e-5 * magnitude + 1e-3;
            assertThat((double) scalar.dotInt8(q, c, n)).isCloseTo(dot, within(dotTol));
            assertThat((double) panama.dotInt8(q, c, n)).isCloseTo(dot, within(dotTol));
            // two codes: the query's bytes against the codes, shifted by one byte
            long b = c + 1;
            double bytes = 0;
            for (int i = 0; i + 1 < n; i++) {
                int d = NativeMemory.getByte(c + i) - NativeMemory.getByte(b + i);
                bytes += d * d;
            }
            assertThat((double) scalar.squaredEuclideanBytes(c, b, n - 1)).isCloseTo(bytes, within(1e-5 * bytes + 1));
            assertThat((double) panama.squaredEuclideanBytes(c, b, n - 1)).isCloseTo(bytes, within(1e-5 * bytes + 1));
        }
    }

    /**
     * Coding floats as int8: both implementations give the bytes of the definition, for values
     * below, inside and above the range, halves, negative zero and odd offsets.
     */
    @Property(tries = 200)
    void quantizingAgreesWithTheDefinition(@ForAll @IntRange(min = 1, max = 1600) int n, @ForAll @IntRange(min = 0, max = 7) int misalign,
            @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        // A third of the vectors are integers inside an integer range (pixels): codes that are exact.
        boolean integers = r.nextInt(3) == 0;
        float scale = integers || r.nextBoolean() ? 1f : (float) (0.01 + r.nextDouble());
        float lo = integers ? r.nextInt(200) - 100 : (float) (r.nextGaussian() * 10);
        float inv = integers ? 1f : (float) (0.5 + r.nextDouble() * 20);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(6L * n + 64);
            long src = seg.address() + misalign;
            long d1 = src + 4L * n + 1;
            long d2 = d1 + n;
            byte[] expected = new byte[n];
            boolean expectedExact = true;
            for (int i = 0; i < n; i++) {
                float x = integers && r.nextInt(50) > 0 ? lo + r.nextInt(256) : switch (r.nextInt(6)) {
                    case 0 -> -0f;
                    case 1 -> (lo + (r.nextInt(256) + 0.5f) / inv) / scale; // near a rounding edge
                    case 2 -> (float) (r.nextGaussian() * 1e4); // far out of range
                    default -> (lo + (float) r.nextDouble() * 256 / inv) / scale;
                };
                NativeMemory.putFloat(src + 4L * i, x);
                float t = (x * scale - lo) * inv;
                float u = Math.min(Math.max(t, 0f), 255f);
                expected[i] = (byte) ((int) (u + 0.5f) - 128);
                expectedExact &= t == Math.rint(t) && t >= 0 && t <= 255;
            }
            assertThat(scalar.quantize(src, d1, n, scale, lo, inv)).as("scalar exactness").isEqualTo(expectedExact);
            assertThat(panama.quantize(src, d2, n, scale, lo, inv)).as("panama exactness").isEqualTo(expectedExact);
            for (int i = 0; i < n; i++) {
                assertThat(NativeMemory.getByte(d1 + i)).as("scalar, component %d", i).isEqualTo(expected[i]);
                assertThat(NativeMemory.getByte(d2 + i)).as("panama, component %d", i).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void distancesMatchTheirDefinitions() {
        float[] x = {1, 2, 3, 4};
        float[] y = {2, 0, 3, -1};
        try (Arena arena = Arena.ofConfined()) {
            for (DistanceKind kind : DistanceKind.values()) {
                Distance d = kind.create(4);
                long a = arena.allocate(d.itemBytes()).address();
                long b = arena.allocate(d.itemBytes()).address();
                d.encode(x, a);
                d.encode(y, b);
                float shown = d.userDistance(d.distance(a, b));
                float expected = switch (kind) {
                    case EUCLIDEAN -> (float) Math.sqrt(1 + 4 + 0 + 25);
                    case MANHATTAN -> 1 + 2 + 0 + 5;
                    case COSINE -> (float) (1 - (2 + 0 + 9 - 4) / (Math.sqrt(30) * Math.sqrt(14)));
                    case DOT -> -(2 + 0 + 9 - 4);
                    // bits: x = 1111, y = 1010 -> 2 differing bits
                    case HAMMING -> 2;
                    case BQ_EUCLIDEAN -> (float) (2 * Math.sqrt(2));
                    case BQ_MANHATTAN -> 4;
                    case BQ_COSINE -> 2f * 2 / 4;
                };
                assertThat(shown).as(kind.cliName()).isCloseTo(expected, within(1e-5f));
                assertThat(d.decode(a)).hasSize(4);
            }
        }
    }
}
