package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a store while other threads begin transactions or grow its map: every thread either
 * gets its transaction (and the close is refused while it is open) or is told the store is
 * closed; none reaches LMDB's closed environment, which lmdbjava reports with its own exception
 * at best and which crashed the JVM when a map grew.
 */
class StoreCloseRaceTest {
    private static final int ROUNDS = 600;

    @TempDir
    Path dir;

    @Test
    void aTransactionBegunAsTheStoreClosesIsEitherGivenOrRefusedAsClosed() throws Exception {
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < ROUNDS && unexpected.isEmpty(); round++) {
            Store store = Store.open(dir);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                boolean writer = t == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    await(go);
                    untilClosed(unexpected, () -> {
                        if (writer) {
                            store.write(w -> w.put(0, KeyKind.ITEM, 1, new byte[] {1}));
                        } else {
                            try (ReadTxn r = store.read()) {
                                r.get(0, KeyKind.ITEM, 1);
                            }
                        }
                    });
                }));
            }
            go.countDown();
            closeWhenFree(store, unexpected);
            for (Thread t : threads) {
                t.join(30_000);
                assertThat(t.isAlive()).isFalse();
            }
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void everyUseOfAClosedStoreIsRefusedAsClosed() {
        Store store = Store.open(dir);
        store.write(w -> w.put(0, KeyKind.ITEM, 1, new byte[] {1}));
        store.close();
        store.close(); // again: nothing to do
        List<ThrowingCallable> uses = List.of(store::read, store::beginWrite, () -> store.write(w -> { }),
                () -> store.grow(store.mapSize()), store::sync, store::readers, () -> store.copyTo(dir.resolve("backup")));
        for (ThrowingCallable use : uses) {
            // growing, syncing or copying a closed environment reached LMDB's freed memory
            assertThatThrownBy(use).isInstanceOf(IllegalStateException.class).hasMessageEndingWith(" is closed");
        }
        assertThat(dir.resolve("backup")).doesNotExist();
        try (Store again = Store.open(dir); ReadTxn r = again.read()) {
            assertThat(r.get(0, KeyKind.ITEM, 1)).isNotNull();
        }
    }

    @Test
    void aGrowthAsTheStoreClosesEitherHappensOrIsRefusedAsClosed() throws Exception {
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).build();
        for (int round = 0; round < ROUNDS / 3 && unexpected.isEmpty(); round++) {
            Store store = Store.open(dir, opts);
            CountDownLatch go = new CountDownLatch(1);
            Thread grower = Thread.ofPlatform().start(() -> {
                await(go);
                closedIsFine(unexpected, () -> store.grow(store.mapSize()));
            });
            go.countDown();
            closeWhenFree(store, unexpected);
            grower.join(30_000);
            assertThat(grower.isAlive()).isFalse();
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void aWriteInsideAWriteIsRefusedWhileAnotherThreadsWriteEnds() throws Exception {
        // The mark of the writing thread was cleared by the previous writer as its transaction
        // closed after LMDB had let the next one begin: that writer's nested write then waited
        // for itself, holding LMDB's lock forever.
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        try (Store store = Store.open(dir)) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    for (int i = 0; i < 2_000 && !stop.get(); i++) {
                        try {
                            store.write(outer -> {
                                outer.put(0, KeyKind.ITEM, id, new byte[] {1});
                                try {
                                    store.write(inner -> { });
                                    unexpected.add(new AssertionError("the nested write ran"));
                                } catch (IllegalStateException e) {
                                    refused.incrementAndGet();
                                }
                            });
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            stop.set(true);
            assertThat(threads).as("a nested write waited for itself").noneMatch(Thread::isAlive);
            assertThat(unexpected).isEmpty();
            assertThat(refused.get()).isEqualTo(4_000);
        }
    }

    @Test
    void twoGrowthsWaitingForTheSameReaderGrowTheMapOnce() throws Exception {
        StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).resizeWaitMillis(30_000).build();
        try (Store store = Store.open(dir, opts)) {
            long seen = store.mapSize();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            Thread a;
            Thread b;
            try (ReadTxn r = store.read()) {
                Runnable grow = () -> {
                    try {
                        store.grow(seen);
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                };
                a = Thread.ofPlatform().start(grow);
                b = Thread.ofPlatform().start(grow);
                // both wait: one for the reader, the other for that resize
                while (a.getState() != Thread.State.TIMED_WAITING && a.getState() != Thread.State.WAITING
                        || b.getState() != Thread.State.TIMED_WAITING && b.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
            }
            a.join(30_000);
            b.join(30_000);
            assertThat(unexpected).isEmpty();
            // each grew it before: the second resize ran after the first without checking the size
            assertThat(store.resizeCount()).isEqualTo(1);
        }
    }

    @Test
    void aCloseBetweenTwoGrowthsDoesNotFreeTheMapUnderTheSecond() throws Exception {
        // a review helper's race: two growths wait for a reader, a closer spins and short reads come
        // and go; the first growth's end let the close in while the second was still to resize,
        // which then crashed the JVM in mdb_env_set_mapsize
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).resizeWaitMillis(30_000).build();
        for (int round = 0; round < 150 && unexpected.isEmpty(); round++) {
            Store store = Store.open(dir, opts);
            long seen = store.mapSize();
            ReadTxn r = store.read();
            Runnable grow = () -> closedIsFine(unexpected, () -> store.grow(seen));
            Thread a = Thread.ofPlatform().start(grow);
            Thread b = Thread.ofPlatform().start(grow);
            Thread closer = Thread.ofPlatform().start(() -> closeWhenFree(store, unexpected));
            Thread reads = Thread.ofPlatform().start(() -> untilClosed(unexpected, () -> {
                try (ReadTxn t = store.read()) {
                    Thread.onSpinWait();
                }
            }));
            Thread.sleep(2);
            r.close();
            for (Thread t : new Thread[] {a, b, closer, reads}) {
                t.join(30_000);
                assertThat(t.isAlive()).isFalse();
            }
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void countingReadersInsideATransactionDoesNotWaitForAGrowthThatWaitsForIt() throws Exception {
        StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).resizeWaitMillis(20_000).build();
        try (Store store = Store.open(dir, opts)) {
            long seen = store.mapSize();
            java.util.concurrent.atomic.AtomicReference<Throwable> grown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread grower;
            try (ReadTxn r = store.read()) {
                grower = Thread.ofPlatform().start(() -> {
                    try {
                        store.grow(seen);
                    } catch (Throwable e) {
                        grown.set(e);
                    }
                });
                while (grower.getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                }
                // waited for the growth, which waited for this reader until it gave up (20 s)
                assertThat(store.readers()).isPositive();
                store.sync();
                assertThat(grower.isAlive()).as("the growth still waits for the reader").isTrue();
            }
            grower.join(30_000);
            assertThat(grown.get()).isNull();
            assertThat(store.resizeCount()).isEqualTo(1);
        }
    }

    /** Runs {@code body} again and again until the store is closed; anything else thrown is unexpected. */
    private static void untilClosed(ConcurrentLinkedQueue<Throwable> unexpected, Runnable body) {
        while (closedIsFine(unexpected, body)) {
            Thread.onSpinWait();
        }
    }

    /**
     * Runs {@code body} once: being refused as closed is one of the outcomes expected, anything
     * else thrown is unexpected. Returns whether it ran through.
     */
    private static boolean closedIsFine(ConcurrentLinkedQueue<Throwable> unexpected, Runnable body) {
        try {
            body.run();
            return true;
        } catch (IllegalStateException e) {
            if (!e.getMessage().endsWith(" is closed")) {
                unexpected.add(e);
            }
        } catch (Throwable e) {
            unexpected.add(e);
        }
        return false;
    }

    /** Closes the store, retrying while another thread's transaction is open. */
    private static void closeWhenFree(Store store, ConcurrentLinkedQueue<Throwable> unexpected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                store.close();
                return;
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("still open") || System.nanoTime() > deadline) {
                    unexpected.add(e);
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
