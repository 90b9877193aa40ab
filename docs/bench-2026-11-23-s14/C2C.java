public class C2C { public static void main(String[] a) throws Exception {
  long t0 = System.nanoTime();
  var m = Class.forName("io.quiver.distance.KernelWarmUp").getDeclaredMethod("c2Compiles"); m.setAccessible(true);
  long t1 = System.nanoTime();
  Object r = m.invoke(null);
  long t2 = System.nanoTime();
  System.out.printf("c2Compiles=%s took %.1f ms (class load %.1f ms)%n", r, (t2-t1)/1e6, (t1-t0)/1e6);
}}
