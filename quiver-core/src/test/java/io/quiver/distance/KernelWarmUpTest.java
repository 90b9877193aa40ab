package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KernelWarmUpTest {
    /** Scalar kernels, with a pause on every call of the long length: never seen as compiled. */
    private static final class SlowKernels implements VectorKernels {
        private final VectorKernels scalar = new ScalarKernels();
        /** Added to every dot product: a wrong kernel. */
        private final float dotError;
        final AtomicInteger longCalls = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        SlowKernels(float dotError) {
            this.dotError = dotError;
        }

        private int slow(int n) {
            calls.incrementAndGet();
            if (n == KernelWarmUp.LONG) {
                longCalls.incrementAndGet();
                long end = System.nanoTime() + 5_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
            return n;
        }

        @Override public float dot(long a, long b, int n) { return scalar.dot(a, b, slow(n)) + dotError; }
        @Override public float squaredEuclidean(long a, long b, int n) { return scalar.squaredEuclidean(a, b, slow(n)); }
        @Override public float manhattan(long a, long b, int n) { return scalar.manhattan(a, b, slow(n)); }
        @Override public float squaredEuclideanInt8(long q, long c, int n) { return scalar.squaredEuclideanInt8(q, c, slow(n)); }
        @Override public float dotInt8(long q, long c, int n) { return scalar.dotInt8(q, c, slow(n)); }
        @Override public boolean quantize(long src, long dst, int n, float scale, float lo, float inv) { return scalar.quantize(src, dst, slow(n), scale, lo, inv); }
        @Override public float squaredEuclideanBytes(long a, long b, int n) { return scalar.squaredEuclideanBytes(a, b, slow(n)); }
        @Override public int hamming(long a, long b, int words) { return scalar.hamming(a, b, words); }
        @Override public String name() { return "slow"; }
    }

    @Test
    void stopsOnceTheJitHasCompiledEachKernel() {
        // The Vector API kernels run as objects, tens of microseconds a call, until C2 compiles
        // them; the warm-up must notice that long before it gives up.
        int[] calls = new int[KernelWarmUp.SHARED.length];
        float sink = KernelWarmUp.run(new PanamaKernels(), KernelWarmUp.SHARED, () -> {}, calls);
        assertThat(sink).isZero();
        assertThat(java.util.Arrays.stream(calls).boxed()).allSatisfy(c -> assertThat(c).isPositive().isLessThan(60_000));
        int[] searchCalls = new int[KernelWarmUp.SEARCH_ONLY.length];
        assertThat(KernelWarmUp.run(new PanamaKernels(), KernelWarmUp.SEARCH_ONLY, () -> {}, searchCalls)).isZero();
        assertThat(java.util.Arrays.stream(searchCalls).boxed()).allSatisfy(c -> assertThat(c).isPositive().isLessThan(60_000));
    }

    @Test
    void mostCallsAreEmptyAndEveryPathIsTaken() {
        // A kernel that never turns fast is given up on; the calls it got show the pattern.
        SlowKernels slow = new SlowKernels(0);
        int[] calls = new int[1];
        KernelWarmUp.run(slow, new int[] {KernelWarmUp.DOT}, () -> {}, calls);
        assertThat(calls[0]).isEqualTo(60_160); // whole rounds of 256, the first at or past 60,000
        int probes = 2 * (60_160 / 256);
        // one call in 32 has a real length, alternating long and short; the probes are long
        assertThat(slow.longCalls.get()).isEqualTo(60_160 / 64 + probes);
        assertThat(slow.calls.get()).isEqualTo(60_160 + probes);
    }

    @Test
    void pausesBeforeEveryRound() {
        AtomicInteger pauses = new AtomicInteger();
        KernelWarmUp.run(new SlowKernels(0), new int[] {KernelWarmUp.QUANTIZE}, pauses::incrementAndGet, null);
        assertThat(pauses.get()).isEqualTo(60_160 / 256);
    }

    @Test
    void aKernelThatDoesNotReturnZeroOnZerosFails() {
        assertThatThrownBy(() -> KernelWarmUp.run(new SlowKernels(1), new int[] {KernelWarmUp.DOT}, () -> {}, null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("of zeros returned");
    }
}
