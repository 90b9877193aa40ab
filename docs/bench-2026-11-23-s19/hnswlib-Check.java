import java.lang.reflect.*;
import java.nio.*; import java.nio.channels.FileChannel; import java.nio.file.*;
public class Check {
    public static void main(String[] a) throws Exception {
        Class<?> c = Class.forName("io.quiver.bench.IncrementalBenchmark$Clusters");
        Constructor<?> k = c.getDeclaredConstructor(int.class, int.class, long.class); k.setAccessible(true);
        Object o = k.newInstance(768, 1000, 42L);
        Method m = c.getDeclaredMethod("vector", int.class); m.setAccessible(true);
        try (FileChannel ch = FileChannel.open(Path.of("data.f32"))) {
            int bad = 0;
            for (int id : new int[]{0, 1, 49999, 50000, 123456, 499999, 500000, 507999}) {
                float[] v = (float[]) m.invoke(o, id);
                ByteBuffer bb = ByteBuffer.allocate(768 * 4).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(bb, (long) id * 768 * 4); bb.flip();
                for (int d = 0; d < 768; d++) if (Float.floatToRawIntBits(bb.getFloat()) != Float.floatToRawIntBits(v[d])) bad++;
                System.out.printf("project vector(%d)[0..3] = %s %s %s %s%n", id, v[0], v[1], v[2], v[3]);
            }
            System.out.println("mismatching floats over 8 full vectors: " + bad);
        }
    }
}
