package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.quiver.distance.DistanceKind;
import io.quiver.index.IndexReader;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import io.quiver.testing.Vectors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reader keeps addresses into its snapshot between calls. Before {@link ReadTxn#beginUse}, a
 * reader used after its transaction closed answered from freed pages (ids paired with other items'
 * distances), and once the store closed or the map moved it killed the JVM with SIGSEGV; so did
 * closing the transaction, then the store, while another thread searched. Each case here crashed
 * the test JVM or returned wrong answers before; now each is an {@link IllegalStateException} or a
 * close that waits for the search in progress.
 */
class ReaderLifetimeTest {
    private static final int DIMS = 16;
    private static final int N = 600;

    @TempDir
    Path dir;

    private final float[][] data = Vectors.clustered(N, DIMS, 8, 7);

    private Store storeWith(String family) {
        // a small map, so that the writes below move it
        Store store = Store.open(dir, StoreOptions.builder().initialMapSize(1L << 20).build());
        store.write(txn -> {
            if (family.equals("hnsw")) {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < N; i++) {
                    w.add(i, data[i]);
                }
                w.build(HnswBuildOptions.builder().threads(1).build());
            } else {
                ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int i = 0; i < N; i++) {
                    w.add(i, data[i]);
                }
                w.build(ForestBuildOptions.builder().nTrees(4).threads(1).build());
            }
        });
        return store;
    }

    private static IndexReader reader(String family, ReadTxn txn) {
        return family.equals("hnsw") ? HnswReader.open(txn, 0) : ForestReader.open(txn, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void aReaderRefusesEveryCallOnceItsTransactionIsClosed(String family) {
        try (Store store = storeWith(family)) {
            IndexReader reader;
            try (ReadTxn txn = store.read()) {
                reader = reader(family, txn);
                assertThat(reader.search(data[3], SearchOptions.k(5)).neighbors().get(0).id()).isEqualTo(3); // caches warm
                assertThat(reader.vector(3)).isEqualTo(data[3]);
            }
            assertRefused(reader);
            // the map grows and moves: a reader that still read through its old addresses crashed here
            long size = store.mapSize();
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 1, DistanceKind.EUCLIDEAN, 256);
                float[] v = new float[256];
                for (int i = 0; i < 3_000; i++) {
                    v[0] = i;
                    w.add(i, v);
                }
            });
            assertThat(store.mapSize()).isGreaterThan(size);
            assertRefused(reader);
        }
    }

    private void assertRefused(IndexReader r) {
        List<Function<IndexReader, Object>> calls = List.of(
                x -> x.search(data[3], SearchOptions.k(5)),
                x -> x.searchItem(3, SearchOptions.k(5)),
                x -> x.vector(3),
                x -> x.contains(3),
                x -> x.size(),
                x -> x.ids(),
                x -> x.stats(),
                x -> x instanceof HnswReader h ? h.check() : ((ForestReader) x).check());
        for (Function<IndexReader, Object> call : calls) {
            assertThatThrownBy(() -> call.apply(r)).isInstanceOf(IllegalStateException.class).hasMessage("transaction is closed");
        }
    }

    /** Search options whose cancellation poll, on the search's first poll, says it is inside and waits for {@code leave}. */
    private static SearchOptions pausing(CountDownLatch inside, CountDownLatch leave, Runnable atPause) {
        boolean[] first = {true};
        return SearchOptions.builder().k(5).ef(200).searchK(5_000).cancel(() -> {
            if (first[0]) {
                first[0] = false;
                inside.countDown();
                atPause.run();
                try {
                    leave.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        }).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void closingFromAnotherThreadWaitsForTheSearchInProgress(String family) throws Exception {
        Store store = storeWith(family);
        ReadTxn txn = store.read();
        IndexReader reader = reader(family, txn);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread searcher = new Thread(() -> {
            try {
                outcome.set(reader.search(data[5], pausing(inside, leave, () -> { })));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        searcher.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(txn::close);
        closer.start();
        closer.join(300);
        assertThat(closer.isAlive()).as("close waits while another thread searches the snapshot").isTrue();
        // and the store cannot close under the search either
        assertThatThrownBy(store::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
        leave.countDown();
        searcher.join(30_000);
        closer.join(30_000);
        assertThat(closer.isAlive()).isFalse();
        // The search either finished from what it had kept, or stopped at its next lookup in the
        // closed snapshot; either way it read nothing freed.
        Object o = outcome.get();
        if (o instanceof SearchResult r) {
            assertThat(r.neighbors().get(0).id()).isEqualTo(5);
        } else {
            assertThat(o).isInstanceOf(IllegalStateException.class);
            assertThat(((Exception) o).getMessage()).isEqualTo("transaction is closed");
        }
        store.close();
        assertThatThrownBy(() -> reader.search(data[5], SearchOptions.k(5))).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void aTransactionServesOneThreadAtATime(String family) throws Exception {
        try (Store store = storeWith(family); ReadTxn txn = store.read()) {
            IndexReader reader = reader(family, txn);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread searcher = new Thread(() -> outcome.set(reader.search(data[9], pausing(inside, leave, () -> { }))));
            searcher.start();
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            // sharing one snapshot between two threads at once gave wrong answers and false
            // corruption reports (the reader's scratch is not shared-safe), and crashed the forest
            assertThatThrownBy(() -> reader.search(data[1], SearchOptions.k(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another thread");
            leave.countDown();
            searcher.join(30_000);
            assertThat(((SearchResult) outcome.get()).neighbors().get(0).id()).isEqualTo(9);
            // handing it over one thread after the other is fine
            assertThat(reader.search(data[1], SearchOptions.k(5)).neighbors().get(0).id()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void closingInsideItsOwnSearchFreesTheSnapshotWhenTheSearchEnds(String family) {
        Store store = storeWith(family);
        ReadTxn txn = store.read();
        IndexReader reader = reader(family, txn);
        CountDownLatch done = new CountDownLatch(0);
        Object outcome;
        try {
            outcome = reader.search(data[11], pausing(new CountDownLatch(1), done, () -> {
                txn.close();
                // not freed yet: the search is still reading the snapshot
                assertThatThrownBy(store::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
            }));
        } catch (IllegalStateException e) {
            outcome = e;
        }
        if (outcome instanceof SearchResult r) {
            assertThat(r.neighbors()).isNotEmpty();
        } else {
            assertThat(((Exception) outcome).getMessage()).isEqualTo("transaction is closed");
        }
        assertThat(txn.isOpen()).isFalse();
        store.close(); // throws when the snapshot was never freed
        assertThatThrownBy(() -> reader.size()).isInstanceOf(IllegalStateException.class);
    }

    @org.junit.jupiter.api.Test
    void aWriteInsideAWriteOnTheSameThreadIsRefusedInsteadOfWaitingForever() {
        try (Store store = Store.open(dir)) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThatThrownBy(() -> store.write(outer -> store.write(inner -> { })))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already holds the write transaction");
                assertThatThrownBy(() -> store.write(outer -> store.beginWrite()))
                        .isInstanceOf(IllegalStateException.class);
            });
            // the refused nested write left the store usable, from this thread and another
            store.write(txn -> HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS).add(1, data[1]));
            Thread other = new Thread(() -> store.write(txn -> HnswWriter.open(txn, 0).add(2, data[2])));
            other.start();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> other.join());
            try (ReadTxn txn = store.read()) {
                assertThat(io.quiver.index.ItemStore.open(txn, 0).currentIds().toArray()).containsExactly(1, 2);
            }
        }
    }
}
