package io.quiver.distance;

/**
 * Chooses the kernel implementation once per JVM: the Vector API when the
 * {@code jdk.incubator.vector} module is resolved (run with {@code --add-modules jdk.incubator.vector})
 * and not disabled with {@code -Dquiver.simd=false}; plain loops otherwise.
 */
public final class Kernels {
    private static final VectorKernels INSTANCE = choose();

    private Kernels() {}

    public static VectorKernels get() {
        return INSTANCE;
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
