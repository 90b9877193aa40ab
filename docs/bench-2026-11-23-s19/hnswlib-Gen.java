import java.io.*;
import java.nio.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.SplittableRandom;
public class Gen {
    // Clusters class below is extracted verbatim (sed) from IncrementalBenchmark.java
    static final class Clusters {
        private final float[][] centres;
        private final int dims;
        private final long seed;

        Clusters(int dims, int count, long seed) {
            this.dims = dims;
            this.seed = seed;
            SplittableRandom r = new SplittableRandom(seed);
            centres = new float[count][dims];
            for (float[] c : centres) {
                for (int d = 0; d < dims; d++) {
                    c[d] = (float) gaussian(r);
                }
            }
        }

        float[] vector(int id) {
            SplittableRandom r = new SplittableRandom(seed * 31 + id);
            float[] c = centres[r.nextInt(centres.length)];
            float[] v = new float[dims];
            for (int d = 0; d < dims; d++) {
                v[d] = c[d] + 0.3f * (float) gaussian(r);
            }
            return v;
        }

        private static double gaussian(SplittableRandom r) {
            // Box-Muller: SplittableRandom has no nextGaussian
            double u = 1 - r.nextDouble();
            double v = r.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }
    }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]); String out = a[1]; int dims = 768;
        Clusters data = new Clusters(dims, 1000, 42);
        for (int id : new int[]{0, 1, 123456, 507999}) { float[] v = data.vector(id);
            System.out.printf("vector(%d)[0..3] = %s %s %s %s%n", id, v[0], v[1], v[2], v[3]); }
        int chunk = 1000;
        try (FileChannel ch = FileChannel.open(Path.of(out), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            int nchunks = (n + chunk - 1) / chunk;
            java.util.stream.IntStream.range(0, nchunks).parallel().forEach(c -> {
                int lo = c * chunk, hi = Math.min(n, lo + chunk);
                ByteBuffer bb = ByteBuffer.allocate((hi - lo) * dims * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int id = lo; id < hi; id++) for (float f : data.vector(id)) bb.putFloat(f);
                bb.flip();
                try { long pos = (long) lo * dims * 4; while (bb.hasRemaining()) pos += ch.write(bb, pos); }
                catch (IOException e) { throw new UncheckedIOException(e); }
            });
        }
        System.out.println("wrote " + n + " x " + dims);
    }
}
