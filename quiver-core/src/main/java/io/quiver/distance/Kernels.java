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

    private Kernels() {}

    public static VectorKernels get() {
        return INSTANCE;
    }

    /**
     * Runs each Vector API kernel until the JIT has compiled it. Until then its vector operations
     * execute as plain Java objects, a hundred times slower: a cold 10-tree build of Fashion-MNIST
     * took 3.0 s instead of 1.5 s in its tree phase. Done on a background daemon thread (disable
     * with {@code -Dquiver.warmup=false}) while a process opens its store and reads its input.
     */
    private static void warmUp() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int n = 256;
            long a = arena.allocate(8L * n + 64, 64).address();
            long b = a + 4L * n + 4;
            float sink = 0;
            for (int i = 0; i < 20_000; i++) {
                sink += INSTANCE.dot(a, b, n) + INSTANCE.squaredEuclidean(a, b, n) + INSTANCE.squaredEuclideanInt8(a, b, n)
                        + INSTANCE.squaredEuclideanBytes(a, b, n);
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
