package io.quiver.index.hnsw;

import io.quiver.distance.Kernels;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.Algorithm;
import io.quiver.index.BuildCommon;
import io.quiver.index.BuildThreads;
import io.quiver.index.IndexMetadata;
import io.quiver.index.ItemCodes;
import io.quiver.index.ItemStore;
import io.quiver.index.ProgressTrace;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.WriteTxn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.roaringbitmap.RoaringBitmap;

/**
 * One build: reads the marks, computes every link change in memory (in parallel, workers reading
 * the last commit plus the heap overlay), then writes them to the write transaction from this
 * thread. Nothing is written before the computation has finished, so a cancelled build leaves the
 * transaction as it found it.
 */
final class HnswBuilder {
    private final WriteTxn txn;
    private final ItemStore items;
    private final int index;
    private final HnswBuildOptions options;
    private final BuildCommon common;
    private final ProgressTrace trace;

    HnswBuilder(WriteTxn txn, ItemStore items, HnswBuildOptions options) {
        this.txn = txn;
        this.items = items;
        this.index = items.index();
        this.options = options;
        this.common = options.common();
        this.trace = new ProgressTrace(common.listener());
    }

    /** A task run for each index 0..n-1 by the workers. */
    @FunctionalInterface
    private interface Task {
        void run(BuildWorker worker, int i);
    }

