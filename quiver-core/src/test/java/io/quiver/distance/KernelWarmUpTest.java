package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KernelWarmUpTest {
    /** Scalar kernels that spin on every call of the long length: never seen as compiled. */
    private static final class SlowKernels implements VectorKernels {
        private final VectorKernels scalar = new ScalarKernels();
        /** Added to every dot product: a wrong kernel. */
        private final float dotError;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger longCalls = new AtomicInteger();
        final AtomicInteger shortCalls = new AtomicInteger();

        SlowKernels(float dotError) {
            this.dotError = dotError;
        }

        private int slow(int n) {
            calls.incrementAndGet();
            if (n == KernelWarmUp.SHORT) {
                shortCalls.incrementAndGet();
            } else if (n == KernelWarmUp.LONG) {
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
    void seesEachVectorApiKernelCompiled() {
        // They run as objects, tens of microseconds a call, until C2 compiles them; the warm-up
        // must notice that and not give them up (60 s: this JVM runs other tests meanwhile).
        for (int[] which : new int[][] {KernelWarmUp.SHARED, KernelWarmUp.SEARCH_ONLY}) {
            int[] calls = new int[which.length];
            assertThat(KernelWarmUp.run(new PanamaKernels(), which, () -> {}, calls, 60_000_000_000L)).isZero();
            assertThat(Arrays.stream(calls).boxed()).allSatisfy(c -> assertThat(c).isPositive());
        }
    }

    @Test
    void mostCallsAreEmptyAndTheRestTakeEveryPath() {
        SlowKernels slow = new SlowKernels(0);
        AtomicInteger rounds = new AtomicInteger();
        int[] calls = new int[1];
        KernelWarmUp.run(slow, new int[] {KernelWarmUp.DOT}, rounds::incrementAndGet, calls, 100_000_000L);
        assertThat(calls[0]).isEqualTo(-1); // given up: its long calls never got fast
        int made = 256 * rounds.get();
        int probes = rounds.get() - KernelWarmUp.PROBE_FROM / 256 + 1; // long calls, timed, once a round
        assertThat(slow.calls.get()).isEqualTo(made + probes);
        // one call in 128 has a real length, alternating between long and short
        assertThat(slow.longCalls.get() - probes).isEqualTo(made / 256);
        assertThat(slow.shortCalls.get()).isEqualTo(made / 256);
    }

    @Test
    void timeSpentPausedDoesNotCountTowardsGivingUp() {
        AtomicInteger rounds = new AtomicInteger();
        Runnable pause = () -> {
            rounds.incrementAndGet();
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        };
        KernelWarmUp.run(new SlowKernels(0), new int[] {KernelWarmUp.QUANTIZE}, pause, null, 20_000_000L);
        assertThat(rounds.get()).isGreaterThan(8); // 4 pauses alone would have used up the 20 ms
    }

    @Test
    void aKernelThatDoesNotReturnZeroOnZerosFails() {
        assertThatThrownBy(() -> KernelWarmUp.run(new SlowKernels(1), new int[] {KernelWarmUp.DOT}, () -> {}, null, 100_000_000L))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("of zeros returned");
    }
}
