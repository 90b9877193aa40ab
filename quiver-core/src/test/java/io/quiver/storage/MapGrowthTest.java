package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny map grows transparently under a stream of writes while readers keep reading. */
class MapGrowthTest {
    @TempDir
    Path dir;

    @Test
    void growsTo128MiBWithReadersRunning() throws Exception {
        grow(128L << 20);
    }

    @Test
    @Tag("slow")
    void growsToOneGiBWithReadersRunning() throws Exception {
        grow(1L << 30);
    }

    private void grow(long totalBytes) throws Exception {
        int valueBytes = 64 * 1024;
        int perTxn = 256;
        int values = (int) (totalBytes / valueBytes);
        StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).build();
        try (Store store = Store.open(dir, opts)) {
            AtomicInteger committed = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            AtomicInteger readerErrors = new AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    // read the counter before the snapshot begins: the snapshot holds at least that much
                    int upTo = committed.get();
                    try (ReadTxn r = store.read()) {
                        if (upTo > 0) {
                            int id = ThreadLocalRandom.current().nextInt(upTo);
                            ByteBuffer v = r.get(0, KeyKind.ITEM, id);
                            if (v == null || v.remaining() != valueBytes || v.getInt(0) != id || v.getInt(valueBytes - 4) != id) {
                                readerErrors.incrementAndGet();
                                firstError.compareAndSet(null, "item " + id + " read wrong: " + (v == null ? "missing" : v.remaining() + " bytes"));
                            }
                        }
                        reads.incrementAndGet();
                    } catch (Throwable e) {
                        readerErrors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            });
            for (int start = 0; start < values; start += perTxn) {
                int from = start;
                int to = Math.min(values, start + perTxn);
                store.write(txn -> {
                    for (int id = from; id < to; id++) {
                        ByteBuffer out = txn.reserve(0, KeyKind.ITEM, id, valueBytes);
                        out.putInt(0, id);
                        out.putInt(valueBytes - 4, id);
                    }
                });
                committed.set(to);
            }
            stop.set(true);
            reader.join();
            assertThat(readerErrors).as("first reader error: %s", firstError.get()).hasValue(0);
            assertThat(reads.get()).isPositive();
            assertThat(store.resizeCount()).isGreaterThanOrEqualTo(5);
            assertThat(store.mapSize()).isGreaterThanOrEqualTo(totalBytes);
            try (ReadTxn r = store.read()) {
                for (int id = 0; id < values; id++) {
                    ByteBuffer v = r.get(0, KeyKind.ITEM, id);
                    assertThat(v.getInt(0)).isEqualTo(id);
                }
            }
        }
        // another process (here: a reopen) sees the grown size
        try (Store again = Store.open(dir, StoreOptions.builder().initialMapSize(1L << 20).build())) {
            assertThat(again.mapSize()).isGreaterThanOrEqualTo(totalBytes);
        }
    }
    /**
     * Work that catches a failed write and carries on (logging and skipping it, say) still gets a
     * grown map: LMDB has failed the transaction at the full map, and everything after (here the
     * later reserves and the commit) fails too, reported as the full map it comes from, so that
     * {@link Store#write} grows the map and runs the work again instead of giving up.
     */
    @Test
    void aFullMapCaughtInsideTheWorkStillGrowsTheMapAndRunsItAgain() {
        int values = 64;
        int valueBytes = 64 * 1024; // 4 MiB in all, into a 1 MiB map
        try (Store store = Store.open(dir, StoreOptions.builder().initialMapSize(1L << 20).build())) {
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger caught = new AtomicInteger();
            java.util.List<ErrorKind> kinds = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.write(txn -> {
                runs.incrementAndGet();
                for (int id = 0; id < values; id++) {
                    try {
                        txn.reserve(0, KeyKind.ITEM, id, valueBytes).putInt(0, id);
                    } catch (QuiverException e) {
                        caught.incrementAndGet();
                        kinds.add(e.kind());
                    }
                }
            });
            assertThat(caught.get()).as("failed writes the work caught").isPositive();
            assertThat(kinds).as("the first reports the full map, the later ones the failed transaction it left").containsOnly(ErrorKind.MAP_FULL);
            assertThat(runs.get()).isGreaterThan(1);
            assertThat(store.resizeCount()).isPositive();
            try (ReadTxn r = store.read()) {
                for (int id = 0; id < values; id++) {
                    ByteBuffer v = r.get(0, KeyKind.ITEM, id);
                    assertThat(v).as("item %d", id).isNotNull();
                    assertThat(v.getInt(0)).isEqualTo(id);
                }
            }
        }
    }

    /** Without {@link Store#write}'s retry, the commit of such a transaction fails as a full map, naming what happened. */
    @Test
    void aPlainTransactionWhoseFullMapWasCaughtFailsItsCommitAsAFullMap() {
        try (Store store = Store.open(dir, StoreOptions.builder().initialMapSize(1L << 20).build())) {
            try (WriteTxn txn = store.beginWrite()) {
                int failed = 0;
                for (int id = 0; id < 64; id++) {
                    try {
                        txn.reserve(0, KeyKind.ITEM, id, 64 * 1024);
                    } catch (QuiverException e) {
                        failed++;
                    }
                }
                assertThat(failed).isPositive();
                org.assertj.core.api.Assertions.assertThatThrownBy(txn::commit)
                        .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.MAP_FULL))
                        .hasMessageContaining("caught inside it").hasMessageContaining("committing");
            }
            try (ReadTxn r = store.read()) {
                assertThat(r.get(0, KeyKind.ITEM, 0)).as("nothing of the failed transaction committed").isNull();
            }
        }
    }
}

