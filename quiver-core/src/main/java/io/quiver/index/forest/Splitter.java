package io.quiver.index.forest;

import java.util.SplittableRandom;

/** How a family of distances splits a set of items in two and routes an item down a split. */
abstract sealed class Splitter permits PlaneSplitter, BitSplitter {
    /**
     * A split of {@code ids} into two non-empty sides, or null when the items cannot be told apart
     * (duplicates): the caller then keeps them in one oversized leaf.
     */
    abstract BuildNode.Split createSplit(IntList ids, BuildSource src, SplittableRandom rnd);

    /**
     * Readies {@code split} for {@link #goesRight} calls on this thread (copies a plane's normal
     * into native scratch once, instead of once per routed item).
     */
    void prepare(BuildNode.Split split, BuildSource src) {}

    /** Whether the item at {@code item} goes to the right child of the last prepared split. */
    abstract boolean goesRight(BuildNode.Split split, long item, BuildSource src);

    /** Bytes of scratch memory a build thread needs. */
    abstract int scratchBytes();
}
