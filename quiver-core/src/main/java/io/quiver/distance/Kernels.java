package io.quiver.distance;

/**
 * Chooses the kernel implementation once per JVM: the Vector API when the
 * {@code jdk.incubator.vector} module is resolved (run with {@code --add-modules jdk.incubator.vector})
 * and not disabled with {@code -Dquiver.simd=false}; plain loops otherwise.
 */
public final class Kernels {
    private static final VectorKernels INSTANCE = choose();

    static {
        if (INSTANCE instanceof PanamaKernels && !"false".equalsIgnoreCase(System.getProperty("quiver.warmup"))) {
            Thread.ofPlatform().daemon().name("quiver-kernel-warmup").priority(Thread.MIN_PRIORITY).start(Kernels::warmUp);
        }
    }

    /** Builds running: see {@link #buildStarted()}. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING_BUILDS = new java.util.concurrent.atomic.AtomicInteger();

    private Kernels() {}

    /**
     * Tells the warm-up that a build is running, until {@link #buildEnded()}: it then holds back
     * the kernels that only searches need (the int8-code distances and the forest search's
     * float-by-int8 dot product; builds that measure on codes compile them by their own calls) and
     * finishes them once no build runs. On two cores that stage took a core from the first HNSW
     * insert batch of a fresh process for most of its 2-3 seconds, for kernels the batch never
     * called.
     *
     * <pre>{@code
     * Kernels.buildStarted();
     * try { runWorkersAndWrite(); } finally { Kernels.buildEnded(); }
     * }</pre>
     */
    public static void buildStarted() {
        RUNNING_BUILDS.incrementAndGet();
    }

    /** See {@link #buildStarted()}. */
    public static void buildEnded() {
        RUNNING_BUILDS.decrementAndGet();
    }

    /** Waits while a build runs (the warm-up thread only). */
    private static void yieldToBuilds() {
        while (RUNNING_BUILDS.get() > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    public static VectorKernels get() {
        return INSTANCE;
    }

    /**
     * Starts the background warm-up (see {@link #warmUp}) if it has not started: a command-line
     * tool calls this first thing, so that the kernels compile while it opens its store and reads
     * its input rather than while it builds.
     */
    public static void warmUpInBackground() {
        // class initialisation has started it
    }

    /**
     * Runs each Vector API kernel until the JIT has compiled it. Until then its vector operations
     * execute as plain Java objects, a hundred times slower: a cold 10-tree build of Fashion-MNIST
     * took 3.0 s instead of 1.5 s in its tree phase. Done on a background daemon thread (disable
     * with {@code -Dquiver.warmup=false}) while a process opens its store and reads its input.
     *
     * <p>The lengths take every path of the kernels (the unrolled loop, the one-vector tail, the
     * scalar tail, and a length below the unrolled width), for any vector width up to 512 bits:
     * a path the warm-up never took is compiled as a trap, and the first real vector that takes it
     * throws the compiled code away (seen as "made not entrant: uncommon trap" for 784 dimensions
     * when the warm-up used 256). The float kernels, which every build uses, go first.
     */
    private static void warmUp() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int[] lengths = {275, 19};
            int max = 275;
            long a = arena.allocate(8L * max + 64, 64).address();
            long b = a + 4L * max + 4;
            float sink = 0;
            for (int i = 0; i < 16_000; i++) {
                int n = lengths[i & 1];
                sink += INSTANCE.dot(a, b, n) + INSTANCE.squaredEuclidean(a, b, n);
            }
            // Coding items: a build from scratch codes every item in one burst. Both outcomes of
            // the exactness test: with step 1 the zeros code exactly, with step 0.3 they round;
            // a path the warm-up never took would be compiled as a trap (see above).
            ScalarQuantizer exact = new ScalarQuantizer(DistanceKind.EUCLIDEAN, max, -1f, 1f);
            ScalarQuantizer rounding = new ScalarQuantizer(DistanceKind.EUCLIDEAN, max, -1f, 0.3f);
            long code = arena.allocate(exact.codeBytes() + 64L, 64).address();
            for (int i = 0; i < 2_000; i++) {
                ((i & 1) == 0 ? exact : rounding).encodeItem(a, code);
            }
            for (int i = 0; i < 16_000; i++) {
                if ((i & 255) == 0) {
                    yieldToBuilds();
                }
                int n = lengths[i & 1];
                sink += INSTANCE.squaredEuclideanInt8(a, b, n) + INSTANCE.squaredEuclideanBytes(a, b, n) + INSTANCE.dotInt8(a, b, n);
            }
            if (sink != 0) {
                throw new AssertionError("kernels of zeros returned " + sink);
            }
        }
    }

    private static VectorKernels choose() {
        if ("false".equalsIgnoreCase(System.getProperty("quiver.simd"))) {
            return new ScalarKernels();
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new ScalarKernels();
        }
        try {
            return (VectorKernels) Class.forName("io.quiver.distance.PanamaKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new ScalarKernels();
        }
    }
}
