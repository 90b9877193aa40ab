package io.quiver.bench;

import io.quiver.index.ProgressTrace;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds one imported index from scratch several times in one JVM and prints each build's time
 * (build and commit), so that a build in a warm process (a long-running service) can be told
 * from the first build of a fresh one, which also pays for the JIT compiling the hot loops.
 * <pre>
 * quiver import --db DIR --distance euclidean base.fvecs
 * java ... io.quiver.bench.RepeatedBuild --db DIR --algo forest --trees 10 --threads 2 --reps 5
 * java ... io.quiver.bench.RepeatedBuild --db DIR --algo hnsw --m 16 --ef-construction 200 --threads 2 --reps 3
 * </pre>
 * A forest is rebuilt from scratch by converting the index to a one-link graph in between (not
 * timed); an HNSW graph with {@code forceRebuild}. Seeds differ per repetition.
 */
public final class RepeatedBuild {
    private RepeatedBuild() {}

    public static void main(String[] args) {
        Path db = null;
        String algo = "forest";
        int trees = 10;
        int m = 16;
        int efc = 200;
        int threads = Runtime.getRuntime().availableProcessors();
        int reps = 5;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--db" -> db = Path.of(args[i + 1]);
                case "--algo" -> algo = args[i + 1];
                case "--trees" -> trees = Integer.parseInt(args[i + 1]);
                case "--m" -> m = Integer.parseInt(args[i + 1]);
                case "--ef-construction" -> efc = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--reps" -> reps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (db == null || !(algo.equals("forest") || algo.equals("hnsw"))) {
            throw new IllegalArgumentException("usage: --db DIR --algo forest|hnsw [--trees T] [--m M --ef-construction E] [--threads N] [--reps R]");
        }
        boolean forest = algo.equals("forest");
        List<Double> seconds = new ArrayList<>();
        try (Store store = Store.open(db)) {
            for (int r = 0; r < reps; r++) {
                final long seed = 42 + r;
                final int t = trees;
                final int th = threads;
                final int mm = m;
                final int e = efc;
                if (forest) {
                    // from scratch: a conversion drops the trees and builds from every item
                    store.write(txn -> HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().m(2).m0(2).efConstruction(2).threads(th).int8Codes(false).build()));
                }
                long t0 = System.nanoTime();
                ProgressTrace trace = store.writeAndReturn(txn -> forest
                        ? ForestWriter.open(txn, 0).build(ForestBuildOptions.builder().nTrees(t).threads(th).seed(seed).build())
                        : HnswWriter.open(txn, 0).build(HnswBuildOptions.builder().m(mm).efConstruction(e).threads(th).seed(seed).forceRebuild(true).build()));
                double s = (System.nanoTime() - t0) / 1e9;
                seconds.add(s);
                StringBuilder steps = new StringBuilder();
                for (Map.Entry<String, Duration> step : trace.asMap().entrySet()) {
                    steps.append(String.format(Locale.ROOT, " %s=%.3f", step.getKey().replace(' ', '_'), step.getValue().toNanos() / 1e9));
                }
                System.out.printf(Locale.ROOT, "build %d: %.3f s (build + commit);%s%n", r + 1, s, steps);
            }
        }
        List<Double> warm = new ArrayList<>(seconds.subList(Math.min(1, seconds.size()), seconds.size()));
        Collections.sort(warm);
        if (!warm.isEmpty()) {
            System.out.printf(Locale.ROOT, "first build %.3f s; median of the later %d: %.3f s%n", seconds.get(0), warm.size(), warm.get(warm.size() / 2));
        }
    }
}
