package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader table as {@link Store#readers} and {@link Store#readerLag} report it, and the slots
 * of processes that died holding a snapshot, which LMDB leaves in place until someone checks.
 */
class ReaderSlotsTest {
    @TempDir
    Path dir;

    private static void commit(Store store, int id, int bytes) {
        store.write(txn -> txn.put(0, KeyKind.ITEM, id, new byte[bytes]));
    }

    /** It reported LMDB's high-water mark of slots: 6 after six snapshots had closed. */
    @Test
    void readersCountsTheSnapshotsOpenNowAndTheOldestOnesLag() {
        try (Store store = Store.open(dir)) {
            commit(store, 0, 8);
            assertThat(store.readers()).isZero();
            ReadTxn a = store.read();
            ReadTxn b = store.read();
            ReadTxn c = store.read();
            assertThat(store.readers()).isEqualTo(3);
            assertThat(store.readerLag()).isZero();
            for (int i = 1; i <= 4; i++) {
                commit(store, i, 8);
            }
            assertThat(store.readerLag()).isEqualTo(4);
            a.close();
            b.close();
            assertThat(store.readers()).isEqualTo(1);
            c.close();
            assertThat(store.readers()).isZero();
            assertThat(store.readerLag()).isZero();
        }
    }

    /**
     * Counting readers must leave LMDB's record locks on lock.mdb alone: reading the file through
     * a descriptor opened and closed for the purpose dropped them (POSIX drops all of a process's
     * locks on a file when any of its descriptors closes), and another process's dead-reader check
     * then freed this process's live snapshot.
     */
    @Test
    void countingReadersKeepsThisProcesssSnapshotsAlive() throws Exception {
        Path store = dir.resolve("counted");
        try (Store s = Store.open(store)) {
            commit(s, 0, 8);
            try (ReadTxn snapshot = s.read()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(s.readers()).isEqualTo(1);
                    assertThat(s.readerLag()).isZero();
                }
                Process other = new ProcessBuilder(Rel.java(SnapshotHolderProcess.class, store.toString(), "count")).redirectErrorStream(true).start();
                String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(out).as("another process still sees this one's snapshot").contains("READERS 1");
                assertThat(s.readers()).isEqualTo(1);
            }
        }
    }

    /**
     * A search process killed with SIGKILL kept its slot, pinning its snapshot for good: a writer
     * that kept replacing values then grew the file by each commit's pages (a review helper's run:
     * 32 to 137 MiB in 80 commits). The slot is freed once the process is gone, and the file stops
     * growing.
     */
    @Test
    void aSnapshotOfAKilledProcessIsReleased() throws Exception {
        Path store = dir.resolve("store");
        try (Store s = Store.open(store)) {
            for (int id = 0; id < 200; id++) {
                commit(s, id, 4000);
            }
        }
        Process holder = new ProcessBuilder(Rel.java(SnapshotHolderProcess.class, store.toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("HOLDING")) {
                // JVM warnings
            }
            assertThat(line).as("the holder took its snapshot").startsWith("HOLDING");
            try (Store s = Store.open(store)) {
                assertThat(s.readers()).isEqualTo(1);
                holder.destroyForcibly(); // SIGKILL: LMDB's slot stays behind
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(s.readers()).isZero();
                assertThat(s.readerLag()).isZero();
                // the freed pages are reused: rewriting the same values does not grow the file
                for (int round = 0; round < 3; round++) {
                    for (int id = 0; id < 200; id++) {
                        commit(s, id, 4000);
                    }
                }
                long size = Files.size(store.resolve("data.mdb"));
                for (int round = 0; round < 3; round++) {
                    for (int id = 0; id < 200; id++) {
                        commit(s, id, 4000);
                    }
                }
                assertThat(Files.size(store.resolve("data.mdb"))).isEqualTo(size);
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
