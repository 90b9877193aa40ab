package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.InterruptedBuild;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build workers keep their arrays between the builds of a process ({@link WorkerScratch}); what a
 * build leaves in them must not change the next build's graph.
 */
class WorkerScratchTest {
    // 600 floats do not fit in a leaf, so incremental builds use the shared address cache and key
    // the addresses by id, the part of the scratch that must be cleared between builds.
    private static final int DIMS = 600;
    private static final int BASE = 400;
    private static final int BATCH = 150;
    private static final int BATCHES = 4;
    private final float[][] vectors = HnswTestSupport.clustered(BASE + BATCH * BATCHES, DIMS, 10, 11);
    /** One thread: the graph is then the same on every run, so two runs can be compared list by list. */
    private final HnswBuildOptions opts = HnswBuildOptions.builder().m(8).efConstruction(64).threads(1).build();

    @Test
    void aBuildHandsItsScratchBackWithTheAddressesByIdCleared(@TempDir Path dir) {
        try (Store store = Store.open(dir)) {
            buildBase(store);
            insertBatch(store, 0);
            WorkerScratch.Pool pool = WorkerScratch.pool(store, 0);
            assertThat(pool.size()).isEqualTo(1);
            WorkerScratch s = pool.take();
            assertThat(s.itemAddress.length).as("an incremental build over dense ids keyed addresses by id").isGreaterThan(BASE + BATCH);
            assertThat(Arrays.stream(s.itemAddress).allMatch(x -> x == 0)).isTrue();
            assertThat(s.visited.isEmpty()).isTrue();
            pool.giveBack(s);
        }
    }

    /**
     * A build on int8 codes (integer vectors: ordinals from 0, no dense span) and then one that
     * widens the code range and so measures on vectors, keyed by id: the second must not find the
     * first's code addresses where it looks for vector addresses (a review helper's case).
     */
    @Test
    void aBuildOnCodesLeavesNoAddressForALaterBuildById(@TempDir Path dir) {
        java.util.Random r = new java.util.Random(5);
        float[][] ints = new float[BASE + 2 * BATCH][DIMS];
        for (int i = 0; i < ints.length; i++) {
            int centre = i % 10 * 20;
            for (int d = 0; d < DIMS; d++) {
                // within 0..255 (codes exact) until the last batch, which reaches 300
                ints[i][d] = centre + r.nextInt(i >= BASE + BATCH ? 100 : 50);
            }
        }
        HnswBuildOptions withCodes = HnswBuildOptions.builder().m(8).efConstruction(64).threads(1).int8Codes(true).build();
        try (Store store = Store.open(dir)) {
            for (int batch = 0; batch < 3; batch++) {
                int from = batch == 0 ? 0 : BASE + (batch - 1) * BATCH;
                int to = batch == 0 ? BASE : from + BATCH;
                store.write(txn -> {
                    HnswWriter w = batch(txn, from);
                    for (int id = from; id < to; id++) {
                        w.add(id, ints[id]);
                    }
                    w.build(withCodes);
                });
                WorkerScratch s = WorkerScratch.pool(store, 0).take();
                assertClean(s);
                WorkerScratch.pool(store, 0).giveBack(s);
            }
            try (ReadTxn t = store.read()) {
                HnswReader h = HnswReader.open(t, 0);
                assertThat(h.check()).isEmpty();
                for (int id = 0; id < ints.length; id += 7) {
                    assertThat(h.searchItem(id, io.quiver.index.SearchOptions.builder().k(1).ef(64).build()).ids()[0]).as("item %s", id).isEqualTo(id);
                }
            }
        }
    }

    private static HnswWriter batch(io.quiver.storage.WriteTxn txn, int from) {
        return from == 0 ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : HnswWriter.open(txn, 0);
    }

    @Test
    void reusedScratchBuildsTheSameGraphAsNewScratch(@TempDir Path dir) {
        assertSameGraphWithKeptScratch(dir, false);
    }

    /** A kept scratch with visited marks left in it (a build that failed mid-search): each search starts from none, so the graph must not notice. */
    @Test
    void marksLeftInAKeptScratchBuildTheSameGraph(@TempDir Path dir) {
        assertSameGraphWithKeptScratch(dir, true);
    }

