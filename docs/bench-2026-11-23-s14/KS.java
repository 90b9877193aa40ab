import java.lang.reflect.*;
import java.lang.foreign.*;
public class KS {
    public static void main(String[] x) throws Throwable {
        Class<?> k = Class.forName("io.quiver.distance.Kernels");
        k.getMethod("warmUpInBackground").invoke(null);
        Method aw = k.getDeclaredMethod("awaitWarmUp", long.class); aw.setAccessible(true); aw.invoke(null, 60000L);
        Object inst = k.getMethod("get").invoke(null);
        Class<?> vk = Class.forName("io.quiver.distance.VectorKernels");
        Method sq = vk.getMethod("squaredEuclidean", long.class, long.class, int.class);
        Method dot = vk.getMethod("dot", long.class, long.class, int.class);
        java.lang.invoke.MethodHandle h = java.lang.invoke.MethodHandles.lookup().unreflect(sq).bindTo(inst);
        java.lang.invoke.MethodHandle hd = java.lang.invoke.MethodHandles.lookup().unreflect(dot).bindTo(inst);
        Arena arena = Arena.ofShared();
        int n = 768, count = 16;
        long base = arena.allocate((long) count * n * 4 + 64, 64).address();
        java.util.Random r = new java.util.Random(1);
        for (long i = 0; i < (long) count * n; i++) MemorySegment.ofAddress(base + 4 * i).reinterpret(4).set(ValueLayout.JAVA_FLOAT, 0, r.nextFloat());
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime(); float s = 0;
            for (int i = 0; i < 10_000_000; i++) { int a = i & (count - 1), b = (i * 7 + 3) & (count - 1); s += (float) h.invokeExact(base + 4L * n * a, base + 4L * n * b, n); }
            long t1 = System.nanoTime();
            for (int i = 0; i < 10_000_000; i++) { int a = i & (count - 1), b = (i * 7 + 3) & (count - 1); s += (float) hd.invokeExact(base + 4L * n * a, base + 4L * n * b, n); }
            long t2 = System.nanoTime();
            System.out.printf("sq %.1f ns dot %.1f ns (%s)%n", (t1 - t0) / 1e7, (t2 - t1) / 1e7, s > 0);
        }
    }
}
