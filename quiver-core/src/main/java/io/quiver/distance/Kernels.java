package io.quiver.distance;

/**
 * Chooses the kernel implementation once per JVM: the Vector API when the
 * {@code jdk.incubator.vector} module is resolved (run with {@code --add-modules jdk.incubator.vector})
 * and not disabled with {@code -Dquiver.simd=false}; plain loops otherwise.
 */
public final class Kernels {
    private static final VectorKernels INSTANCE = choose();
    private static final boolean WARM_UP = INSTANCE instanceof PanamaKernels && !"false".equalsIgnoreCase(System.getProperty("quiver.warmup"));
    /** Builds running: see {@link #buildStarted()}. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING_BUILDS = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicBoolean SEARCH_WARM_UP_STARTED = new java.util.concurrent.atomic.AtomicBoolean();
    /** The warm-up of the kernels every build and search uses; null when there is none. */
    private static final Thread BUILD_WARM_UP;
    /** The warm-up of the search-only kernels, once started; null before. */
    private static volatile Thread searchWarmUp;
    /** What a warm-up thread died of, if one did (tests). */
    private static volatile Throwable warmUpFailure;

    static {
        BUILD_WARM_UP = WARM_UP
                ? Thread.ofPlatform().daemon().name("quiver-kernel-warmup").priority(Thread.MIN_PRIORITY)
                        .uncaughtExceptionHandler(Kernels::warmUpFailed).start(Kernels::warmUpSharedKernels)
                : null;
    }

    private Kernels() {}

    /**
     * Tells the warm-up that a build is running, until {@link #buildEnded()}: the search-only
     * kernels' warm-up (see {@link #warmUpSearchKernelsInBackground()}) pauses meanwhile and
     * resumes once no build runs, as on two cores it would take a core from the build.
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

    /** Waits while a build runs (the search warm-up thread only). */
    private static void yieldToBuilds() {
        while (RUNNING_BUILDS.get() > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    public static VectorKernels get() {
        return INSTANCE;
    }

    /**
     * Starts the background warm-up of the kernels that builds and searches share (see
     * {@link #warmUpSharedKernels}) if it has not started: a command-line tool calls this first
     * thing, so that the kernels compile while it opens its store and reads its input rather than
     * while it builds.
     */
    public static void warmUpInBackground() {
        // class initialisation has started it
    }

    /**
     * Starts compiling, on a background daemon thread and once per JVM, the kernels that only
     * searches use: the int8-code distances and the forest search's float-by-int8 dot product. The
     * first search of a process calls this; a tool that is about to search, and not to build,
     * calls it first thing, after {@link #warmUpInBackground()}. It runs after the shared kernels'
     * warm-up and pauses while a build runs (HNSW and forest builds say so through
     * {@link #buildStarted()}).
     *
     * <p>It is not started with the shared kernels because a process that builds first loses by
     * it: running these kernels as Java objects until the JIT compiles them, and the compilations
     * that queues, took the cores from the build. A fresh process inserting 1,000 items into a
     * 500k HNSW index: first batch 1.81 s (median of five) with this stage started at the first
     * search, 2.37 s with it started at class loading and pausing only once the build began
     * (docs/BENCHMARKS.md, seventh session).
     *
     * <pre>{@code
     * Kernels.warmUpInBackground();
     * Kernels.warmUpSearchKernelsInBackground(); // this process serves searches
     * }</pre>
     */
    public static void warmUpSearchKernelsInBackground() {
        if (WARM_UP && !SEARCH_WARM_UP_STARTED.get() && SEARCH_WARM_UP_STARTED.compareAndSet(false, true)) {
            Thread t = Thread.ofPlatform().daemon().name("quiver-search-kernel-warmup").priority(Thread.MIN_PRIORITY)
                    .uncaughtExceptionHandler(Kernels::warmUpFailed).unstarted(Kernels::warmUpSearchKernels);
            searchWarmUp = t; // before it runs, so that awaitWarmUp always sees it
            t.start();
        }
    }

    private static void warmUpFailed(Thread t, Throwable e) {
        warmUpFailure = e;
        System.err.println("quiver: kernel warm-up failed on " + t.getName() + ": " + e);
    }

    /**
     * Waits for the warm-up threads started so far (tests). Returns whether they all ended in
     * time; throws what one died of.
     */
    static boolean awaitWarmUp(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (Thread t : new Thread[] {BUILD_WARM_UP, searchWarmUp}) {
            if (t != null) {
                t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000L));
                if (t.isAlive()) {
                    return false;
                }
            }
        }
        if (warmUpFailure != null) {
            throw new AssertionError("kernel warm-up failed", warmUpFailure);
        }
        return true;
    }

