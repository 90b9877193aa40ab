package io.quiver.index.forest;

import io.quiver.distance.BinaryDistance;
import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.distance.FloatDistance;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.Algorithm;
import io.quiver.index.BuildCommon;
import io.quiver.index.BuildThreads;
import io.quiver.index.ConcurrentNodeIds;
import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemBackedWriter;
import io.quiver.index.ItemCodes;
import io.quiver.index.IntLongMap;
import io.quiver.index.ItemStore;
import io.quiver.index.MemoryBudget;
import io.quiver.index.ProgressTrace;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.WorkingMemory;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes a random-projection forest (the Annoy/arroy design) inside a write transaction.
 *
 * <pre>{@code
 * store.write(txn -> {
 *     ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 784);
 *     w.add(1, vector);
 *     ProgressTrace trace = w.build(ForestBuildOptions.builder().nTrees(50).build());
 * });
 * }</pre>
 *
 * <p>{@code add} and {@code delete} only store or remove vectors and mark them; {@code build}
 * then routes the marked items down the existing trees (splitting leaves that overflow, merging
 * leaves that empty) and rewrites only the touched nodes, so its cost follows the change. Trees
 * are built in parallel: each worker reads the last commit through its own snapshot, new items
 * through their addresses in this transaction, and computes nodes in memory; this thread then
 * writes them. A cancelled build throws before writing anything.
 */
public final class ForestWriter extends ItemBackedWriter {
    /**
     * Removed items that the last {@link #build} could not find by routing their committed vectors,
     * summed over the trees, and so removed by walking the whole tree. Zero unless an id was built
     * and deleted within one write transaction or a dot-product index's largest norm grew: routing
     * must find every item where a build put it.
     */
    private long lastMissedRemovals;

    private ForestWriter(WriteTxn txn, ItemStore items) {
        super(txn, items);
    }

    /** Opens {@code index}, creating it with this distance and dimension count when absent. */
    public static ForestWriter create(WriteTxn txn, int index, DistanceKind kind, int dimensions) {
        return new ForestWriter(txn, ItemStore.create(txn, index, kind, dimensions));
    }

    /** Opens an existing index (of any family: building it converts it to a forest). */
    public static ForestWriter open(WriteTxn txn, int index) {
        return new ForestWriter(txn, ItemStore.open(txn, index));
    }

    public Distance distance() {
        return items.distance();
    }

    /** See {@link #lastMissedRemovals}; for tests of the routing. */
    long lastMissedRemovals() {
        return lastMissedRemovals;
    }

    @Override
    public boolean needsBuild() {
        return items.needsBuild() || items.metadata().algorithm() != Algorithm.FOREST;
    }

    /** Per-tree state across the phases of one build. */
    private static final class TreeState {
        BuildNode root;
        final SplittableRandom rnd;
        final IntList ins;
        IntList rem;
        final IntList freed = new IntList(8);

        TreeState(BuildNode root, SplittableRandom rnd, IntList ins, IntList rem) {
            this.root = root;
            this.rnd = rnd;
            this.ins = ins;
            this.rem = rem;
        }
    }

    /** Brings the forest up to date with every change since the last build; returns the trace. */
    public ProgressTrace build(ForestBuildOptions options) {
        // The search-only kernels' warm-up, if a search started it, waits meanwhile.
        io.quiver.distance.Kernels.buildStarted();
        try {
            return buildNow(options);
        } finally {
            io.quiver.distance.Kernels.buildEnded();
        }
    }