    @Test
    void eachWorkerOfABuildGetsItsOwnScratch(@TempDir Path dir) {
        try (Store store = Store.open(dir)) {
            buildBase(store);
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = BASE; id < BASE + BATCH; id++) {
                    w.add(id, vectors[id]);
                }
                w.build(HnswBuildOptions.builder().m(8).efConstruction(64).threads(2).build());
            });
            WorkerScratch.Pool pool = WorkerScratch.pool(store, 0);
            assertThat(pool.size()).isEqualTo(2);
            WorkerScratch a = pool.take();
            WorkerScratch b = pool.take();
            assertThat(a).isNotSameAs(b);
            assertThat(a.visited).isNotSameAs(b.visited);
            assertClean(a);
            assertClean(b);
        }
    }

    /**
     * A build whose thread is interrupted while its workers insert ends only after they have
     * stopped (they must not outlive the snapshots and scratch the build releases), and the next
     * build of the index works with the scratch it left.
     */
    @Test
    void anInterruptedBuildWaitsForItsWorkers(@TempDir Path dir) throws Exception {
        try (Store store = Store.open(dir)) {
            buildBase(store);
            InterruptedBuild ib = new InterruptedBuild("inserting items");
            ib.runOnNewThread(() -> store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int id = BASE; id < BASE + BATCH * BATCHES; id++) {
                    w.add(id, vectors[id]);
                }
                ib.build(() -> w.build(HnswBuildOptions.builder().m(8).efConstruction(64).threads(2).listener(ib).build()));
            }));
            assertThat(ib.interrupted()).isTrue();
            assertThat(ib.workers()).isNotEmpty();
            assertThat(ib.thrown()).isInstanceOf(io.quiver.storage.QuiverException.class);
            assertThat(((io.quiver.storage.QuiverException) ib.thrown()).kind()).isEqualTo(io.quiver.storage.ErrorKind.CANCELLED);
            assertThat(ib.aliveWhenThrown()).as("worker threads alive when the build threw").isEmpty();
            insertBatch(store, 0);
            try (ReadTxn r = store.read()) {
                assertThat(HnswReader.open(r, 0).size()).isEqualTo(BASE + BATCH - 1);
            }
        }
    }

    private void assertSameGraphWithKeptScratch(Path dir, boolean leaveMarks) {
        Path kept = dir.resolve("kept");
        Path fresh = dir.resolve("fresh");
        try (Store store = Store.open(kept)) {
            buildBase(store);
            for (int b = 0; b < BATCHES; b++) {
                insertBatch(store, b);
                WorkerScratch.Pool pool = WorkerScratch.pool(store, 0);
                assertThat(pool.size()).isEqualTo(1);
                WorkerScratch s = pool.take();
                assertClean(s);
                if (leaveMarks) {
                    // every key a search of the next build may meet, as if one had ended without clearing
                    for (int k = 0; k < 2 * (BASE + BATCH * BATCHES); k++) {
                        s.visited.ensure(k + 1);
                        s.visited.add(k);
                    }
                }
                pool.giveBack(s);
            }
        }
        try (Store store = Store.open(fresh)) {
            buildBase(store);
        }
        for (int b = 0; b < BATCHES; b++) {
            // a new Store object per batch: new attachments, so new scratch (and an empty address cache)
            try (Store store = Store.open(fresh)) {
                insertBatch(store, b);
            }
        }
        try (Store a = Store.open(kept); Store b = Store.open(fresh)) {
            assertThat(lists(a)).isEqualTo(lists(b));
        }
    }

    /** What a scratch must look like between builds. */
    private static void assertClean(WorkerScratch s) {
        // every id here is dense: no address may outlive its build
        assertThat(Arrays.stream(s.itemAddress).allMatch(x -> x == 0)).as("addresses by id cleared").isTrue();
        assertThat(s.visited.isEmpty()).as("no visited mark").isTrue();
    }

    private void buildBase(Store store) {
        store.write(txn -> {
            HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
            for (int id = 0; id < BASE; id++) {
                w.add(id, vectors[id]);
            }
            w.build(opts);
        });
    }

    private void insertBatch(Store store, int batch) {
        store.write(txn -> {
            HnswWriter w = HnswWriter.open(txn, 0);
            int from = BASE + batch * BATCH;
            for (int id = from; id < from + BATCH; id++) {
                w.add(id, vectors[id]);
            }
            // and a few deletes, so that the builds repair links too
            w.delete(batch * 7);
            w.build(opts);
        });
    }

    /** Every node's lists at every level, outgoing and incoming, as text. */
    private static List<String> lists(Store store) {
        List<String> out = new ArrayList<>();
        try (ReadTxn r = store.read()) {
            for (int id = 0; id < BASE + BATCH * BATCHES; id++) {
                int[][] levels = Links.readAllLevels(r, 0, id);
                if (levels == null) {
                    out.add(id + ": none");
                    continue;
                }
                for (int l = 0; l < levels.length; l++) {
                    out.add(id + "@" + l + " out " + Arrays.toString(levels[l]) + " in " + Arrays.toString(Links.read(r, 0, id, Links.IN | l)));
                }
            }
        }
        return out;
    }
}