    /** Lengths that take every path of the kernels: see {@link #warmUpSharedKernels}. */
    private static final int[] LENGTHS = {275, 19};
    private static final int MAX_LENGTH = 275;

    /**
     * Runs each Vector API kernel that builds use until the JIT has compiled it. Until then its
     * vector operations execute as plain Java objects, a hundred times slower: a cold 10-tree build
     * of Fashion-MNIST took 3.0 s instead of 1.5 s in its tree phase. Done on a background daemon
     * thread (disable with {@code -Dquiver.warmup=false}) while a process opens its store and reads
     * its input.
     *
     * <p>The lengths take every path of the kernels (the unrolled loop, the one-vector tail, the
     * scalar tail, and a length below the unrolled width), for any vector width up to 512 bits:
     * a path the warm-up never took is compiled as a trap, and the first real vector that takes it
     * throws the compiled code away (seen as "made not entrant: uncommon trap" for 784 dimensions
     * when the warm-up used 256). The float kernels, which every build uses, go first.
     */
    private static void warmUpSharedKernels() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long a = arena.allocate(8L * MAX_LENGTH + 64, 64).address();
            long b = a + 4L * MAX_LENGTH + 4;
            float sink = 0;
            for (int i = 0; i < 16_000; i++) {
                int n = LENGTHS[i & 1];
                sink += INSTANCE.dot(a, b, n) + INSTANCE.squaredEuclidean(a, b, n);
            }
            // Coding items: a build from scratch codes every item in one burst, an incremental one
            // the items it inserted, at its end. Both outcomes of the exactness test: with step 1
            // the zeros code exactly, with step 0.3 they round; a path the warm-up never took would
            // be compiled as a trap (see above). 8,000 calls, because after 2,000 the coding kernel
            // had only reached C1 (-XX:+PrintCompilation), where the Vector API runs as Java
            // objects: a fresh process's first incremental build then spent 13-219 ms (median
            // 131 ms) coding 1,000 new items, against 10-29 ms now (eight interleaved rounds at 50k
            // and 500k). The compilation is triggered by call and loop counts, not time; the
            // warm-up takes ~0.05 s longer.
            ScalarQuantizer exact = new ScalarQuantizer(DistanceKind.EUCLIDEAN, MAX_LENGTH, -1f, 1f);
            ScalarQuantizer rounding = new ScalarQuantizer(DistanceKind.EUCLIDEAN, MAX_LENGTH, -1f, 0.3f);
            long code = arena.allocate(exact.codeBytes() + 64L, 64).address();
            for (int i = 0; i < 8_000; i++) {
                ((i & 1) == 0 ? exact : rounding).encodeItem(a, code);
            }
            if (sink != 0) {
                throw new AssertionError("kernels of zeros returned " + sink);
            }
        }
    }

    /** The search-only stage: see {@link #warmUpSearchKernelsInBackground()}. */
    private static void warmUpSearchKernels() {
        try {
            if (BUILD_WARM_UP != null) {
                BUILD_WARM_UP.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long a = arena.allocate(8L * MAX_LENGTH + 64, 64).address();
            long b = a + 4L * MAX_LENGTH + 4;
            float sink = 0;
            for (int i = 0; i < 16_000; i++) {
                if ((i & 255) == 0) {
                    yieldToBuilds();
                }
                int n = LENGTHS[i & 1];
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
