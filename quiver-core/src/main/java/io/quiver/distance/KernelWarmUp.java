package io.quiver.distance;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls Vector API kernels until the JIT has compiled each of them, at as little cost as it can:
 * until then every vector operation runs as Java objects, a hundred times slower than compiled,
 * and the JIT also compiles that object code because it runs hot. The warm-up threads of
 * {@link Kernels} run it in the background of a new process.
 *
 * <p>Three things keep it cheap:
 * <ul>
 *   <li><b>Mostly empty calls.</b> The JIT compiles a kernel once it has been called often enough,
 *       whatever the length. So 127 calls in 128 have length 0 and do no vector work, and the
 *       128th alternates between {@link #LONG} and {@link #SHORT}, which take every path of the
 *       kernels: a path never taken would be compiled as a trap, and the first real vector to
 *       take it would throw the compiled code away. When every call had a real length, a fresh
 *       process's warm-up allocated 250–390 MiB of vector objects, kept both compiler threads
 *       busy with the Vector API's own Java code, and took ~1 s; the first batch of 1,000 items
 *       into a 500k HNSW index in such a process took a median 2.64 s against 2.05 s with one
 *       call in 32 real (seven interleaved runs each), and 3.10 s against 2.19 s with one in 128
 *       in a slower hour (four each; docs/BENCHMARKS.md, fourteenth session). The
 *       sparse profile did not slow the compiled kernels (768-d, in cache: 60–90 ns a call
 *       either way).</li>
 *   <li><b>Stopping when compiled.</b> After each round from {@link #PROBE_FROM} calls on, it times
 *       a {@link #LONG} call of each kernel still running, from a method that itself stays in the interpreter or C1 (called
 *       once a round) and so reaches the kernel's own compiled entry, the one real callers
 *       reach: compiled, it takes well under a microsecond; not yet, tens of microseconds.</li>
 *   <li><b>Waiting, not spinning, once the compilation is due.</b> After {@link #BURST} calls
 *       the JIT has queued the kernels, and each round then ends with a 1 ms pause, leaving the
 *       cores to the compilers and the application. It keeps calling, though: HotSpot's tiered
 *       policy drops a queued compilation whose method has not run for 50 ms
 *       ({@code TieredCompileTaskTimeout}).</li>
 * </ul>
 *
 * <pre>{@code
 * float zero = KernelWarmUp.run(Kernels.get(), KernelWarmUp.SHARED, () -> {}, null, KernelWarmUp.GIVE_UP_NANOS); // 0
 * }</pre>
 */
final class KernelWarmUp {
    /** Kernels that builds and searches share. */
    static final int DOT = 0;
    static final int SQUARED_EUCLIDEAN = 1;
    static final int QUANTIZE = 2;
    /** Kernels that only searches use. */
    static final int SQUARED_EUCLIDEAN_INT8 = 3;
    static final int SQUARED_EUCLIDEAN_BYTES = 4;
    static final int DOT_INT8 = 5;

    static final int[] SHARED = {DOT, SQUARED_EUCLIDEAN, QUANTIZE};
    static final int[] SEARCH_ONLY = {SQUARED_EUCLIDEAN_INT8, SQUARED_EUCLIDEAN_BYTES, DOT_INT8};

    /**
     * 275 takes the unrolled loop, the one-vector tail and the scalar tail, and 19 only the
     * tails, for any vector width up to 512 bits.
     */
    static final int LONG = 275;
    static final int SHORT = 19;
    private static final int ROUND = 256;
    /** Calls before the first probe: the JIT asks for at least ~5,000 before it uses C2. */
    static final int PROBE_FROM = 4_096;
    /** Calls after which the compilations are due (the JIT asks for ~5,000, more when its queue is long). */
    private static final int BURST = 8_000;
    /**
     * How long a kernel may take to compile before it is given up on (the JIT is off or limited
     * to C1): with one C2 thread, kernels queued behind each other took up to 0.3 s here alone,
     * and longer in a busy process.
     */
    static final long GIVE_UP_NANOS = 10_000_000_000L;
    /** A compiled {@link #LONG} call takes ~0.2 µs here, one running as objects 25–300 µs. */
    private static final long COMPILED_NANOS = 2_000;

    private final VectorKernels kernels;
    private final long a;
    private final long b;
    private final long code;

    private KernelWarmUp(VectorKernels kernels, Arena arena) {
        this.kernels = kernels;
        // zeros: every kernel returns 0 on them, which run() checks
        this.a = arena.allocate(8L * LONG + 64, 64).address();
        this.b = a + 4L * LONG + 4;
        this.code = arena.allocate(LONG + 64L, 64).address();
    }

    /**
     * Warms up {@code which} (constants of this class) of {@code kernels}, running {@code pause}
     * before each round (it may block), and gives a kernel up after {@code giveUpNanos} not
     * spent in {@code pause}. Returns the sum of all results, 0 when the kernels work. When
     * {@code calls} is not null, sets it to how many calls each kernel took to be seen compiled,
     * or to -1 when it was given up on.
     */
    static float run(VectorKernels kernels, int[] which, Runnable pause, int[] calls, long giveUpNanos) {
        try (Arena arena = Arena.ofConfined()) {
            return new KernelWarmUp(kernels, arena).run(which, pause, calls, giveUpNanos);
        }
    }

    private float run(int[] which, Runnable pause, int[] calls, long giveUpNanos) {
        long start = System.nanoTime();
        long paused = 0; // not counted against giveUpNanos
        boolean[] done = new boolean[which.length];
        int running = which.length;
        float sink = 0;
        int made = 0;
        while (running > 0) {
            long t = System.nanoTime();
            pause.run();
            paused += System.nanoTime() - t;
            sink += round(which, done, made);
            made += ROUND;
            boolean late = System.nanoTime() - start - paused > giveUpNanos;
            for (int k = 0; k < which.length; k++) {
                if (done[k]) {
                    continue;
                }
                boolean compiled = made >= PROBE_FROM && compiled(which[k]);
                if (compiled || late) {
                    done[k] = true;
                    running--;
                    if (calls != null) {
                        calls[k] = compiled ? made : -1;
                    }
                }
            }
            if (made >= BURST && running > 0) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
        return sink;
    }

    private float round(int[] which, boolean[] done, int made) {
        float sink = 0;
        for (int i = made; i < made + ROUND; i++) {
            int n = (i & 127) != 0 ? 0 : (i & 128) == 0 ? LONG : SHORT;
            for (int k = 0; k < which.length; k++) {
                if (done[k]) {
                    continue;
                }
                // the same calls as call(), written out: see there
                sink += switch (which[k]) {
                    case DOT -> kernels.dot(a, b, n);
                    case SQUARED_EUCLIDEAN -> kernels.squaredEuclidean(a, b, n);
                    case QUANTIZE -> kernels.quantize(a, code, n, 1f, -1f, (i & 1) == 0 ? 1f : 1f / 0.3f) ? 0 : 0;
                    case SQUARED_EUCLIDEAN_INT8 -> kernels.squaredEuclideanInt8(a, code, n);
                    case SQUARED_EUCLIDEAN_BYTES -> kernels.squaredEuclideanBytes(code, code, n);
                    case DOT_INT8 -> kernels.dotInt8(a, code, n);
                    default -> throw new IllegalArgumentException("no kernel " + which[k]);
                };
            }
        }
        return sink;
    }

    /** Whether the kernel's own entry is compiled: a timed {@link #LONG} call (a slow one only costs a round). */
    private boolean compiled(int kernel) {
        long t = System.nanoTime();
        float r = call(kernel, LONG, 0);
        long took = System.nanoTime() - t;
        if (r != 0) {
            throw new AssertionError("kernel " + kernel + " of zeros returned " + r);
        }
        return took < COMPILED_NANOS;
    }

    /**
     * One call of {@code kernel}, for {@link #compiled} only. The loop of {@link #round} runs hot
     * and may be compiled with the smaller kernels inlined into it, after which it no longer says
     * whether the kernel's own entry is compiled; this method is called too rarely for that.
     */
    private float call(int kernel, int n, int i) {
        return switch (kernel) {
            case DOT -> kernels.dot(a, b, n);
            case SQUARED_EUCLIDEAN -> kernels.squaredEuclidean(a, b, n);
            // both outcomes of the exactness test: with step 1 the zeros code exactly, with 0.3 they round
            case QUANTIZE -> kernels.quantize(a, code, n, 1f, -1f, (i & 1) == 0 ? 1f : 1f / 0.3f) ? 0 : 0;
            case SQUARED_EUCLIDEAN_INT8 -> kernels.squaredEuclideanInt8(a, code, n);
            case SQUARED_EUCLIDEAN_BYTES -> kernels.squaredEuclideanBytes(code, code, n);
            case DOT_INT8 -> kernels.dotInt8(a, code, n);
            default -> throw new IllegalArgumentException("no kernel " + kernel);
        };
    }
}
