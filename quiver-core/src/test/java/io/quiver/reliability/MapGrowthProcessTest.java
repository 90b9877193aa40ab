package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process grows the map under a reader: this JVM opens the store with a 1 MiB map first
 * and keeps reading while {@link GrowerProcess} writes many times that much, growing the map
 * again and again. Each new snapshot here must begin despite LMDB's {@code MDB_MAP_RESIZED}
 * (the store adopts the other process's size) and see everything committed before it began.
 */
class MapGrowthProcessTest {
    @TempDir
    Path tmp;

    @Test
    void aReaderSeesWhatAnotherProcessWroteAfterGrowingTheMap() throws Exception {
        run(64L << 20);
    }

    @Test
    @Tag("slow")
    void aReaderFollowsAnotherProcessGrowingTheMapToOneGiB() throws Exception {
        run(1L << 30);
    }

    /**
     * Opening a store, and checking its pages, while another process grows it: LMDB fails the
     * first read of a new environment with {@code MDB_MAP_RESIZED} when the data outgrew the map
     * it opened with. Taken for damage, every open failed as "CORRUPTED ... restore a backup"
     * for as long as the writer ran, and {@code check} walked unpinned pages the writer reused.
     */
    @Test
    void aStoreOpensAndChecksSoundWhileAnotherProcessGrowsIt() throws Exception {
        Path db = tmp.resolve("db");
        int valueBytes = 32 * 1024;
        int values = (int) ((256L << 20) / valueBytes);
        StoreOptions small = StoreOptions.builder().initialMapSize(1L << 20).build();
        try (Store store = Store.open(db, small)) {
            store.write(txn -> txn.reserve(0, KeyKind.ITEM, 0, valueBytes).putInt(0, 0).putInt(valueBytes - 4, 0));
        }
        List<String> out = new CopyOnWriteArrayList<>();
        Process child = startGrower(db, values - 1, valueBytes, 16, out::add);
        Thread pump = pumps.get(child);
        int opens = 0;
        int checks = 0;
        while (child.isAlive()) {
            try (Store store = Store.open(db, small); ReadTxn txn = store.read()) {
                assertThat(txn.get(0, KeyKind.ITEM, 0)).isNotNull();
            }
            opens++;
            if (opens % 8 == 0) {
                io.quiver.storage.PageCheck.Report r = io.quiver.storage.PageCheck.run(db);
                assertThat(r.problems()).as("pages checked while another process commits").isEmpty();
                checks++;
            }
        }
        pump.join(10_000);
        assertThat(child.exitValue()).as("grower output: %s", out).isZero();
        assertThat(opens).as("opens while the other process wrote").isGreaterThan(8);
        System.out.printf("opens=%d checks=%d while the other process grew the store (%s)%n", opens, checks, out.isEmpty() ? "" : out.get(out.size() - 1));
    }

    /**
     * Threads of this process that meet one growth by another process together adopt it once.
     * Each remapped again after the first had, waiting for the transactions the others had begun
     * meanwhile: a needless remap (address caches dropped), or, past the resize wait, a read that
     * failed with MAP_FULL on a map already large enough (a review helper's test, 8 of 8 rounds).
     */
    @Test
    void threadsMeetingOneForeignGrowthAdoptItOnce() throws Exception {
        for (int round = 0; round < 2; round++) {
            Path db = tmp.resolve("adopt" + round);
            StoreOptions opts = StoreOptions.builder().initialMapSize(1L << 20).resizeWaitMillis(300).build();
            try (Store store = Store.open(db, opts)) {
                store.write(txn -> txn.reserve(0, KeyKind.ITEM, 0, 64).putInt(0, 0));
                List<String> out = new CopyOnWriteArrayList<>();
                Process child = startGrower(db, 255, 32 * 1024, 16, out::add);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as("grower output: %s", out).isZero();
                int before = store.resizeCount();
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<Throwable> failed = new CopyOnWriteArrayList<>();
                List<Thread> readers = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    readers.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            try (ReadTxn r = store.read()) {
                                assertThat(r.get(0, KeyKind.ITEM, 255)).isNotNull();
                                Thread.sleep(1000); // past the resize wait
                            }
                        } catch (Throwable e) {
                            failed.add(e);
                        }
                    }));
                }
                go.countDown();
                for (Thread t : readers) {
                    t.join(30_000);
                }
                assertThat(failed).isEmpty();
                assertThat(store.resizeCount() - before).as("remaps of this process for the one growth").isEqualTo(1);
            }
        }
    }

    /** The thread reading each started grower's output, until it ends. */
    private final java.util.Map<Process, Thread> pumps = new java.util.HashMap<>();

    /** Starts {@link GrowerProcess} writing ids 1..values; each line it prints goes to {@code onLine}. */
    private Process startGrower(Path db, int values, int valueBytes, int perTxn, java.util.function.Consumer<String> onLine) throws java.io.IOException {
        Process child = new ProcessBuilder(Rel.java(GrowerProcess.class, db.toString(), Integer.toString(values),
                Integer.toString(valueBytes), Integer.toString(perTxn), "1")).redirectErrorStream(true).start();
        pumps.put(child, Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (java.io.IOException ignored) {
                // the child ended
            }
        }));
        return child;
    }

    private void run(long totalBytes) throws Exception {
        Path db = tmp.resolve("db");
        int valueBytes = 32 * 1024;
        int values = (int) (totalBytes / valueBytes);
        try (Store store = Store.open(db, StoreOptions.builder().initialMapSize(1L << 20).build())) {
            store.write(txn -> txn.reserve(0, KeyKind.ITEM, 0, valueBytes).putInt(0, 0).putInt(valueBytes - 4, 0));
            long mapBefore = store.mapSize();
            AtomicInteger committed = new AtomicInteger(1);
            List<String> out = new CopyOnWriteArrayList<>();
            Process child = startGrower(db, values - 1, valueBytes, 64, line -> {
                out.add(line);
                if (line.startsWith("COMMITTED ")) {
                    committed.set(Integer.parseInt(line.substring(10)));
                }
            });
            Thread pump = pumps.get(child);
            Random rnd = new Random(5);
            long snapshots = 0;
            int maxSeen = 0;
            while (child.isAlive() || pump.isAlive()) {
                int upTo = committed.get(); // committed before the snapshot begins
                try (ReadTxn txn = store.read()) {
                    snapshots++;
                    for (int id : new int[] {upTo - 1, rnd.nextInt(upTo)}) {
                        ByteBuffer v = txn.get(0, KeyKind.ITEM, id);
                        assertThat(v).as("value %d committed before the snapshot (map %d, child: %s)", id, store.mapSize(), out).isNotNull();
                        assertThat(v.remaining()).isEqualTo(valueBytes);
                        assertThat(v.getInt(0)).isEqualTo(id);
                        assertThat(v.getInt(valueBytes - 4)).isEqualTo(id);
                    }
                    maxSeen = Math.max(maxSeen, upTo);
                }
                if (!child.isAlive() && !pump.isAlive()) {
                    break;
                }
                Thread.sleep(2);
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("grower output: %s", out).isZero();
            assertThat(out).anyMatch(l -> l.startsWith("DONE"));
            assertThat(committed.get()).isEqualTo(values);
            int[] count = {0};
            try (ReadTxn txn = store.read()) {
                txn.scan(0, KeyKind.ITEM, (id, level, v) -> {
                    assertThat(v.getInt(0)).isEqualTo(id);
                    count[0]++;
                    return true;
                });
            }
            assertThat(count[0]).isEqualTo(values);
            assertThat(store.mapSize()).as("this process adopted the grown map").isGreaterThan(mapBefore).isGreaterThanOrEqualTo(totalBytes);
            assertThat(store.resizeCount()).as("resizes adopted from the other process").isPositive();
            System.out.printf("snapshots=%d, map %d -> %d, adopted resizes=%d, child: %s%n", snapshots, mapBefore, store.mapSize(),
                    store.resizeCount(), out.get(out.size() - 1));
        }
    }
}
