package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.reliability.Rel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A kernel gives the same bits for the same inputs whether the JIT has compiled it or not. The
 * Vector API leaves the order of a lane reduction open, and its compiled code summed the lanes in
 * another order than the interpreter: a third of 24-d pairs measured one rounding step apart before
 * and after compilation, so a one-thread build's graph, and copies found by equal distances,
 * depended on timing. Checked in a new JVM (no background warm-up), where the first calls run
 * interpreted.
 */
class KernelDeterminismTest {
    @Test
    void coldAndCompiledKernelsAgreeBitForBit() throws Exception {
        List<String> cmd = new ArrayList<>(Rel.java(ColdThenWarm.class));
        cmd.add(1, "-Dquiver.warmup=false");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("kernels: panama").contains("differing 0 of");
    }

    /** Child: each kernel on random inputs of several lengths, first cold, then after enough calls to compile it; prints the differences. */
    public static final class ColdThenWarm {
        public static void main(String[] args) {
            VectorKernels k = Kernels.get();
            int[] lengths = {3, 5, 8, 24, 40, 64, 100, 768, 785};
            Random r = new Random(11);
            List<float[]> cold = new ArrayList<>();
            try (Arena arena = Arena.ofConfined()) {
                List<long[]> inputs = new ArrayList<>();
                for (int n : lengths) {
                    MemorySegment a = arena.allocate(4L * n, 4);
                    MemorySegment b = arena.allocate(4L * n, 4);
                    MemorySegment c = arena.allocate(n, 1);
                    MemorySegment e = arena.allocate(n, 1);
                    for (int i = 0; i < n; i++) {
                        a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian() * 40);
                        b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian() * 40);
                        c.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
                        e.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
                    }
                    inputs.add(new long[] {a.address(), b.address(), c.address(), e.address(), n});
                }
                for (long[] in : inputs) {
                    cold.add(all(k, in));
                }
                for (int rep = 0; rep < 20_000; rep++) {
                    for (long[] in : inputs) {
                        all(k, in);
                    }
                }
                int differing = 0;
                int total = 0;
                for (int i = 0; i < inputs.size(); i++) {
                    float[] warm = all(k, inputs.get(i));
                    for (int j = 0; j < warm.length; j++) {
                        total++;
                        if (Float.floatToRawIntBits(warm[j]) != Float.floatToRawIntBits(cold.get(i)[j])) {
                            differing++;
                            System.out.println("length " + inputs.get(i)[4] + " kernel " + j + ": cold " + cold.get(i)[j] + " warm " + warm[j]);
                        }
                    }
                }
                System.out.println("kernels: " + k.name() + ", differing " + differing + " of " + total);
            }
        }

        private static float[] all(VectorKernels k, long[] in) {
            int n = (int) in[4];
            return new float[] {k.dot(in[0], in[1], n), k.squaredEuclidean(in[0], in[1], n), k.manhattan(in[0], in[1], n),
                k.squaredEuclideanInt8(in[0], in[2], n), k.dotInt8(in[0], in[2], n), k.squaredEuclideanBytes(in[2], in[3], n)};
        }
    }
}