    private ProgressTrace buildNow(ForestBuildOptions options) {
        lastMissedRemovals = 0;
        BuildCommon common = options.common();
        ProgressTrace trace = new ProgressTrace(common.listener());
        int index = items.index();
        Distance distance = items.distance();
        int dims = distance.dimensions();
        common.checkCancelled();

        ItemStore.Changes changes;
        ForestMetadata old;
        try (var s = trace.step("retrieve the updated items")) {
            changes = items.changes();
            old = ForestMetadata.read(txn, index);
            Algorithm algo = items.metadata().algorithm();
            if (algo != Algorithm.FOREST && algo != Algorithm.NONE) {
                // In-place conversion: the stored vectors stay, the other family's structure goes.
                RoaringBitmap all = changes.after();
                items.dropStructure(algo);
                changes = new ItemStore.Changes(new RoaringBitmap(), all, new RoaringBitmap());
                old = null;
            }
        }
        int splitAfter = options.leafSize(dims);
        if (old != null && options.splitAfter() == 0) {
            splitAfter = old.splitAfter();
        }
        boolean rebuild = old != null && old.splitAfter() != splitAfter;
        int nTrees = options.nTrees() > 0 ? options.nTrees() : (old != null ? old.nTrees() : ForestBuildOptions.treesFor(splitAfter));
        long seed = common.seed();

        IntLongMap overlay;
        float maxNorm2 = items.metadata().maxNorm2();
        try (var s = trace.step("collect the new items")) {
            overlay = new IntLongMap(changes.inserted().getCardinality());
            for (int id : changes.inserted()) {
                ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
                distance.checkItem(v, id);
                long a = NativeMemory.address(v);
                overlay.put(id, a);
                if (distance.kind() == DistanceKind.DOT) {
                    maxNorm2 = Math.max(maxNorm2, Distance.header(a));
                }
            }
        }
        Splitter splitter = distance instanceof FloatDistance f ? new PlaneSplitter(f, maxNorm2) : new BitSplitter((BinaryDistance) distance);

        RoaringBitmap after = changes.after();
        int[] removed = changes.removed().toArray();
        int[] inserted = changes.inserted().toArray();
        List<TreeState> trees = new ArrayList<>();
        List<Integer> droppedRoots = new ArrayList<>();
        int[] allIds = null;
        for (int t = 0; t < nTrees; t++) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
            if (old != null && !rebuild && t < old.nTrees()) {
                trees.add(new TreeState(new BuildNode.Stored(old.roots()[t]), rnd, IntList.of(inserted), IntList.of(removed)));
            } else {
                if (allIds == null) {
                    allIds = after.toArray();
                }
                trees.add(new TreeState(new BuildNode.Leaf(new IntList(0)), rnd, IntList.of(allIds), new IntList(0)));
            }
        }
        if (old != null) {
            for (int t = rebuild ? 0 : nTrees; t < old.nTrees(); t++) {
                droppedRoots.add(old.roots()[t]);
            }
        }

