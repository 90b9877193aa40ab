package io.quiver.bench;

import io.quiver.distance.PanamaKernels;
import io.quiver.distance.ScalarKernels;
import io.quiver.distance.VectorKernels;
import io.quiver.storage.NativeMemory;
import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The distance kernels on vectors at unaligned addresses, as LMDB hands them out: the Vector API
 * path against the scalar fallback. The int8 kernels read the first {@code dims} bytes of the
 * second vector as a code (any bytes are a valid code). Run: {@code java -jar quiver-bench/target/quiver-bench.jar KernelBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class KernelBenchmark {
    @Param({"128", "784", "1536"})
    int dims;

    @Param({"panama", "scalar"})
    String impl;

    private Arena arena;
    private long a;
    private long b;
    private VectorKernels k;

    @Setup(Level.Trial)
    public void setup() {
        k = impl.equals("panama") ? new PanamaKernels() : new ScalarKernels();
        arena = Arena.ofConfined();
        // +1 and +3: LMDB values are not aligned
        a = arena.allocate(4L * dims + 64, 64).address() + 1;
        b = arena.allocate(4L * dims + 64, 64).address() + 3;
        Random r = new Random(1);
        for (int i = 0; i < dims; i++) {
            NativeMemory.putFloat(a + 4L * i, (float) r.nextGaussian());
            NativeMemory.putFloat(b + 4L * i, (float) r.nextGaussian());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float dot() {
        return k.dot(a, b, dims);
    }

    @Benchmark
    public float squaredEuclidean() {
        return k.squaredEuclidean(a, b, dims);
    }

    @Benchmark
    public float manhattan() {
        return k.manhattan(a, b, dims);
    }

    /** Float query against an int8 code (graph walks and forest ranking on codes); b's bytes serve as the code. */
    @Benchmark
    public float squaredEuclideanInt8() {
        return k.squaredEuclideanInt8(a, b, dims);
    }

    /** Float query against a forest split's int8 normal (every step of a forest search). */
    @Benchmark
    public float dotInt8() {
        return k.dotInt8(a, b, dims);
    }

    /** Int8 code against int8 code (HNSW builds on codes). */
    @Benchmark
    public float squaredEuclideanBytes() {
        return k.squaredEuclideanBytes(a, b, dims);
    }

    @Benchmark
    public int hamming() {
        return k.hamming(a, b, dims / 64);
    }
}
