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

    /**
     * A vector length that takes every path of the kernels (unrolled loop, one-vector tail, scalar
     * tail) with 128- to 512-bit lanes, for warm-ups: see {@link KernelWarmUp#LONG}.
     */
    public static final int ALL_PATHS_LENGTH = KernelWarmUp.LONG;

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

    /**
     * Runs each Vector API kernel that builds use until the JIT has compiled it (see
     * {@link KernelWarmUp}). Until then its vector operations execute as plain Java objects, a
     * hundred times slower: a cold 10-tree build of Fashion-MNIST took 3.0 s instead of 1.5 s in
     * its tree phase, and a fresh process coding 1,000 new items at the end of an incremental
     * build 13–219 ms instead of 10–29 ms. Done on a background daemon thread (disable with
     * {@code -Dquiver.warmup=false}) while a process opens its store and reads its input.
     */
    private static void warmUpSharedKernels() {
        KernelWarmUp.run(INSTANCE, KernelWarmUp.SHARED, () -> {}, null, KernelWarmUp.GIVE_UP_NANOS);
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
        KernelWarmUp.run(INSTANCE, KernelWarmUp.SEARCH_ONLY, Kernels::yieldToBuilds, null, KernelWarmUp.GIVE_UP_NANOS);
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
