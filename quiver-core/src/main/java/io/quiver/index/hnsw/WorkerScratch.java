package io.quiver.index.hnsw;

import io.quiver.storage.Store;
import java.util.ArrayDeque;

/**
 * The arrays a {@link BuildWorker} indexes by what it meets (visited marks, addresses per ordinal,
 * the id → ordinal array), kept from one build of an index to the next in the same process.
 * Allocated per build, they made an incremental build allocate in proportion to the index rather
 * than to the change: in a steady batch of 1,000 inserts into 500k items each worker grew
 * ~100k-entry arrays by doubling and zeroed a 2 MiB id → ordinal array, ~60% of the 500k batch's
 * heap allocation, and in a new process every such page is memory the kernel hands out and clears
 * first.
 *
 * <p>With dense ids the addresses are kept by id: 8 bytes per id of the span, plus a bit for the
 * visited marks (4 MiB per worker at 500k ids, ~32 MiB at the largest span the address cache
 * covers, 4M), where an id → ordinal array took 4 bytes per id and the rest grew with the ids a
 * worker met.
 *
 * <p>Between builds {@link #itemAddress} is all zeros (a worker clears what it set when it ends),
 * {@link #visited} is empty, and {@link #links0Address} entries are
 * rewritten before they are read.
 *
 * <pre>{@code
 * WorkerScratch.Pool pool = WorkerScratch.pool(store, index);
 * BuildWorker w = new BuildWorker(graph, snapshot, pool.take());
 * ... build ...
 * pool.giveBack(w.release());
 * }</pre>
 */
final class WorkerScratch {
    /**
     * A scratch whose arrays take more heap than this is dropped rather than kept (a build from
     * scratch of millions of items leaves visited marks that big; the next incremental build would
     * rather allocate what it needs).
     */
    static final long MAX_KEPT_BYTES = 64L << 20;

    /** Empty between builds. */
    final VisitedSet visited = new VisitedSet(256);
    /** Addresses by ordinal; all zeros between builds (see {@link BuildWorker#release}). */
    long[] itemAddress = new long[256];
    /** Where a worker lists the dense ordinals it set, to clear them when it ends. */
    int[] denseSet = new int[256];
    /** Only for builds without the shared level-0 list copies; null until such a build needs it. */
    long[] links0Address;

    long bytes() {
        return visited.bytes() + 8L * itemAddress.length + 4L * denseSet.length
                + (links0Address == null ? 0 : 8L * links0Address.length);
    }

    /** The scratch pool of {@code index} in {@code store}, created empty on first use. */
    static Pool pool(Store store, int index) {
        return store.attachment("hnsw-worker-scratch/" + index, Pool.class, Pool::new);
    }

    /** Scratch left by earlier builds of one index; builds of an index are serialised by LMDB's single writer. */
    static final class Pool {
        /** More than a build runs threads on any machine this is tuned for; extra scratch is dropped. */
        private static final int MAX_KEPT = 16;
        private final ArrayDeque<WorkerScratch> free = new ArrayDeque<>();

        synchronized WorkerScratch take() {
            WorkerScratch s = free.pollFirst();
            return s != null ? s : new WorkerScratch();
        }

        synchronized void giveBack(WorkerScratch s) {
            if (s != null && free.size() < MAX_KEPT && s.bytes() <= MAX_KEPT_BYTES) {
                free.addFirst(s);
            }
        }

        synchronized int size() {
            return free.size();
        }
    }
}
