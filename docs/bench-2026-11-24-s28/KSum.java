import io.quiver.distance.*;
import java.lang.foreign.*;
import java.util.*;
public class KSum {
    public static void main(String[] a) {
        VectorKernels k = Kernels.get();
        Random r = new Random(3);
        long h = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {3, 4, 8, 16, 24, 33, 64, 100, 128, 784, 1536}) {
                for (int t = 0; t < 50; t++) {
                    MemorySegment x = arena.allocate(4L * n, 4), y = arena.allocate(4L * n, 4), c = arena.allocate(n), e = arena.allocate(n);
                    for (int i = 0; i < n; i++) { x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian()); y.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian()); c.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256)); e.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256)); }
                    float[] v = {k.dot(x.address(), y.address(), n), k.squaredEuclidean(x.address(), y.address(), n), k.manhattan(x.address(), y.address(), n), k.squaredEuclideanInt8(x.address(), c.address(), n), k.dotInt8(x.address(), c.address(), n), k.squaredEuclideanBytes(c.address(), e.address(), n)};
                    for (float f : v) h = h * 31 + Float.floatToRawIntBits(f);
                }
            }
        }
        System.out.println(k.name() + " hash " + Long.toHexString(h));
    }
}
