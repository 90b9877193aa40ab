package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.longlong.Roaring64Bitmap;

/**
 * {@link PageCheck} must find damage anywhere in LMDB's structures without ever letting LMDB (or
 * itself) trip over it, and must find none in a healthy store, also while a writer commits.
 */
class PageCheckTest {
    @TempDir
    Path dir;

    /** Small values in several kinds and indexes, overflow values, and deletes that leave free pages. */
    private void fill(Path store) {
        try (Store s = Store.open(store)) {
            Random rnd = new Random(7);
            for (int round = 0; round < 3; round++) {
                int r = round;
                s.write(txn -> {
                    for (int id = 0; id < 1500; id++) {
                        byte[] small = new byte[8 + rnd.nextInt(120)];
                        rnd.nextBytes(small);
                        txn.put(r % 2, KeyKind.LINKS, id, small);
                    }
                    for (int id = 0; id < 40; id++) {
                        byte[] big = new byte[2500 + rnd.nextInt(9000)];
                        rnd.nextBytes(big);
                        txn.put(0, KeyKind.ITEM, id * 3 + r, big);
                    }
                    for (int id = r; id < 1500; id += 4) {
                        txn.delete(0, KeyKind.LINKS, id);
                    }
                });
            }
        }
    }

    /**
     * An environment opened before another process grew the data past its map: its first read
     * transaction fails with MDB_MAP_RESIZED, and the walk used to give up pinning (a writer still
     * committing then reused the pages it read: false damage on a live store). It adopts the size
     * and pins a snapshot.
     */
    @Test
    void aWalkPinsItsSnapshotAfterAnotherProcessGrewTheMap() throws Exception {
        Path store = dir.resolve("grown");
        try (Store s = Store.open(store, StoreOptions.builder().initialMapSize(1L << 20).build())) {
            s.write(txn -> txn.put(0, KeyKind.ITEM, 0, new byte[] {1}));
        }
        try (org.lmdbjava.Env<ByteBuffer> env = org.lmdbjava.Env.create().setMapSize(1 << 20).setMaxDbs(4)
                .open(store.toFile(), org.lmdbjava.EnvFlags.MDB_NOTLS, org.lmdbjava.EnvFlags.MDB_RDONLY_ENV)) {
            int valueBytes = 32 * 1024;
            Process grower = new ProcessBuilder(io.quiver.reliability.Rel.java(io.quiver.reliability.GrowerProcess.class, store.toString(), "256",
                    Integer.toString(valueBytes), "64", "1")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(grower.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(grower.exitValue()).isZero();
            PageCheck.Report r = PageCheck.run(env, store.resolve("data.mdb"));
            assertThat(r.problems()).isEmpty();
            assertThat(r.pinned()).as("a snapshot was pinned for the walk").isTrue();
            assertThat(r.entries()).isGreaterThanOrEqualTo(257);
        }
    }

    @Test
    void aHealthyStoreIsSoundAndEveryPageIsAccountedFor() {
        fill(dir);
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).isEmpty();
        assertThat(r.pinned()).isTrue();
        assertThat(r.inUse() + r.free()).isEqualTo(r.pages());
        assertThat(r.free()).isPositive();
        assertThat(r.entries()).isGreaterThan(1500);
    }

    /**
     * Random bytes over each page in turn: found exactly when the page is in use (its header no
     * longer names it) and not just the rest of a large value, never when it is free; the walk
     * never throws.
     */
    @Test
    void garbageOverAnyPageInUseIsFoundAndOverAFreePageIsNot() throws IOException {
        fill(dir);
        PageCheck.Report healthy = PageCheck.run(dir);
        Path data = dir.resolve("data.mdb");
        int[] found = {0};
        int[] quiet = {0};
        withGarbageOverEachPage(data, 0, healthy.pages(), 11, p -> {
            if (PageCheck.run(dir).ok()) {
                quiet[0]++;
            } else {
                found[0]++;
            }
        });
        assertThat(healthy.unchecked()).isPositive();
        assertThat(found[0]).isEqualTo(healthy.inUse() - healthy.unchecked());
        assertThat(quiet[0]).isEqualTo(healthy.free() + healthy.unchecked());
        assertThat(PageCheck.run(dir).ok()).isTrue();
    }

    /** Damage that keeps the page's header: nodes, keys and counts. */
    @Test
    void damageBehindAValidHeaderIsFound() throws IOException {
        fill(dir);
        PageCheck.Report healthy = PageCheck.run(dir);
        Roaring64Bitmap inUse = PageCheck.pageSets(dir)[0];
        Path data = dir.resolve("data.mdb");
        int leaves = 0;
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            ByteBuffer b = ByteBuffer.allocate(PageCheck.MIN_PAGE).order(ByteOrder.LITTLE_ENDIAN);
            for (long p = 2; p < healthy.pages(); p++) {
                f.seek(p * PageCheck.MIN_PAGE);
                f.readFully(b.array());
                int flags = b.getShort(10) & 0xFFFF;
                int lower = b.getShort(12) & 0xFFFF;
                int keys = (lower - 16) / 2;
                if (flags != 0x02 || keys < 3 || !inUse.contains(p)) {
                    continue; // leaf pages in use only (a free page still holds the leaf it was)
                }
                leaves++;
                byte[] saved = b.array().clone();
                // the second node's offset pointed into the page header
                b.putShort(16 + 2, (short) 8);
                assertDamaged(f, p, b.array());
                // two keys swapped: key order broken
                System.arraycopy(saved, 0, b.array(), 0, saved.length);
                short first = b.getShort(16);
                b.putShort(16, b.getShort(18));
                b.putShort(18, first);
                assertDamaged(f, p, b.array());
                // a key size that runs past the page
                System.arraycopy(saved, 0, b.array(), 0, saved.length);
                int node = b.getShort(16) & 0xFFFF;
                b.putShort(node + 6, (short) 5000);
                assertDamaged(f, p, b.array());
                // one entry fewer than the tree's record counts
                System.arraycopy(saved, 0, b.array(), 0, saved.length);
                b.putShort(12, (short) (lower - 2));
                assertDamaged(f, p, b.array());
                f.seek(p * PageCheck.MIN_PAGE);
                f.write(saved);
                if (leaves == 20) {
                    break;
                }
            }
        }
        assertThat(leaves).isPositive();
        assertThat(PageCheck.run(dir).ok()).isTrue();
    }

