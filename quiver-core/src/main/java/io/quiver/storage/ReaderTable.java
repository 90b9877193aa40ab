package io.quiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * LMDB's reader table, read from {@code lock.mdb}: which read transactions are open now, across
 * processes. LMDB itself only reports how many slots were ever used ({@code mdb_env_info}'s
 * {@code me_numreaders}, a high-water mark), which said 6 readers after all six had closed.
 *
 * <p>The layout is LMDB 0.9's on 64-bit Linux with POSIX mutexes (the library lmdbjava bundles):
 * a 128-byte header holding the lock file's magic and format, then one 64-byte slot per reader
 * (snapshot id, pid). A slot is open when it names a process and a snapshot. A file with another
 * magic or format is not read (null): the caller falls back to LMDB's count.
 *
 * <p>The file is read through a channel the store keeps open until LMDB has closed: closing any
 * descriptor of a file drops every POSIX record lock the process holds on it, and LMDB's locks on
 * {@code lock.mdb} say that this process uses the store (another process opening it would
 * otherwise take itself for the first and reset the table) and which readers are alive (another
 * process's {@code mdb_reader_check} would otherwise free this one's slots, and a writer reuse
 * the pages its snapshots read).
 *
 * <pre>{@code
 * FileChannel lock = ReaderTable.open(dir);                 // kept until after Env.close()
 * ReaderTable.Readers r = ReaderTable.read(lock, env.info().numReaders);
 * }</pre>
 */
final class ReaderTable {
    private static final int MAGIC = 0xBEEFC0DE;
    /** MDB_LOCK_FORMAT of LMDB 0.9 with POSIX robust mutexes (lock version 1, mutex type 1). */
    private static final int FORMAT = 0x00010001;
    private static final int HEADER = 128;
    private static final int SLOT = 64;
    private static final long NO_SNAPSHOT = -1L;

    private ReaderTable() {}

    /**
     * Open readers and the oldest snapshot they read ({@code -1} when none).
     *
     * @param open read transactions open now, in every process
     * @param oldestSnapshot the transaction id of the oldest snapshot read, or -1
     */
    record Readers(int open, long oldestSnapshot) {}

    /** A channel on {@code dir}'s lock file, to keep open until LMDB's environment has closed; null when there is none. */
    static FileChannel open(Path dir) {
        try {
            return FileChannel.open(dir.resolve("lock.mdb"), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return null; // a lock-free open, or unreadable: LMDB's count stands
        }
    }

    /** The open readers among the first {@code slots} slots of the lock file {@code f}, or null when its layout is not LMDB 0.9's. */
    static Readers read(FileChannel f, int slots) {
        if (f == null) {
            return null;
        }
        try {
            long want = HEADER + (long) SLOT * Math.max(0, slots);
            if (f.size() < want) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate((int) want).order(ByteOrder.nativeOrder());
            while (b.hasRemaining() && f.read(b, b.position()) > 0) {
                // read to the end of the slots in use
            }
            if (b.hasRemaining() || b.getInt(0) != MAGIC || b.getInt(4) != FORMAT) {
                return null;
            }
            int open = 0;
            long oldest = NO_SNAPSHOT;
            for (int i = 0; i < slots; i++) {
                int at = HEADER + SLOT * i;
                long txn = b.getLong(at);
                int pid = b.getInt(at + 8);
                if (pid != 0 && txn != NO_SNAPSHOT) {
                    open++;
                    oldest = oldest == NO_SNAPSHOT ? txn : Math.min(oldest, txn);
                }
            }
            return new Readers(open, oldest);
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: LMDB's count stands
        }
    }
}
