package io.quiver.index.forest;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.distance.FloatDistance;
import io.quiver.distance.Kernels;
import io.quiver.index.BuildCommon;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.WorkingMemory;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds a small forest of random vectors, in memory, on a background daemon thread, so that the
 * JIT compiles the tree-building loops (two-means, the shared margin pass, the partition) before
 * a real build needs them. A short-lived process that imports vectors and then builds a forest
 * (such as {@code quiver bench}) otherwise runs its build's loops interpreted or in their first
 * compilation while the compiler threads take the same cores; started before the import, the
 * warm-up uses the time the import leaves idle. On Fashion-MNIST (10 trees, 2 threads) the build
 * of a fresh {@code quiver bench} took 1.78–1.99 s with it against 2.22–2.32 s without. A process
 * that builds at once gains nothing (the warm-up competes for the cores: {@code quiver build}
 * does not start it), and a long-running one has no need. It touches no store.
 * {@code -Dquiver.warmup=false} turns it off with the kernel warm-up.
 *
 * <pre>{@code
 * ForestWarmUp.startInBackground(); // before reading and importing the input
 * }</pre>
 */
public final class ForestWarmUp {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ForestWarmUp() {}

    /** Starts the warm-up once per process (later calls do nothing). */
    public static void startInBackground() {
        if (!STARTED.compareAndSet(false, true) || "false".equalsIgnoreCase(System.getProperty("quiver.warmup"))) {
            return;
        }
        Thread.ofPlatform().daemon().name("quiver-forest-warmup").priority(Thread.MIN_PRIORITY).start(ForestWarmUp::run);
    }

    private static void run() {
        // these dimensions take every path of the kernels; 3,000 items in leaves of 16 give each
        // loop enough trips to be compiled by the optimising compiler
        int dims = Kernels.ALL_PATHS_LENGTH;
        int n = 3000;
        FloatDistance d = (FloatDistance) DistanceKind.EUCLIDEAN.create(dims);
        long stride = ForestWriter.copyStride(d.itemBytes());
        try (WorkingMemory m = WorkingMemory.allocate(n * stride + 64)) {
            SplittableRandom r = new SplittableRandom(1);
            long[] addresses = new long[n];
            int[] ids = new int[n];
            VectorTable table = VectorTable.forRange(0, n - 1, n);
            for (int i = 0; i < n; i++) {
                long a = m.address() + i * stride;
                for (int k = 0; k < dims; k++) {
                    NativeMemory.putFloat(a + Distance.PAYLOAD + 4L * k, (float) r.nextGaussian());
                }
                addresses[i] = a;
                ids[i] = i;
                table.put(i, a);
            }
            PlaneSplitter splitter = new PlaneSplitter(d, 0f);
            LevelBuilder b = new LevelBuilder(splitter, ids, addresses, 16, dims);
            BuildCommon common = new BuildCommon(1, 1, () -> false, null, false);
            try (BuildSource src = new BuildSource(0, null, null, false, table, splitter.scratchBytes() + 64)) {
                for (int round = 0; round < 3; round++) {
                    SplittableRandom[] rnds = new SplittableRandom[4];
                    for (int t = 0; t < rnds.length; t++) {
                        rnds[t] = new SplittableRandom(round * 31 + t);
                    }
                    b.build(rnds, (tasks, task) -> {
                        for (int t = 0; t < tasks; t++) {
                            task.run(t, src, common);
                        }
                    }, level -> {});
                }
            }
        } catch (RuntimeException e) {
            // a warm-up only: a failure here changes nothing for real builds
        }
    }
}
