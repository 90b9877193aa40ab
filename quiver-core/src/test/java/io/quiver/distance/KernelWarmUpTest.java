package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelWarmUpTest {
    /** Kernel ids of KernelWarmUp in order: the method each must reach. */
    private static final String[] METHODS = {"dot", "squaredEuclidean", "quantize", "squaredEuclideanInt8", "squaredEuclideanBytes", "dotInt8"};
    private static final int[] ALL = {0, 1, 2, 3, 4, 5};

    /**
     * Counts each method's calls by length (and the coder's by step); spins on the long length in
     * the methods marked slow, so that those are never seen compiled. Returns 0 (kernels of
     * zeros) except where told otherwise.
     */
    private static final class RecordingKernels implements VectorKernels {
        private final boolean[] slow;
        /** Returned by dot for the short length only: wrong where no probe looks. */
        private final float dotShortError;
        /** [method][0: n = 0, 1: LONG, 2: SHORT, 3: other] */
        final AtomicIntegerArray calls = new AtomicIntegerArray(METHODS.length * 4);
        /** [LONG or SHORT][exact or rounding] */
        final AtomicIntegerArray coderSteps = new AtomicIntegerArray(4);

        RecordingKernels(boolean[] slow, float dotShortError) {
            this.slow = slow;
            this.dotShortError = dotShortError;
        }

        private int record(int method, int n) {
            int length = n == 0 ? 0 : n == KernelWarmUp.LONG ? 1 : n == KernelWarmUp.SHORT ? 2 : 3;
            calls.incrementAndGet(method * 4 + length);
            if (slow[method] && n == KernelWarmUp.LONG) {
                long end = System.nanoTime() + 5_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
            return length;
        }

        int calls(int method, int length) {
            return calls.get(method * 4 + length);
        }

        int calls(int method) {
            return calls(method, 0) + calls(method, 1) + calls(method, 2) + calls(method, 3);
        }

        @Override public float dot(long a, long b, int n) { return record(0, n) == 2 ? dotShortError : 0; }
        @Override public float squaredEuclidean(long a, long b, int n) { record(1, n); return 0; }
        @Override public float manhattan(long a, long b, int n) { throw new AssertionError("not warmed up"); }
        @Override public float squaredEuclideanInt8(long q, long c, int n) { record(3, n); return 0; }
        @Override public float dotInt8(long q, long c, int n) { record(5, n); return 0; }
        @Override public float squaredEuclideanBytes(long a, long b, int n) { record(4, n); return 0; }
        @Override public int hamming(long a, long b, int words) { throw new AssertionError("not warmed up"); }
        @Override public String name() { return "recording"; }

        @Override
        public boolean quantize(long src, long dst, int n, float scale, float lo, float inv) {
            int length = record(2, n);
            if (length == 1 || length == 2) {
                coderSteps.incrementAndGet((length - 1) * 2 + (inv == 1f ? 0 : 1));
            }
            return true;
        }
    }

    private static boolean[] slow(int... methods) {
        boolean[] s = new boolean[METHODS.length];
        for (int m : methods) {
            s[m] = true;
        }
        return s;
    }

    @Test
    void seesEachVectorApiKernelCompiled() {
        // They run as objects, tens of microseconds a call, until C2 compiles them; the warm-up
        // must notice that and not give them up (60 s: this JVM runs other tests meanwhile).
        // Both stages in one: the coder writes elsewhere than the codes the int8 kernels read.
        int[] calls = new int[ALL.length];
        KernelWarmUp.run(new PanamaKernels(), ALL, () -> {}, calls, 60_000_000_000L);
        assertThat(Arrays.stream(calls).boxed()).allSatisfy(c -> assertThat(c).isPositive());
    }

    @Test
    void lengthsTakeEveryPathWithFourToSixteenLanes() {
        int[] lengths = {0, KernelWarmUp.LONG, KernelWarmUp.SHORT};
        for (int lanes : new int[] {4, 8, 16}) {
            boolean unrolled = false, notUnrolled = false, tail = false, noTail = false, scalar = false, noScalar = false;
            for (int n : lengths) {
                int rest = n >= 4 * lanes ? n % (4 * lanes) : n;
                unrolled |= n >= 4 * lanes;
                notUnrolled |= n < 4 * lanes;
                tail |= rest >= lanes;
                noTail |= rest < lanes;
                scalar |= n % lanes > 0;
                noScalar |= n % lanes == 0;
            }
            assertThat(new boolean[] {unrolled, notUnrolled, tail, noTail, scalar, noScalar}).as("%d lanes", lanes).containsOnly(true);
        }
        assertThat(Kernels.ALL_PATHS_LENGTH).isEqualTo(KernelWarmUp.LONG);
    }

    @Test
    void eachKernelGetsMostlyEmptyCallsAndEveryPathFromItsOwnMethod() {
        RecordingKernels k = new RecordingKernels(slow(0, 1, 2, 3, 4, 5), 0);
        AtomicInteger rounds = new AtomicInteger();
        int[] calls = new int[ALL.length];
        KernelWarmUp.run(k, ALL, rounds::incrementAndGet, calls, 100_000_000L);
        int r = rounds.get();
        assertThat(r).isGreaterThan(KernelWarmUp.PROBE_FROM / KernelWarmUp.ROUND);
        // a quarter of each round's calls are real, half of those long and half short
        int real = KernelWarmUp.ROUND / (KernelWarmUp.EMPTY_MASK + 1);
        for (int m = 0; m < METHODS.length; m++) {
            assertThat(calls[m]).as(METHODS[m]).isEqualTo(-1); // given up: never fast
            assertThat(k.calls(m, 0)).as(METHODS[m]).isEqualTo((KernelWarmUp.ROUND - real) * r);
            assertThat(k.calls(m, 2)).as(METHODS[m]).isEqualTo(real / 2 * r);
            // the probes add long calls, one a round at most
            assertThat(k.calls(m, 1)).as(METHODS[m]).isBetween(real / 2 * r + 1, (real / 2 + 1) * r);
            assertThat(k.calls(m, 3)).as(METHODS[m]).isZero();
        }
        // the coder gets both steps at both lengths: both outcomes of its exactness test
        for (int i = 0; i < 4; i++) {
            assertThat(k.coderSteps.get(i)).as("length and step %d", i).isPositive();
        }
    }

    @Test
    void aKernelSeenCompiledIsCalledNoMore() {
        RecordingKernels k = new RecordingKernels(slow(1), 0);
        int[] calls = new int[2];
        KernelWarmUp.run(k, new int[] {0, 1}, () -> {}, calls, 100_000_000L);
        assertThat(calls[0]).isPositive();
        assertThat(calls[1]).isEqualTo(-1);
        int probes = calls[0] / KernelWarmUp.ROUND - KernelWarmUp.PROBE_FROM / KernelWarmUp.ROUND + 1;
        assertThat(k.calls(0)).isEqualTo(calls[0] + probes);
        assertThat(k.calls(1)).isGreaterThan(k.calls(0));
    }

    @Test
    void timeSpentPausedDoesNotCountTowardsGivingUp() {
        AtomicInteger rounds = new AtomicInteger();
        Runnable pause = () -> {
            rounds.incrementAndGet();
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        };
        KernelWarmUp.run(new RecordingKernels(slow(2), 0), new int[] {2}, pause, null, 20_000_000L);
        assertThat(rounds.get()).isGreaterThan(8); // 4 pauses alone would have used up the 20 ms
    }

    @Test
    void aKernelThatDoesNotReturnZeroOnZerosFails() {
        // wrong for the short length only, which no probe times: the sum of all results tells
        assertThatThrownBy(() -> KernelWarmUp.run(new RecordingKernels(slow(), 1), new int[] {0}, () -> {}, null, 100_000_000L))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("of zeros returned");
    }

    /** Run in a JVM without C2 by {@link #withoutC2ItStopsAtTheCheckInsteadOfRunningOn}. */
    static final class WithoutC2 {
        public static void main(String[] args) {
            int[] calls = new int[KernelWarmUp.SHARED.length];
            AtomicInteger rounds = new AtomicInteger();
            KernelWarmUp.run(new PanamaKernels(), KernelWarmUp.SHARED, rounds::incrementAndGet, calls, 60_000_000_000L);
            System.out.println("calls " + Arrays.toString(calls) + " rounds " + rounds.get());
        }
    }

    @Test
    void withoutC2ItStopsAtTheCheckInsteadOfRunningOn() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCommand, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Dquiver.warmup=false", "-cp", System.getProperty("java.class.path"), WithoutC2.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        // given up at the check, not at the probe limit (516 rounds) nor at the 60 s
        assertThat(out).contains("calls [-1, -1, -1] rounds " + KernelWarmUp.C2_CHECK / KernelWarmUp.ROUND);
    }

    @Test
    void theJitOfThisTestRunCompilesWithC2() {
        // the surefire JVM runs with the default tiered compilation
        assertThat(KernelWarmUp.c2Compiles()).isTrue();
    }
}
