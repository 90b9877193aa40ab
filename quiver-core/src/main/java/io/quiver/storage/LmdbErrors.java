package io.quiver.storage;

import java.nio.file.Path;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;

/** Translates lmdbjava's exceptions (native return codes) into {@link QuiverException}s. */
final class LmdbErrors {
    private static final int EACCES = 13;
    private static final int ENOENT = 2;
    private static final int EROFS = 30;
    private static final int ENOSPC = 28;
    private static final int EAGAIN = 11;
    private static final int EIO = 5;
    /** MDB_INCOMPATIBLE: a key opened as a database is plain data (another program's file). */
    private static final int MDB_INCOMPATIBLE = -30784;
    /** MDB_CURSOR_FULL: a tree deeper than LMDB's cursor stack, which no healthy file has. */
    private static final int MDB_CURSOR_FULL = -30787;
    /** Below this much free space an EIO from a write is taken for a full disk. */
    private static final long NEARLY_FULL = 16L << 20;

    private LmdbErrors() {}

    private static long usableSpace(Path dir) {
        if (dir == null) {
            return -1;
        }
        try {
            return java.nio.file.Files.getFileStore(dir).getUsableSpace();
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    static QuiverException translate(LmdbException e, Path dir, String action) {
        String where = dir == null ? "" : " (" + dir + ")";
        if (e instanceof Env.MapFullException) {
            return new QuiverException(ErrorKind.MAP_FULL, "LMDB map is full while " + action + where, e);
        }
        if (e instanceof Env.FileInvalidException) {
            return new QuiverException(ErrorKind.FOREIGN_FILE, "not an LMDB file" + where, e);
        }
        if (e instanceof Env.VersionMismatchException) {
            return new QuiverException(ErrorKind.VERSION_MISMATCH, "LMDB version mismatch" + where, e);
        }
        if (e instanceof LmdbNativeException.PageCorruptedException
                || e instanceof LmdbNativeException.PageNotFoundException
                || e instanceof LmdbNativeException.PanicException) {
            return new QuiverException(ErrorKind.CORRUPTED, "the store file is corrupted" + where + ": " + e.getMessage(), e);
        }
        if (e instanceof LmdbNativeException n) {
            int rc = n.getResultCode();
            switch (rc) {
                case EACCES, EROFS -> {
                    if ("opening".equals(action) && dir != null) {
                        Path lock = dir.resolve("lock.mdb");
                        if (java.nio.file.Files.exists(lock) && !java.nio.file.Files.isWritable(lock) || !java.nio.file.Files.isWritable(dir)) {
                            // LMDB opens lock.mdb for writing even to read: readers register in it
                            return new QuiverException(ErrorKind.READ_ONLY, "cannot open the store" + where + ": permission denied or read-only file system;"
                                    + " even reading needs write access to its lock.mdb, where LMDB registers readers (or copy the store somewhere writable)", e);
                        }
                        return new QuiverException(ErrorKind.READ_ONLY, "cannot open the store" + where + ": " + dir.resolve("data.mdb")
                                + " is not writable (permission denied or read-only file system)", e);
                    }
                    return new QuiverException(ErrorKind.READ_ONLY, "permission denied or read-only file system while " + action + where, e);
                }
                case ENOENT -> {
                    return new QuiverException(ErrorKind.NOT_FOUND, "no store at" + where, e);
                }
                case ENOSPC -> {
                    return new QuiverException(ErrorKind.DISK_FULL, "no space left on device while " + action + where, e);
                }
                case EIO -> {
                    // LMDB reports a short pwrite (the file system filled up mid-write) as EIO
                    long free = usableSpace(dir);
                    if (free >= 0 && free < NEARLY_FULL) {
                        return new QuiverException(ErrorKind.DISK_FULL, "no space left on device while " + action + where
                                + " (" + free + " bytes free; the write was cut short)", e);
                    }
                    return new QuiverException(ErrorKind.STORAGE, "I/O error while " + action + where + ": " + e.getMessage(), e);
                }
                case EAGAIN -> {
                    return new QuiverException(ErrorKind.ALREADY_OPEN, "store is locked" + where, e);
                }
                case MDB_INCOMPATIBLE -> {
                    return new QuiverException(ErrorKind.FOREIGN_FILE, "an LMDB file that was not written by Quiver" + where
                            + ": its main database has a plain key named 'quiver'", e);
                }
                case MDB_CURSOR_FULL -> {
                    return new QuiverException(ErrorKind.CORRUPTED, "the store file is corrupted" + where + ": a tree deeper than LMDB allows", e);
                }
                default -> {
                    return new QuiverException(ErrorKind.STORAGE, "LMDB error " + rc + " while " + action + where + ": " + e.getMessage(), e);
                }
            }
        }
        return new QuiverException(ErrorKind.STORAGE, "LMDB failure while " + action + where + ": " + e.getMessage(), e);
    }
}
