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
 *   <li><b>Partly empty calls.</b> The JIT compiles a kernel once it has been called often enough,
 *       whatever each call does. So 3 calls in 4 ({@link #EMPTY_MASK}) have length 0 and do no
 *       vector work; the others cycle through {@link #LONG} and {@link #SHORT} and, for the item
 *       coder, an exact and a rounding step, which together take every path of the kernels: a
 *       path never taken would be compiled as a trap, and the first real vector to take it would
 *       throw the compiled code away. When every call had a real length, a fresh process's
 *       warm-up allocated 250–390 MiB of vector objects, kept both compiler threads busy with the
 *       Vector API's own Java code, and took ~1 s; the first batch of 1,000 items into a 500k HNSW
 *       index in such a process took a median 2.44–2.69 s against 2.03–2.04 s with 127 empty
 *       calls in 128 (two sets of five interleaved runs; docs/BENCHMARKS.md, fourteenth session).
 *       But that sparse a profile compiled slow kernels: the kernel's own compiled code, which
 *       callers that do not inline it run, came out about half as fast, and a Fashion-MNIST
 *       search process fell from ~10,300 to ~5,500 q/s at ef 40 for as long as its walk called
 *       it (6 s); a cosine build took 16.6–16.9 s instead of 13.1–13.2 s (docs/BENCHMARKS.md,
 *       twenty-ninth session). One real call in 8 was enough there, one in 16 not; one in 4
 *       leaves a margin.</li>
 *   <li><b>Stopping when compiled.</b> After each round from {@link #PROBE_FROM} calls on, it
 *       times one {@link #LONG} call of each kernel still running, through {@link #call}, whose
 *       call sites reach the kernel's own compiled entry, the one real callers reach, as long as
 *       C2 has not compiled {@code call} itself with a small kernel inlined; {@link #MAX_PROBES}
 *       keeps it below the ~5,000 calls C2 waits for. Compiled, the call takes well under a
 *       microsecond; not yet, tens of microseconds.</li>
 *   <li><b>Waiting, not spinning, once the compilation is due.</b> From {@link #BURST} calls on,
 *       each round ends with a 1 ms pause, leaving the cores to the compilers and the
 *       application. It keeps calling, though: HotSpot drops a queued compilation whose method
 *       has not run for 50 ms ({@code TieredCompileTaskTimeout}).</li>
 * </ul>
 * When the JIT cannot compile with C2 ({@code -Xint}, {@code -XX:TieredStopAtLevel} below 4) it
 * stops after {@link #C2_CHECK} calls rather than run on until it gives up.
 *
 * <pre>{@code
 * KernelWarmUp.run(Kernels.get(), KernelWarmUp.SHARED, () -> {}, null, KernelWarmUp.GIVE_UP_NANOS);
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
     * With 4, 8 or 16 lanes (128 to 512 bits), 279 takes the unrolled loop, the one-vector tail
     * and the scalar tail (272 + 4 + 3, 256 + 16 + 7, 256 + 16 + 7); 19 takes the loops with no
     * tail or no unrolled part, and 0, most calls, none of them. (275 missed the one-vector tail
     * with 4 lanes: 272 + 3.)
     */
    static final int LONG = 279;
    /** A call {@code i} is empty (length 0) unless {@code (i & EMPTY_MASK) == 0}: see the class comment. */
    static final int EMPTY_MASK = 3;
    static final int SHORT = 19;
    /** Steps of the item coder: integers code exactly with step 1, and round with 0.3. */
    private static final float EXACT = 1f;
    private static final float ROUNDING = 1f / 0.3f;
    static final int ROUND = 256;
    /** Calls before the first probe: the JIT asks for at least ~5,000 before it uses C2. */
    static final int PROBE_FROM = 4_096;
    /** Calls from which each round ends with a pause: the compilations are due by then. */
    static final int BURST = 8_192;
    /**
     * Calls after which, if no kernel has been seen compiled yet, the run asks whether this JVM
     * compiles with C2 at all ({@link #c2Compiles}: 20–40 ms of management beans in a fresh
     * process, so not asked when the answer shows anyway).
     */
    static final int C2_CHECK = 32_768;
    /**
     * Probes per run: with the two stages of {@link Kernels}, at most 3,000 calls of {@link #call}
     * in a process, below the ~5,000 after which C2 would compile it. A run needed ~50–200 rounds
     * of probes here.
     */
    static final int MAX_PROBES = 1_500;
    /**
     * How long a kernel may take to compile before it is given up on: with one C2 thread,
     * kernels queued behind each other took up to 0.3 s here alone, and longer in a busy process.
     */
    static final long GIVE_UP_NANOS = 10_000_000_000L;
    /** A compiled {@link #LONG} call takes ~0.2 µs here, one running as objects 25–300 µs. */
    private static final long COMPILED_NANOS = 2_000;

    private final VectorKernels kernels;
    /** Two vectors of zeros, {@link #LONG} floats each. */
    private final long a;
    private final long b;
    /** Codes of zeros, {@link #LONG} bytes, read by the int8 kernels. */
    private final long code;
    /** Where the item coder writes: not {@link #code}, which must stay zeros. */
    private final long coded;

    private KernelWarmUp(VectorKernels kernels, Arena arena) {
        this.kernels = kernels;
        this.a = arena.allocate(8L * LONG + 64, 64).address();
        this.b = a + 4L * LONG + 4;
        this.code = arena.allocate(LONG + 64L, 64).address();
        this.coded = arena.allocate(LONG + 64L, 64).address();
    }

    /**
     * Warms up {@code which} (constants of this class) of {@code kernels}, running {@code pause}
     * before each round (it may block), and gives a kernel up after {@code giveUpNanos} not spent
     * in {@code pause}, once the run has made {@link #MAX_PROBES}, or when no kernel is compiled
     * after {@link #C2_CHECK} calls and this JVM has no C2. When
     * {@code calls} is not null, sets it to how many calls each kernel took to be seen compiled,
     * or to -1 when it was given up on. Throws {@link AssertionError} when a kernel's result on
     * zeros is not 0.
     */
    static void run(VectorKernels kernels, int[] which, Runnable pause, int[] calls, long giveUpNanos) {
        try (Arena arena = Arena.ofConfined()) {
            new KernelWarmUp(kernels, arena).run(which, pause, calls, giveUpNanos);
        }
    }

    private void run(int[] which, Runnable pause, int[] calls, long giveUpNanos) {
        long start = System.nanoTime();
        long paused = 0; // not counted against giveUpNanos
        boolean[] done = new boolean[which.length];
        int running = which.length;
        int probes = 0;
        boolean anyCompiled = false;
        float sink = 0;
        int made = 0;
        while (running > 0) {
            long t = System.nanoTime();
            pause.run();
            paused += System.nanoTime() - t;
            sink += round(which, done, made);
            made += ROUND;
            boolean late = System.nanoTime() - start - paused > giveUpNanos
                    || made == C2_CHECK && !anyCompiled && !c2Compiles();
            for (int k = 0; k < which.length; k++) {
                if (done[k] || made < PROBE_FROM && !late) {
                    continue;
                }
                boolean spent = probes >= MAX_PROBES;
                boolean compiled = !late && !spent && compiled(which[k]);
                probes++;
                anyCompiled |= compiled;
                if (compiled || late || spent) {
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
        if (sink != 0) {
            throw new AssertionError("kernels of zeros returned " + sink);
        }
    }

    private float round(int[] which, boolean[] done, int made) {
        float sink = 0;
        for (int i = made; i < made + ROUND; i++) {
            int n = (i & EMPTY_MASK) != 0 ? 0 : (i & (EMPTY_MASK + 1)) == 0 ? LONG : SHORT;
            float step = (i & 256) == 0 ? EXACT : ROUNDING;
            for (int k = 0; k < which.length; k++) {
                if (done[k]) {
                    continue;
                }
                // the same calls as call(), written out: see there
                sink += switch (which[k]) {
                    case DOT -> kernels.dot(a, b, n);
                    case SQUARED_EUCLIDEAN -> kernels.squaredEuclidean(a, b, n);
                    case QUANTIZE -> kernels.quantize(a, coded, n, 1f, -1f, step) ? 0 : 0;
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
        float r = call(kernel);
        long took = System.nanoTime() - t;
        if (r != 0) {
            throw new AssertionError("kernel " + kernel + " of zeros returned " + r);
        }
        return took < COMPILED_NANOS;
    }

    /**
     * One {@link #LONG} call of {@code kernel}, for {@link #compiled} only. The loop of
     * {@link #round} runs hot and may be compiled with the smaller kernels inlined into it, after
     * which it no longer says whether the kernel's own entry is compiled; this method is called
     * too rarely for that ({@link #MAX_PROBES}).
     */
    private float call(int kernel) {
        return switch (kernel) {
            case DOT -> kernels.dot(a, b, LONG);
            case SQUARED_EUCLIDEAN -> kernels.squaredEuclidean(a, b, LONG);
            case QUANTIZE -> kernels.quantize(a, coded, LONG, 1f, -1f, EXACT) ? 0 : 0;
            case SQUARED_EUCLIDEAN_INT8 -> kernels.squaredEuclideanInt8(a, code, LONG);
            case SQUARED_EUCLIDEAN_BYTES -> kernels.squaredEuclideanBytes(code, code, LONG);
            case DOT_INT8 -> kernels.dotInt8(a, code, LONG);
            default -> throw new IllegalArgumentException("no kernel " + kernel);
        };
    }

    /**
     * Whether this JVM compiles with C2, so that a warm-up can end: false with {@code -Xint}, or
     * tiered compilation stopped below level 4. True when it cannot tell.
     */
    static boolean c2Compiles() {
        if (String.valueOf(System.getProperty("java.vm.info")).contains("interpreted")) {
            return false;
        }
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (vm == null) {
                return true;
            }
            if (!Boolean.parseBoolean(vm.getVMOption("UseCompiler").getValue())) {
                return false;
            }
            boolean tiered = Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue());
            return !tiered || Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4;
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }
}
