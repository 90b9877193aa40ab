package io.quiver.index.forest;

import io.quiver.index.BuildCommon;
import io.quiver.index.BuildCommonBuilder;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;

/**
 * How to build a forest.
 *
 * <pre>{@code
 * ForestBuildOptions opts = ForestBuildOptions.builder().nTrees(50).threads(2).seed(7).build();
 * }</pre>
 *
 * @param nTrees trees to keep; 0 picks a default from the leaf size (see {@link #treesFor(int)}).
 *     Fewer trees than already built drops the extra trees; more adds new ones.
 * @param splitAfter largest leaf (descendants node); 0 picks {@code clamp(dimensions, 32, 256)}
 * @param memoryBudget bytes of vectors a build keeps in its working set; 0 = unlimited. When the
 *     vectors exceed it, trees are grown from a sample that fits and the rest of the items are
 *     inserted in budget-sized chunks, as arroy's {@code available_memory} does
 * @param common threads, seed, cancellation and progress
 */
public record ForestBuildOptions(int nTrees, int splitAfter, long memoryBudget, BuildCommon common) {
    public ForestBuildOptions {
        if (nTrees < 0 || splitAfter < 0 || memoryBudget < 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "nTrees, splitAfter and memoryBudget must not be negative");
        }
        if (splitAfter == 1) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "splitAfter must be at least 2");
        }
        if (common == null) {
            common = BuildCommon.defaults();
        }
    }

    public static ForestBuildOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The leaf size used for {@code dimensions}. */
    public int leafSize(int dimensions) {
        return splitAfter > 0 ? splitAfter : Math.max(32, Math.min(256, dimensions));
    }

    /** The default tree count for a leaf size: more, smaller trees when leaves are large. */
    public static int treesFor(int leafSize) {
        return Math.max(10, Math.min(100, leafSize / 4));
    }

    public static final class Builder extends BuildCommonBuilder<Builder> {
        private int nTrees;
        private int splitAfter;
        private long memoryBudget;

        public Builder nTrees(int nTrees) {
            this.nTrees = nTrees;
            return this;
        }

        public Builder splitAfter(int splitAfter) {
            this.splitAfter = splitAfter;
            return this;
        }

        public Builder memoryBudget(long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        public ForestBuildOptions build() {
            return new ForestBuildOptions(nTrees, splitAfter, memoryBudget, common());
        }
    }
}