    ProgressTrace build() {
        IndexMetadata meta = items.metadata();
        Algorithm previous = meta.algorithm();
        HnswMetadata old;
        boolean full;
        RoaringBitmap inserted;
        RoaringBitmap removed;
        RoaringBitmap after;
        RoaringBitmap built;
        String rebuildReason = null;
        try (var s = trace.step("retrieve the updated items")) {
            old = previous == Algorithm.HNSW ? HnswMetadata.read(txn, index) : null;
            full = options.forceRebuild() || previous != Algorithm.HNSW || old == null;
            ItemStore.Changes changes = full ? null : items.changes();
            if (changes != null && changes.isEmpty()) {
                // marks that cancel out (an id added and deleted again before a build) must
                // still go, or the index stays NEEDS_BUILD to every reader
                items.clearUpdated();
                return trace;
            }
            // Nodes of the graph taken out (deleted, or changed and inserted again) against those that stay.
            long out = changes == null ? 0 : changes.removed().getLongCardinality();
            long stay = changes == null ? 0 : RoaringBitmap.andNotCardinality(changes.built(), changes.removed());
            if (changes != null && out > stay) {
                // More of the graph goes than stays: the repair draws replacements from the
                // removed nodes' own lists, which are mostly removed too, and leaves lists full
                // but not diverse (20,000 items down to every 10th: recall@10 0.86 at ef 64,
                // 1.00 rebuilt; a review helper's run), or survivors unreachable when as many new
                // items come in (a second helper's run: 18 of 600). A rebuild of what stays and
                // what comes costs about what the changes do.
                full = true;
                rebuildReason = "rebuild from scratch: " + out + " of " + changes.built().getLongCardinality()
                        + " built items deleted or changed, " + stay + " unchanged";
            }
            if (full) {
                after = items.currentIds();
                inserted = after.clone();
                removed = new RoaringBitmap();
                built = new RoaringBitmap();
            } else {
                inserted = changes.inserted();
                removed = changes.removed();
                after = changes.after();
                built = changes.built();
            }
        }
        if (rebuildReason != null) {
            trace.step(rebuildReason).close();
        }
        // a build from scratch the deletions asked for keeps the graph's parameters, as an incremental one would
        boolean newParameters = full && rebuildReason == null;
        int m = newParameters ? options.m() : old.m();
        int m0 = newParameters ? options.m0() : old.m0();
        // never narrower than m: graphs stored before options refused that keep growing sound
        int efc = Math.max(m, newParameters ? options.efConstruction() : old.efConstruction());
        float alpha = newParameters ? options.alpha() : old.alpha();
        long seed = newParameters ? common.seed() : old.seed();

        RoaringBitmap dirtyBefore = full ? new RoaringBitmap() : TxnDirtyNodes.get(txn, index);
        RoaringBitmap blocked = removed.clone();
        blocked.or(RoaringBitmap.andNot(dirtyBefore, after));
        ScalarQuantizer codes;
        ScalarQuantizer storedRange = rebuildReason != null || !full ? ItemCodes.read(txn, index, items.distance()) : null;
        ScalarQuantizer storedCodes = full ? null : storedRange;
        // a rebuild the changes asked for keeps the index's choice of codes, as an incremental build would
        boolean wantCodes = rebuildReason == null ? common.int8Codes() : storedRange != null;
        try (var s = trace.step("fit int8 codes")) {
            codes = ItemCodes.rangeFor(txn, index, items.distance(), wantCodes, full, after, built, inserted, note -> trace.step(note).close());
        }
        // Measuring on codes halves the build's memory traffic, but where they round, the graph
        // comes out worse (recall@10 at ef 64 on 32-d clustered data: 0.950-0.957 built on
        // codes, 0.961-0.964 built on vectors, both walked on codes); so only exact codes serve.
        // Not in a build that widens the stored range: the committed codes it would read are
        // those of the old range until the write phase recodes them.
        boolean widened = storedCodes != null && !storedCodes.equals(codes);
        ScalarQuantizer measure = codes != null && codes.onIntegerGrid() && !widened ? codes : null;
        BuildGraph g = new BuildGraph(index, items.distance(), measure, m, m0, efc, alpha, seed, blocked);
        RoaringBitmap changed = null; // the ids whose remembered addresses this build must forget
        if (full) {
            CommittedItemAddresses.of(txn.store(), index).clear();
        } else if (measure == null) {
            changed = RoaringBitmap.or(inserted, removed);
            long largest = Math.max(after.isEmpty() ? -1 : Integer.toUnsignedLong(after.last()), built.isEmpty() ? -1 : Integer.toUnsignedLong(built.last()));
            g.committedAddresses = CommittedItemAddresses.of(txn.store(), index).open(txn, changed, largest, built.getLongCardinality() + inserted.getLongCardinality());
            if (g.committedAddresses != null) {
                g.indexLoadedById(g.committedAddresses.idSpan());
            }
        }
        Map<Integer, Integer> removedTop = new HashMap<>();
        List<long[]> repairs = new ArrayList<>(); // {p, level} with deleted neighbours in repairTargets
        Map<Long, IntList> repairNeighbours = new HashMap<>();
        int firstNew;
        common.checkCancelled();
        try (VectorCopies copies = new VectorCopies(items.distance().itemBytes(), measure, inserted.getLongCardinality() + dirtyBefore.getLongCardinality())) {
            try (var s = trace.step("resolve entry point")) {
                if (!full && old.hasEntry()) {
                    g.setEntry(old.entry(), old.maxLevel());
                }
                // Nodes earlier builds of this transaction changed: the write transaction has the truth.
                for (int d : dirtyBefore) {
                    if (blocked.contains(d) || inserted.contains(d)) {
                        continue;
                    }
                    int[][] lists = Links.readAllLevels(txn, index, d);
                    if (lists != null) {
                        g.addSlot(new GraphNode(d, lists.length - 1, copies.copy(txn, index, d), copies.lastItem(), m, m0, lists));
                    }
                }
                if (!removed.isEmpty()) {
                    prepareRepair(g, copies, removed, removedTop, repairs, repairNeighbours, m, m0);
                    if (g.hasEntry() && removed.contains(g.entryId())) {
                        moveEntry(g, RoaringBitmap.andNot(built, removed));
                    }
                }
            }
            long entryBefore = g.hasEntry() ? g.entryWord() : -1; // (level << 32 | id)
            // Workers cannot see this transaction's items through their snapshots: copy them off-heap.
            try (var s = trace.step("copy new items")) {
                firstNew = g.slotCount;
                for (int id : inserted) {
                    g.addSlot(new GraphNode(id, g.randomLevel(id), copies.copy(txn, index, id), copies.lastItem(), m, m0, null));
                }
                g.freezeSlots();
            }
            common.checkCancelled();
            int threads = Math.max(1, Math.min(common.threads(), (g.slotCount - firstNew + repairs.size()) / 32 + 1));
            List<ReadTxn> snapshots = new ArrayList<>();
            // Until the links are written: on two cores the warm-up's search-only stage, resumed as
            // soon as the workers ended, doubled "writing links" of a fresh process's first batch.
            Kernels.buildStarted();
            WorkerScratch.Pool scratch = WorkerScratch.pool(txn.store(), index);
            List<BuildWorker> workers = new ArrayList<>();
            IntList farDrops = new IntList(); // the workers' (BuildWorker#farDrops)
            try {
                try {
                    for (int t = 0; t < threads; t++) {
                        ReadTxn r = full ? null : txn.store().read();
                        if (r != null) {
                            snapshots.add(r);
                        }
                        workers.add(new BuildWorker(g, r, scratch.take()));
                    }
                    if (!repairs.isEmpty()) {
                        try (var s = trace.step("repair deleted links")) {
                            run(workers, repairs.size(), s, 0, repairs.size(), (w, i) -> {
                                long[] r = repairs.get(i);
                                int p = (int) r[0];
                                int level = (int) r[1];
                                w.repair(g.node(p), level, repairNeighbours.get(((long) p << 8) | level).toArray());
                            });
                            for (BuildWorker w : workers) {
                                w.linkCopiesLeftByRepairs(); // read transactions are not bound to threads (MDB_NOTLS)
                            }
                        }
                    }
                    try (var s = trace.step("inserting items")) {
                        int start = firstNew;
                        if (!g.hasEntry() && g.slotCount > firstNew) {
                            GraphNode first = g.slots[firstNew];
                            g.setEntry(first.id, first.level);
                            start++;
                        }
                        int total = g.slotCount - start;
                        if (workers.size() == 1) {
                            int from = start;
                            run(workers, total, s, 0, total, (w, i) -> w.insert(g.slots[from + i]));
                        } else {
                            InsertOrder order = InsertOrder.copiesLast(g.slots, start, g.slotCount, items.distance().itemBytes(),
                                    items.distance() instanceof io.quiver.distance.FloatDistance);
                            int[] slots = order.slots();
                            int firsts = order.firsts();
                            run(workers, firsts, s, 0, total, (w, i) -> w.insert(g.slots[slots[i]]));
                            run(workers, total - firsts, s, firsts, total, (w, i) -> w.insert(g.slots[slots[firsts + i]]));
                        }
                    }
                } finally {
                    // Read transactions must end before writing: they pin pages and block map growth.
                    for (ReadTxn r : snapshots) {
                        r.close();
                    }
                    if (g.committedAddresses != null) {
                        // a worker may have met a changed id in its snapshot, whose page the commit frees
                        g.committedAddresses.forget(changed);
                    }
                    // run() returns or throws only once every worker thread has ended
                    for (BuildWorker w : workers) {
                        for (int i = 0; i < w.farDrops.size; i++) {
                            farDrops.add(w.farDrops.a[i]);
                        }
                        scratch.giveBack(w.release());
                    }
                }
                common.checkCancelled();
                RoaringBitmap touched;
                try (var s = trace.step("writing links")) {
                    if (full) {
                        items.dropStructure(previous);
                    }
                    touched = new LinkWriter(txn, items, g, inserted).write(removedTop, after, full, farDrops, entryBefore);
                    if (g.committedAddresses != null) {
                        // the lists this build changed (and some it left alone); a worker may have kept one from its snapshot
                        g.committedAddresses.forgetLists(touched);
                    }
                }
                String codeStep = codes == null && storedCodes != null ? "drop the int8 codes" : widened ? "recode every item (int8 range widened)" : "write int8 codes";
                try (var s = trace.step(codeStep)) {
                    ItemCodes.update(txn, index, items.distance(), codes, full, inserted, removed, after);
                }
                try (var s = trace.step("write metadata")) {
                    HnswMetadata hm = new HnswMetadata(g.hasEntry(), g.hasEntry() ? g.entryId() : 0, Math.max(0, g.maxLevel()), m, m0, efc, alpha, seed);
                    hm.write(txn, index);
                    items.setMetadata(items.metadata().withAlgorithm(Algorithm.HNSW));
                    items.writeBuiltItems(after);
                    io.quiver.index.ZeroVectors.update(items, full, inserted, removed, after);
                    items.clearUpdated();
                    touched.or(removed);
                    TxnDirtyNodes.add(txn, index, touched, full);
                }
            } finally {
                Kernels.buildEnded();
            }
        }
        return trace;
    }

