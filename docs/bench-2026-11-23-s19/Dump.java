import java.io.*; import java.nio.*; import java.nio.file.*; import java.util.*;
public class Dump { public static void main(String[] a) throws Exception {
  int n = Integer.parseInt(a[0]); long seed = Long.parseLong(a[1]); Random r = new Random(seed);
  ByteBuffer b = ByteBuffer.allocate(n * 24 * 4).order(ByteOrder.LITTLE_ENDIAN);
  for (int i = 0; i < n; i++) { int c = (i * 7919) % 40; for (int d = 0; d < 24; d++) b.putFloat((float) (c * 0.1 + r.nextGaussian())); }
  Files.write(Path.of(a[2]), b.array()); } }
