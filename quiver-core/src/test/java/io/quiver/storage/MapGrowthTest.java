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
}