    private void prepareRepair(BuildGraph g, VectorCopies copies, RoaringBitmap removed, Map<Integer, Integer> removedTop,
            List<long[]> repairs, Map<Long, IntList> repairNeighbours, int m, int m0) {
        for (int r : removed) {
            int[][] outs = Links.readAllLevels(txn, index, r);
            if (outs == null) {
                continue;
            }
            removedTop.put(r, outs.length - 1);
            for (int l = 0; l < outs.length; l++) {
                g.removedLinks.put(((long) r << 8) | l, outs[l]);
                int[] ins = Links.read(txn, index, r, Links.IN | l);
                if (ins == null) {
                    continue;
                }
                for (int p : ins) {
                    if (g.blocked.contains(p)) {
                        continue;
                    }
                    long key = ((long) p << 8) | l;
                    IntList list = repairNeighbours.get(key);
                    if (list == null) {
                        list = new IntList();
                        repairNeighbours.put(key, list);
                        repairs.add(new long[] {Integer.toUnsignedLong(p), l});
                    }
                    list.add(r);
                }
            }
        }
        for (long[] r : repairs) {
            int p = (int) r[0];
            if (g.slot(p) >= 0) {
                continue;
            }
            int[][] lists = Links.readAllLevels(txn, index, p);
            if (lists == null) {
                lists = new int[][] {Links.EMPTY};
            }
            g.addSlot(new GraphNode(p, lists.length - 1, copies.copy(txn, index, p), copies.lastItem(), m, m0, lists));
        }
        // Repairs on levels a node does not have cannot happen with consistent in-lists; drop them if they do.
        repairs.removeIf(r -> g.node((int) r[0]).level < r[1]);
    }

