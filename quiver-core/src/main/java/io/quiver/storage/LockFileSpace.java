package io.quiver.storage;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Gives {@code lock.mdb} its disk blocks before LMDB maps it. LMDB sizes the lock file with
 * {@code ftruncate}, which leaves it sparse, and writes its reader table through a shared memory
 * map: on a full file system the first write to a page without a block killed the JVM with SIGBUS
 * (a review helper's full tmpfs and full ext4 image: {@code mdb_env_setup_locks} on open, and
 * {@code mdb_txn_renew0} at the 62nd snapshot, whose slot lay on a page never touched before).
 * {@code fallocate} with {@code FALLOC_FL_KEEP_SIZE} reserves the blocks without changing the
 * file's size or contents, so it is safe while other processes use the file, and a full disk is
 * then an error ({@link ErrorKind#DISK_FULL}) before anything is mapped.
 *
 * <p>Linux only (the platform LMDB's bundled library and this layout serve); where the call or
 * the file system does not support it, nothing is done and LMDB's own behaviour stands.
 *
 * <pre>{@code
 * int errno = LockFileSpace.reserve(dir, 1024);   // before Env.open
 * }</pre>
 */
final class LockFileSpace {
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_CLOEXEC = 02000000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    /** LMDB 0.9's lock file header ({@code MDB_txninfo} without its readers) and reader slot, on 64-bit Linux. */
    private static final long HEADER = 128;
    private static final long SLOT = 64;

    private static final Calls CALLS = Calls.load();

    private LockFileSpace() {}

    /** The native calls, or null where they cannot be bound (not Linux, no native access). */
    private record Calls(MethodHandle open, MethodHandle fallocate, MethodHandle close, StructLayout state, VarHandle errno) {
        static Calls load() {
            Linker.Option errnoState = Linker.Option.captureCallState("errno");
            StructLayout state = Linker.Option.captureStateLayout();
            MethodHandle open = Libc.function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    errnoState, Linker.Option.firstVariadicArg(2));
            MethodHandle fallocate = Libc.function("fallocate",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errnoState);
            MethodHandle close = Libc.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            if (open == null || fallocate == null || close == null) {
                return null; // LMDB's behaviour stands
            }
            return new Calls(open, fallocate, close, state, state.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
        }
    }

    /** errno of a write to a read-only file system. */
    static final int EROFS = 30;

    /**
     * Reserves the blocks of the lock file in {@code dir} for {@code maxReaders} reader slots
     * (creating the file, empty, when absent, with LMDB's mode 0664). A directory this process
     * cannot write is left to LMDB's own open, which reports it (or reads without a lock file on
     * a read-only file system). Must not run while this process has the store open: closing the
     * descriptor would drop LMDB's record locks on the file.
     *
     * @return 0, or the errno of opening the file for writing ({@link #EROFS} on a read-only file
     *     system, whatever the mount's flags say to the JDK: a read-only bind mount reads as writable)
     * @throws QuiverException {@link ErrorKind#DISK_FULL} when the file system has no room for it
     */
    static int reserve(Path dir, int maxReaders) {
        if (CALLS == null) {
            return 0;
        }
        Path lock = dir.resolve("lock.mdb");
        long bytes = HEADER + SLOT * Math.max(1, maxReaders);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALLS.state());
            MemorySegment path = arena.allocateFrom(lock.toString());
            int fd = (int) CALLS.open().invokeExact(state, path, O_RDWR | O_CREAT | O_CLOEXEC, 0664);
            if (fd < 0) {
                return (int) CALLS.errno().get(state, 0L); // read-only, not permitted, ...: LMDB's open says what it is
            }
            try {
                int rc = (int) CALLS.fallocate().invokeExact(state, fd, FALLOC_FL_KEEP_SIZE, 0L, bytes);
                int errno = rc == 0 ? 0 : (int) CALLS.errno().get(state, 0L);
                if (errno == ENOSPC || errno == EDQUOT) {
                    throw new QuiverException(ErrorKind.DISK_FULL, "no space left on the device of " + dir + " for its lock file (" + bytes
                            + " bytes, which LMDB maps and writes): free some space, then open it again");
                }
            } finally {
                int ignored = (int) CALLS.close().invokeExact(fd);
            }
            return 0;
        } catch (QuiverException e) {
            throw e;
        } catch (Throwable e) {
            return 0; // a failed native call is no reason to refuse the store: LMDB's behaviour stands
        }
    }
}