        boolean single = txn.builtInThisTxn(index) || common.threads() == 1;
        long budget = options.memoryBudget() > 0 ? options.memoryBudget() : MemoryBudget.automatic();
        RoaringBitmap needed = changes.inserted().clone();
        if (allIds != null) {
            needed.or(after);
        }
        long chunk = Long.MAX_VALUE;
        WorkingMemory workingCopy = null;
        VectorTable vectors = VectorTable.of(overlay);
        // A build from scratch codes its in-memory copies on the worker threads (see codeCopies).
        WorkingMemory codeMemory = null;
        ScalarQuantizer precoded = null;
        long encoded = 0;
        try {
            try {
                if (needed.getLongCardinality() * distance.itemBytes() <= budget) {
                    // The vectors this build reads over and over go into one contiguous off-heap block:
                    // LMDB keeps each large vector on its own 4 KiB overflow page, and walking those
                    // in random order costs a TLB miss per vector.
                    try (var s = trace.step("copy the vectors to memory")) {
                        workingCopy = WorkingMemory.allocate(needed.getLongCardinality() * copyStride(distance.itemBytes()) + 64);
                        vectors = copyVectors(needed, overlay, workingCopy.address(), distance.itemBytes(), single, common);
                    }
                } else {
                    chunk = Math.max(2L * splitAfter, budget / distance.itemBytes());
                    // Chunks are inserted one after the other: the first must be a fair sample.
                    for (TreeState ts : trees) {
                        if (ts.ins.size() > chunk) {
                            shuffle(ts.ins, seed);
                        }
                    }
                }
                long[] addresses = null;
                if (chunk == Long.MAX_VALUE && allIds != null) {
                    addresses = new long[allIds.length];
                    for (int i = 0; i < allIds.length; i++) {
                        addresses[i] = vectors.get(allIds[i]);
                    }
                }
                // a new split size rebuilds every tree from all items: coded as a build from scratch
                // codes them (on 2 cores no faster than one at a time on the writer thread: 0.32-0.36 s
                // either way for Fashion-MNIST's cosine copy, docs/bench-2026-11-25-s32/resplit-codes.txt)
                if ((old == null || rebuild) && addresses != null && addresses.length > 0 && ItemCodes.used(distance, common.int8Codes())) {
                    try (var s = trace.step("code the items")) {
                        long[] all = addresses;
                        int parts = single ? 1 : common.threads();
                        precoded = ItemCodes.fit(distance, all, parts,
                                (tasks, task) -> runParallel(parts, single, null, 64, common, tasks, (t, src, c) -> task.accept(t)));
                        if (precoded != null) { // else the codes would not tell the items apart: "write int8 codes" says so
                            codeMemory = WorkingMemory.allocate((long) addresses.length * precoded.codeBytes());
                            encoded = codeMemory.address();
                            codeCopies(precoded, addresses, encoded, single, common);
                        }
                    }
                }
                int phases = 0;
                for (TreeState ts : trees) {
                    phases = (int) Math.max(phases, (ts.ins.size() + chunk - 1) / chunk);
                }
                phases = Math.max(phases, 1);
                int threads = single ? 1 : Math.min(common.threads(), Math.max(1, trees.size()));
                AtomicLong missed = new AtomicLong();
                try (var s = trace.step("updating the trees")) {
                    // Trees grown from nothing over all items are built together, level by level; the
                    // others are updated one per task.
                    List<TreeState> fresh = new ArrayList<>();
                    List<TreeState> rest = new ArrayList<>(trees);
                    if (chunk == Long.MAX_VALUE && splitter instanceof PlaneSplitter plane && allIds != null) {
                        for (TreeState ts : trees) {
                            if (ts.root instanceof BuildNode.Leaf l && l.ids.isEmpty() && l.storedId == -1 && ts.rem.isEmpty()
                                    && ts.ins.size() == allIds.length) {
                                fresh.add(ts);
                            }
                        }
                        if (!fresh.isEmpty()) {
                            buildTogether(fresh, plane, allIds, addresses, splitAfter, dims, single, common, s);
                            rest.removeAll(fresh);
                        }
                    }
                    for (int phase = 0; phase < phases; phase++) {
                        final int ph = phase;
                        final long ch = chunk;
                        final int sa = splitAfter;
                        final int totalPhases = phases;
                        AtomicInteger done = new AtomicInteger();
                        int totalTasks = rest.size();
                        runParallel(threads, single, vectors, splitter.scratchBytes() + 64, common, rest.size(), (t, src, c) -> {
                            TreeState ts = rest.get(t);
                            int from = (int) Math.min(ts.ins.size(), ph * ch);
                            int to = (int) Math.min(ts.ins.size(), from + ch);
                            IntList part = ts.ins.slice(from, to);
                            IntList rem = ph == 0 ? ts.rem : new IntList(0);
                            TreeUpdater u = new TreeUpdater(splitter, src, ts.rnd, sa, dims, c);
                            ts.root = u.update(ts.root, part, rem);
                            if (!u.lost.isEmpty()) {
                                missed.addAndGet(u.lost.getLongCardinality());
                                // Removed items routing could not find: take them out the slow way.
                                RoaringBitmap lost = u.lost.clone();
                                ts.root = u.purge(ts.root, lost);
                                // A changed item is removed and inserted at once, and the purge took
                                // its new copy too. Routing misses the old copy whenever the last
                                // commit's vector is not the one the tree was built with: the change
                                // was committed before this build (an import, then a build), an
                                // earlier build of this transaction placed another, or a grown
                                // largest norm moves dot-product items. Insert those again.
                                IntList again = new IntList(4);
                                for (int i = 0; i < part.size(); i++) {
                                    if (lost.contains(part.get(i))) {
                                        again.add(part.get(i));
                                    }
                                }
                                if (!again.isEmpty()) {
                                    ts.root = u.update(ts.root, again, new IntList(0));
                                }
                            }
                            ts.freed.addAll(u.freed);
                            s.progress(done.incrementAndGet() + (long) ph * totalTasks, (long) totalPhases * totalTasks);
                        });
                    }
                }
                lastMissedRemovals = missed.get();
            } finally {
                if (workingCopy != null) {
                    workingCopy.close();
                }
            }
            common.checkCancelled();

            RoaringBitmap used = old != null ? old.usedNodes().clone() : new RoaringBitmap();
            int[] roots = new int[trees.size()];
            try (var s = trace.step("writing the tree nodes")) {
                if (!droppedRoots.isEmpty()) {
                    try (BuildSource src = new BuildSource(index, txn, null, false, null, 64)) {
                        TreeUpdater u = new TreeUpdater(splitter, src, new SplittableRandom(seed), splitAfter, dims, common);
                        IntList ids = new IntList(64);
                        for (int r : droppedRoots) {
                            u.collectIds(new BuildNode.Stored(r), ids);
                        }
                        for (int i = 0; i < ids.size(); i++) {
                            txn.delete(index, KeyKind.TREE_NODE, ids.get(i));
                            used.remove(ids.get(i));
                        }
                    }
                }
                ConcurrentNodeIds alloc = new ConcurrentNodeIds(used);
                NodeWriter writer = new NodeWriter(txn, index, dims, alloc, used);
                for (int t = 0; t < trees.size(); t++) {
                    roots[t] = writer.write(trees.get(t).root);
                }
                for (TreeState ts : trees) {
                    for (int i = 0; i < ts.freed.size(); i++) {
                        int id = ts.freed.get(i);
                        txn.delete(index, KeyKind.TREE_NODE, id);
                        used.remove(id);
                    }
                }
            }
            try (var s = trace.step("write int8 codes")) {
                if (precoded != null) {
                    ItemCodes.replaceAll(txn, index, precoded, allIds, encoded);
                } else {
                    // a new split size rebuilds every tree, and decides the codes again as a build from
                    // scratch does: codes left off could never come back (a review helper's find)
                    boolean full = old == null || rebuild;
                    ScalarQuantizer codes = ItemCodes.rangeFor(txn, index, distance, common.int8Codes(), full, after, changes.built(), changes.inserted(),
                            note -> trace.step(note).close());
                    ItemCodes.update(txn, index, distance, codes, full, changes.inserted(), changes.removed(), after);
                }
            }
            try (var s = trace.step("write the metadata")) {
                new ForestMetadata(splitAfter, seed, roots, used).write(txn, index);
                items.writeBuiltItems(after);
                io.quiver.index.ZeroVectors.update(items, old == null, changes.inserted(), changes.removed(), after);
                items.clearUpdated();
                items.setMetadata(items.metadata().withAlgorithm(Algorithm.FOREST).withMaxNorm2(maxNorm2));
                txn.markBuilt(index);
            }
        } finally {
            if (codeMemory != null) {
                codeMemory.close();
            }
        }
        return trace;
    }

    /**
     * Builds {@code fresh} (new trees over all of {@code allIds}) with {@link LevelBuilder}, in
     * groups small enough for the heap.
     */
    private void buildTogether(List<TreeState> fresh, PlaneSplitter splitter, int[] allIds, long[] addresses, int splitAfter,
            int dims, boolean single, BuildCommon common, ProgressTrace.Scope step) {
        int n = allIds.length;
        VectorTable byPosition = VectorTable.forRange(0, Math.max(0, n - 1), Math.max(1, n));
        for (int i = 0; i < n; i++) {
            byPosition.put(i, addresses[i]);
        }
        LevelBuilder builder = new LevelBuilder(splitter, allIds, addresses, splitAfter, dims);
        int group = LevelBuilder.groupSize(n);
        int threads = single ? 1 : common.threads();
        // levels of a balanced tree, for the progress estimate
        int levels = 1 + (int) Math.ceil(Math.log(Math.max(2.0, (double) n / splitAfter)) / Math.log(2));
        int groups = (fresh.size() + group - 1) / group;
        for (int from = 0, g = 0; from < fresh.size(); from += group, g++) {
            List<TreeState> part = fresh.subList(from, Math.min(fresh.size(), from + group));
            SplittableRandom[] rnds = new SplittableRandom[part.size()];
            for (int t = 0; t < rnds.length; t++) {
                rnds[t] = part.get(t).rnd;
            }
            long done = (long) g * levels;
            BuildNode[] roots = builder.build(rnds,
                    (tasks, task) -> runParallel(Math.min(threads, tasks), single, byPosition, splitter.scratchBytes() + 64, common, tasks, task::run),
                    level -> step.progress(done + Math.min(level, levels), (long) groups * levels));
            for (int t = 0; t < roots.length; t++) {
                part.get(t).root = roots[t];
            }
        }
    }

    /**
     * Codes the vectors at {@code addresses} into {@code out}, one code after the other, on the
     * build threads: the same bytes {@link ItemCodes#update} would code, without its lookups, and
     * off the writing thread.
     */
    private void codeCopies(ScalarQuantizer sq, long[] addresses, long out, boolean single, BuildCommon common) {
        int bytes = sq.codeBytes();
        forChunks(addresses.length, single, common, (from, to, c) -> {
            c.checkCancelled();
            sq.encodeItems(addresses, from, to, out + (long) from * bytes);
        });
    }

    /** Work on positions {@code from..to} of a chunked pass. */
    @FunctionalInterface
    private interface ChunkTask {
        void run(int from, int to, BuildCommon common);
    }

    /** Runs {@code task} over {@code 0..n} in chunks of 2,048 positions, on the build threads. */
    private void forChunks(int n, boolean single, BuildCommon common, ChunkTask task) {
        int chunk = 2048;
        int tasks = (n + chunk - 1) / chunk;
        runParallel(single ? 1 : Math.min(common.threads(), Math.max(1, tasks)), single, null, 64, common, tasks,
                (t, src, c) -> task.run(t * chunk, Math.min(n, (t + 1) * chunk), c));
    }

    /** Bytes between two vectors of a working copy: whole cache lines (see {@link #copyVectors}). */
    static long copyStride(int itemBytes) {
        return (itemBytes + 63) & ~63L;
    }

    /** Copies the vectors of {@code ids} into {@code block}; returns id → address of the copy. */
    private VectorTable copyVectors(RoaringBitmap ids, IntLongMap inserted, long block, int itemBytes, boolean single, BuildCommon common) {
        int n = ids.getCardinality();
        // Each copy is placed so that its payload (after the 5-byte header) starts a cache line:
        // vector loads then never straddle two lines. The block holds n strides plus 64 bytes.
        long stride = copyStride(itemBytes);
        long base = block + (64 - Distance.PAYLOAD);
        VectorTable out = n == 0 ? VectorTable.of(new IntLongMap(1)) : VectorTable.forRange(ids.first(), ids.last(), n);
        int index = items.index();
        try (ReadTxn snapshot = single ? null : txn.store().read()) {
            long[] from = new long[n];
            int i = 0;
            for (int id : ids) {
                long a = inserted.get(id, 0L);
                if (a == 0L) {
                    ByteBuffer v = single ? txn.get(index, KeyKind.ITEM, id) : snapshot.get(index, KeyKind.ITEM, id);
                    if (v == null) {
                        throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " is listed but has no vector");
                    }
                    a = NativeMemory.address(v);
                }
                from[i] = a;
                out.put(id, base + i * stride);
                i++;
            }
            // The copying itself on the build threads: it is first-touch page faults and memory
            // bandwidth, and two threads get more of both. The sources stay valid: nothing writes
            // until it is done, and this thread keeps its snapshot open.
            forChunks(n, single, common, (first, end, c) -> {
                for (int j = first; j < end; j++) {
                    java.lang.foreign.MemorySegment.copy(NativeMemory.ALL, from[j], NativeMemory.ALL, base + j * stride, itemBytes);
                }
            });
        }
        return out;
    }

    /**
     * Shuffles in place. Only for chunked builds: otherwise ids stay ascending, the order of the
     * working copy, so that every pass over a subset reads memory front to back.
     */
    private static void shuffle(IntList ids, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] a = ids.a;
        for (int i = ids.size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** One unit of parallel work: tree {@code t}, with this thread's source. */
    @FunctionalInterface
    private interface TreeTask {
        void run(int t, BuildSource src, BuildCommon common);
    }

    private void runParallel(int threads, boolean single, VectorTable overlay, int scratch, BuildCommon common, int tasks, TreeTask task) {
        int index = items.index();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        BuildCommon c = new BuildCommon(common.threads(), common.seed(),
                () -> failure.get() != null || common.cancel().getAsBoolean(), common.listener(), common.int8Codes());
        if (single) {
            // Same-transaction rebuild: the structure exists only in this transaction.
            try (ReadTxn committed = txn.store().read();
                    BuildSource src = new BuildSource(index, txn, committed, false, overlay, scratch)) {
                for (int t = 0; t < tasks; t++) {
                    task.run(t, src, c);
                }
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable[] bodies = new Runnable[threads];
        for (int w = 0; w < threads; w++) {
            bodies[w] = () -> {
                try (ReadTxn snapshot = txn.store().read();
                        BuildSource src = new BuildSource(index, snapshot, snapshot, false, overlay, scratch)) {
                    int t;
                    while ((t = next.getAndIncrement()) < tasks && failure.get() == null) {
                        task.run(t, src, c);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
        }
        // Workers stop at their next task once a failure is set; the caller frees what they read
        // (the working copy of the vectors, their overlay) as soon as this returns.
        BuildThreads.run("quiver-forest-build-", bodies,
                () -> failure.compareAndSet(null, new QuiverException(ErrorKind.CANCELLED, "build interrupted")));
        Throwable f = failure.get();
        if (f != null) {
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error er) {
                throw er;
            }
            throw new QuiverException(ErrorKind.STORAGE, "forest build failed: " + f, f);
        }
    }
}
