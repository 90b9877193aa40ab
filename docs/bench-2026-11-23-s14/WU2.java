import java.lang.reflect.*;
public class WU2 {
    public static void main(String[] a) throws Exception {
        long t0 = System.nanoTime();
        Class<?> k = Class.forName("io.quiver.distance.Kernels");
        k.getMethod("warmUpInBackground").invoke(null);
        Method aw = k.getDeclaredMethod("awaitWarmUp", long.class);
        aw.setAccessible(true);
        aw.invoke(null, 60000L);
        long t1 = System.nanoTime();
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        String calls = "";
        try { Field f = k.getDeclaredField("WARM_UP_CALLS"); f.setAccessible(true); calls = java.util.Arrays.toString((int[]) f.get(null)); for (String nm : new String[]{"WARM_UP_NANOS","WARM_UP_BEST"}) { Field g = k.getDeclaredField(nm); g.setAccessible(true); calls += " " + java.util.Arrays.toString((long[]) g.get(null)); } } catch (NoSuchFieldException e) {}
        long comp = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        System.out.printf("warmup wall %.3f s allocated %.1f MiB compile_ms %d calls %s%n", (t1 - t0) / 1e9, mx.getTotalThreadAllocatedBytes() / 1048576.0, comp, calls);
    }
}
