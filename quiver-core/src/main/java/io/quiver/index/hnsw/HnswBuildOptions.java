package io.quiver.index.hnsw;

import io.quiver.index.BuildCommon;
import io.quiver.index.BuildCommonBuilder;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;

/**
 * How to build an HNSW graph.
 *
 * <pre>{@code
 * HnswBuildOptions opts = HnswBuildOptions.builder().m(16).efConstruction(200).threads(4).build();
 * writer.build(opts);
 * }</pre>
 *
 * <p>{@code m}, {@code m0}, {@code efConstruction}, {@code alpha} and {@code seed} shape the graph:
 * they are taken from these options when the graph is built from scratch (first build, conversion,
 * {@code forceRebuild}) and stored; incremental builds keep the stored values so that one graph is
 * never a mix of two shapes.
 *
 * @param m links per node on the upper levels (and the number a new node picks on every level)
 * @param m0 the cap of links per node on level 0 (default {@code 2 * m})
 * @param efConstruction beam width while inserting, at least {@code m} (default: 200, or {@code m} when larger)
 * @param alpha DiskANN-style pruning slack: 1.0 is the plain HNSW heuristic, larger keeps more
 *     (longer) links. Applied to the ordering distance (squared for Euclidean)
 * @param forceRebuild rebuild the whole graph from the stored items
 * @param common threads, seed, cancellation, progress, int8 codes (with codes, the graph is built
 *     and walked on them and a search re-ranks its beam with the exact vectors)
 */
public record HnswBuildOptions(int m, int m0, int efConstruction, float alpha, boolean forceRebuild, BuildCommon common) {
    public HnswBuildOptions {
        if (m < 2 || m > 1024) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "m must be in 2..1024, got " + m);
        }
        if (m0 < m || m0 > 4096) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "m0 must be in m.." + 4096 + ", got " + m0);
        }
        if (efConstruction < m) {
            // A new node links to up to m of what its beam finds: a beam of 1 on 3,000 16-d items
            // left 2,592 of them unreachable (a review helper's run), whatever m was.
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "efConstruction must be at least m (" + m + "), got " + efConstruction
                    + ": a new node links to up to m of the nodes its beam finds, and a narrower beam leaves the graph in unreachable islands");
        }
        if (!(alpha >= 1f) || !Float.isFinite(alpha)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "alpha must be at least 1.0 and finite, got " + alpha);
        }
        if (common == null) {
            common = BuildCommon.defaults();
        }
    }

    public static HnswBuildOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends BuildCommonBuilder<Builder> {
        private int m = 16;
        private int m0;
        /** 0: 200, or m when larger. */
        private int efConstruction;
        private float alpha = 1f;
        private boolean forceRebuild;

        public Builder m(int m) {
            this.m = m;
            return this;
        }

        /** Level-0 link cap; 0 (the default) means {@code 2 * m}. */
        public Builder m0(int m0) {
            this.m0 = m0;
            return this;
        }

        /** Beam width while inserting, at least {@code m}; 0 (the default) means 200, or {@code m} when larger. */
        public Builder efConstruction(int ef) {
            this.efConstruction = ef;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = (float) alpha;
            return this;
        }

        public Builder forceRebuild(boolean force) {
            this.forceRebuild = force;
            return this;
        }

        public HnswBuildOptions build() {
            return new HnswBuildOptions(m, m0 == 0 ? 2 * m : m0, efConstruction == 0 ? Math.max(200, m) : efConstruction, alpha, forceRebuild,
                    common());
        }
    }
}