    /**
     * A backup walks the pages before LMDB's compacting copy follows them: garbage over a page in
     * use killed the JVM inside that copy (SIGBUS; a review helper's store) and left an empty
     * data.mdb in the target. Every page in turn: the backup is refused as damage of this store
     * and the target is not created, or the page was one the walk cannot judge (free, or the
     * middle of a large value, which the copy takes as bytes) and the copy is made.
     */
    @Test
    void aBackupOfADamagedStoreIsRefusedBeforeItsTargetExists() throws IOException {
        Path store = dir.resolve("store");
        fill(store);
        PageCheck.Report healthy = PageCheck.run(store);
        Path data = store.resolve("data.mdb");
        int[] refused = {0};
        int[] copied = {0};
        // not the meta pages: the open refuses those
        withGarbageOverEachPage(data, 2, healthy.pages(), 23, p -> {
            Path target = dir.resolve("backup-" + p);
            boolean damaged = !PageCheck.run(store).ok();
            try (Store s = Store.open(store)) {
                s.copyTo(target);
                assertThat(damaged).as("page %d: a damaged store was copied", p).isFalse();
                copied[0]++;
            } catch (QuiverException e) {
                assertThat(damaged).as("page %d: %s", p, e.getMessage()).isTrue();
                if (e.getMessage().startsWith("cannot back up")) {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CORRUPTED);
                    assertThat(e.getMessage()).contains(data.toString());
                    assertThat(target).doesNotExist();
                    refused[0]++;
                }
            }
        });
        assertThat(refused[0]).as("backups refused by the walk").isGreaterThan((int) (healthy.inUse() - healthy.unchecked()) / 2);
        assertThat(copied[0]).isPositive();
    }

    /** Random bytes (from {@code seed}) over each page of {@code data} from {@code first} to {@code end} in turn, {@code check} run, the page put back. */
    private static void withGarbageOverEachPage(Path data, long first, long end, long seed, java.util.function.LongConsumer check) throws IOException {
        Random rnd = new Random(seed);
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            byte[] saved = new byte[PageCheck.MIN_PAGE];
            byte[] garbage = new byte[PageCheck.MIN_PAGE];
            for (long p = first; p < end; p++) {
                f.seek(p * PageCheck.MIN_PAGE);
                f.readFully(saved);
                rnd.nextBytes(garbage);
                f.seek(p * PageCheck.MIN_PAGE);
                f.write(garbage);
                check.accept(p);
                f.seek(p * PageCheck.MIN_PAGE);
                f.write(saved);
            }
        }
    }

    private void assertDamaged(RandomAccessFile f, long page, byte[] bytes) throws IOException {
        f.seek(page * PageCheck.MIN_PAGE);
        f.write(bytes);
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).as("page %d", page).isNotEmpty();
        assertThat(r.problems()).anyMatch(s -> s.contains("page " + page) || s.contains("record says"));
    }

    @Test
    void aNewestTransactionOnTheWrongMetaPageIsFoundAndRefused() throws IOException {
        // LMDB writes transaction t to meta page t & 1, and its readers of t read that page. One
        // changed transaction id (a fuzzing helper's case) sent readers to the older tree, where
        // every index looked gone, while a walk by the newest id saw a sound store.
        fill(dir);
        long txnOffset = 16 + 24 + 2 * 48 + 8; // page header, magic..map size, two MDB_db, last page
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("data.mdb").toFile(), "rw")) {
            long[] txn = new long[2];
            for (int n = 0; n < 2; n++) {
                f.seek(n * PageCheck.MIN_PAGE + txnOffset);
                txn[n] = Long.reverseBytes(f.readLong());
                assertThat(txn[n] & 1).as("meta page %d of a healthy store", n).isEqualTo(n);
            }
            int older = txn[0] < txn[1] ? 0 : 1;
            f.seek(older * PageCheck.MIN_PAGE + txnOffset);
            f.writeLong(Long.reverseBytes(Math.max(txn[0], txn[1]) + 2)); // newest now, on the wrong page
        }
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("which LMDB writes to meta page"));
        assertThatThrownBy(() -> Store.open(dir).close()).isInstanceOf(QuiverException.class)
                .satisfies(e -> assertThat(((QuiverException) e).kind()).isEqualTo(ErrorKind.CORRUPTED));
    }

    @Test
    void aCutFileIsFound() throws IOException {
        fill(dir);
        PageCheck.Report healthy = PageCheck.run(dir);
        Path data = dir.resolve("data.mdb");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(healthy.pages() / 2 * PageCheck.MIN_PAGE);
        }
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).anyMatch(s -> s.contains("past the end of the file") || s.contains("truncated"));
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(PageCheck.MIN_PAGE);
        }
        assertThat(PageCheck.run(dir).problems()).anyMatch(s -> s.contains("shorter than LMDB's two meta pages"));
    }

    /**
     * A value rewritten smaller in the transaction that wrote it keeps its overflow run: the run
     * may be longer than the value needs (a fuzzing helper's false alarm, which also made a short
     * healthy file refuse to open).
     */
    @Test
    void anOverflowRunLongerThanItsValueIsSound() {
        try (Store s = Store.open(dir)) {
            s.write(txn -> {
                for (int id = 0; id < 20; id++) {
                    txn.put(0, KeyKind.ITEM, id, new byte[12_000]);
                    txn.put(0, KeyKind.ITEM, id, new byte[5_000]);
                }
            });
        }
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).isEmpty();
        assertThat(r.inUse() + r.free()).isEqualTo(r.pages());
    }

    /**
     * LMDB trusts the meta pages' page size and page numbers, and crashes (SIGBUS) opening a file
     * whose newest meta page lies about them: the check reports it without LMDB, and opening the
     * store is refused as corrupted.
     */
    @Test
    void aMetaPageThatWouldCrashLmdbIsReportedAndRefused() throws IOException {
        fill(dir);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("data.mdb").toFile(), "rw")) {
            ByteBuffer m = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
            f.readFully(m.array());
            int newer = m.getLong(144) >= m.getLong(4096 + 144) ? 0 : 4096;
            m.putInt(newer + 16 + 24, 57); // the page size, in the free list's pad field
            f.seek(0);
            f.write(m.array());
        }
        assertThat(PageCheck.run(dir).problems()).anyMatch(p -> p.contains("page size of 57 bytes"));
        assertThatThrownBy(() -> Store.open(dir).close())
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CORRUPTED));
    }

    @Test
    void aMissingStoreIsNotFound() {
        assertThatThrownBy(() -> PageCheck.run(dir.resolve("nothing")))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    /**
     * The store open in this process is borrowed (LMDB must not open a file twice in a process), and
     * its snapshot pinned: a writer committing all the while never makes the walk see damage.
     */
    @Test
    void aWalkDuringCommitsOfThisProcessIsSound() throws Exception {
        fill(dir);
        try (Store s = Store.open(dir)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                Random rnd = new Random(3);
                try {
                    while (!stop.get()) {
                        s.write(txn -> {
                            for (int i = 0; i < 200; i++) {
                                byte[] v = new byte[8 + rnd.nextInt(3000)];
                                rnd.nextBytes(v);
                                int id = rnd.nextInt(3000);
                                if (rnd.nextInt(3) == 0) {
                                    txn.delete(0, KeyKind.LINKS, id);
                                } else {
                                    txn.put(0, KeyKind.LINKS, id, v);
                                }
                            }
                        });
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            writer.start();
            try {
                for (int i = 0; i < 30; i++) {
                    PageCheck.Report r = PageCheck.run(dir);
                    assertThat(r.problems()).isEmpty();
                    assertThat(r.pinned()).isTrue();
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(failed.get()).isNull();
            // the borrowed store is still whole: it writes and reads
            s.write(txn -> txn.put(0, KeyKind.LINKS, 5, new byte[] {1, 2, 3}));
            try (ReadTxn txn = s.read()) {
                assertThat(txn.get(0, KeyKind.LINKS, 5).remaining()).isEqualTo(3);
            }
        }
        assertThat(Files.exists(dir.resolve("data.mdb"))).isTrue();
        assertThat(PageCheck.run(dir).ok()).isTrue();
    }
}