    /** The entry point was deleted: promote the highest surviving node next to it. */
    private void moveEntry(BuildGraph g, RoaringBitmap survivors) {
        int old = g.entryId();
        int top = g.maxLevel();
        for (int l = top; l >= 0; l--) {
            int best = -1;
            int bestLevel = -1;
            int[] out = g.removedLinks.get(((long) old << 8) | l);
            int[] in = Links.read(txn, index, old, Links.IN | l);
            for (int[] list : new int[][] {out, in}) {
                if (list == null) {
                    continue;
                }
                for (int c : list) {
                    if (g.blocked.contains(c)) {
                        continue;
                    }
                    int lv = levelOf(g, c);
                    if (lv > bestLevel) {
                        best = c;
                        bestLevel = lv;
                    }
                }
            }
            if (bestLevel >= 0) {
                g.setEntry(best, bestLevel);
                return;
            }
        }
        if (!survivors.isEmpty()) {
            int c = survivors.first();
            g.setEntry(c, Math.max(0, levelOf(g, c)));
        } else {
            g.clearEntry();
        }
    }

    private int levelOf(BuildGraph g, int id) {
        GraphNode n = g.node(id);
        if (n != null) {
            return n.level;
        }
        int[][] lists = Links.readAllLevels(txn, index, id);
        return lists == null ? -1 : lists.length - 1;
    }

    /** Runs {@code task} for 0..total-1 on the workers, reporting progress as {@code done0 + i} of {@code all}. */
    private void run(List<BuildWorker> workers, int total, ProgressTrace.Scope scope, long done0, long all, Task task) {
        if (total <= 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable[] bodies = new Runnable[workers.size()];
        for (int t = 0; t < workers.size(); t++) {
            BuildWorker w = workers.get(t);
            bodies[t] = () -> {
                try {
                    int n = 0;
                    while (!stop.get()) {
                        int i = next.getAndIncrement();
                        if (i >= total) {
                            break;
                        }
                        task.run(w, i);
                        if ((++n & 63) == 0) {
                            if (common.cancel().getAsBoolean()) {
                                stop.set(true);
                            }
                            long d = done.addAndGet(64);
                            scope.progress(done0 + Math.min(d, total), all);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            };
        }
        if (bodies.length == 1) {
            bodies[0].run();
        } else {
            if (BuildThreads.run("quiver-hnsw-build-", bodies, () -> stop.set(true))) {
                throw new QuiverException(ErrorKind.CANCELLED, "interrupted while building");
            }
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
        if (f != null) {
            throw new QuiverException(ErrorKind.STORAGE, "build failed: " + f, f);
        }
        if (stop.get()) {
            common.checkCancelled();
            throw new QuiverException(ErrorKind.CANCELLED, "build cancelled");
        }
        scope.progress(done0 + total, all);
    }
}
