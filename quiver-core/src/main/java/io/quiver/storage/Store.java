package io.quiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;

/**
 * One Quiver store: an LMDB environment in a directory holding any number of indexes (numbered
 * 0..65534) in a single LMDB database, so that changes to several indexes commit atomically.
 * Thread-safe. Open a directory once per process and share the {@code Store}.
 *
 * <pre>{@code
 * try (Store store = Store.open(Path.of("vectors"))) {
 *     store.write(txn -> {
 *         ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 3);
 *         w.add(7, new float[] {1f, 2f, 3f});
 *         w.build(ForestBuildOptions.defaults());
 *     });
 * }
 * }</pre>
 *
 * <p>The map (LMDB's maximum file size) starts at {@link StoreOptions#initialMapSize()} and
 * grows when a write finds it full: {@link #write(Consumer)} then aborts, grows the map and runs
 * the whole write again. Growing needs a moment with no open transaction in this process, so
 * new transactions wait while it happens and it waits (up to
 * {@link StoreOptions#resizeWaitMillis()}) for open ones to close.
 */
public final class Store implements AutoCloseable {
    static {
        // lmdbjava's per-call state checks cost more than LMDB's own lookups; our wrappers check.
        if (System.getProperty(Env.DISABLE_CHECKS_PROP) == null) {
            System.setProperty(Env.DISABLE_CHECKS_PROP, "true");
        }
    }

    private static final String DBI_NAME = "quiver";
    private static final byte[] MAGIC = {'Q', 'V', 'R'};
    /** The on-disk format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    private static final ConcurrentHashMap<Object, Store> OPEN = new ConcurrentHashMap<>();
    /**
     * A data file shorter than its meta page says by more than this (16 pages of 4 KiB, 2 of 32) was cut,
     * not merely left a few free pages short: when it then reads as no store, it is reported as
     * corrupted rather than foreign.
     */
    private static final long CUT_SHORTFALL = 64L << 10;
    /** The most a data file on a read-only file system may fall short of its last page (see padTruncatedFile). */
    private static final long MAX_UNPADDED_SHORTFALL = 1L << 20;

    private final Path directory;
    /** This store's key in {@link #OPEN}. */
    private final Object canonical;
    private final StoreOptions options;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final Object gate = new Object();
    private int activeTxns;
    private boolean resizing;
    private volatile boolean closed;
    private volatile long mapSize;
    private final java.util.concurrent.atomic.AtomicInteger resizes = new java.util.concurrent.atomic.AtomicInteger();
    private final int pageSize;
    private final java.util.concurrent.ConcurrentHashMap<String, Object> attachments = new java.util.concurrent.ConcurrentHashMap<>();

    private Store(Path directory, Object canonical, StoreOptions options, Env<ByteBuffer> env, Dbi<ByteBuffer> dbi) {
        this.directory = directory;
        this.canonical = canonical;
        this.options = options;
        this.env = env;
        this.dbi = dbi;
        this.mapSize = env.info().mapSize;
        this.pageSize = env.stat().pageSize;
        this.lockFile = options.immutable() ? null : ReaderTable.open(directory);
    }

    /**
     * The lock file, read by {@link #readers}: opened once and closed only after LMDB's
     * environment, because closing a descriptor of it would drop LMDB's record locks ({@link ReaderTable}).
     */
    private final java.nio.channels.FileChannel lockFile;

    private static final java.util.concurrent.atomic.AtomicBoolean NATIVE_LOAD_STARTED = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Why the background load failed, if it did: the JVM hands later users of the class only a
     * summary of a failed class initialisation, without its causes (where JNR puts the reason).
     */
    private static volatile Throwable nativeLoadFailure;

    /**
     * Starts loading LMDB's native library on a background daemon thread, once per JVM, so that a
     * short-lived process can overlap it with its other start-up work. lmdbjava binds the library
     * through JNR-FFI, which generates its call stubs on first use: 0.30-0.33 s of the 0.42 s the
     * first {@link #open} took in a new JVM on a 2-core machine. A later {@code open} waits for a
     * load in progress (class initialisation is serialised by the JVM) and costs nothing extra
     * when it has finished.
     *
     * <pre>{@code
     * public static void main(String[] args) {
     *     Store.loadNativeLibraryInBackground();   // first thing
     *     Options o = parse(args);                 // meanwhile
     *     try (Store store = Store.open(o.dir())) { ... }
     * }
     * }</pre>
     */
    public static void loadNativeLibraryInBackground() {
        if (NATIVE_LOAD_STARTED.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("quiver-lmdb-load").start(() -> {
                try {
                    org.lmdbjava.Meta.version();
                } catch (Throwable t) {
                    // open() then fails with NoClassDefFoundError and reports this instead
                    nativeLoadFailure = t;
                }
            });
        }
    }

    /** Opens (creating when absent) the store in {@code directory} with default options. */
    public static Store open(Path directory) {
        return open(directory, StoreOptions.defaults());
    }

    /**
     * What a failure to create a directory is: only a refusal to write is {@code READ_ONLY}; a path
     * through a file ("Not a directory", "already exists") is not, nor is a full disk.
     */
    private static ErrorKind creationFailure(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException
                || e instanceof java.nio.file.FileSystemException f && f.getReason() != null && f.getReason().contains("Read-only")) {
            return ErrorKind.READ_ONLY;
        }
        return IoMessages.noSpaceLeft(e) ? ErrorKind.DISK_FULL : ErrorKind.STORAGE;
    }

    /** Opens the store in {@code directory}. */
    public static Store open(Path directory, StoreOptions options) {
        Path dir = directory.toAbsolutePath().normalize();
        requireReachable(dir);
        if (!Files.exists(dir)) {
            if (!options.create() || options.readOnly()) {
                throw new QuiverException(ErrorKind.NOT_FOUND, "no store at " + dir);
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new QuiverException(creationFailure(e), "cannot create store directory " + dir + ": " + IoMessages.describe(e, dir), e);
            }
        } else if (!Files.isDirectory(dir)) {
            throw new QuiverException(ErrorKind.FOREIGN_FILE, dir + " is a file, not a store directory");
        }
        Path dataFile = dir.resolve("data.mdb");
        requireReachable(dataFile);
        boolean fresh = !Files.exists(dataFile) || isEmptyFile(dataFile);
        if (fresh && (!options.create() || options.readOnly())) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store at " + dir
                    + (Files.exists(dataFile) ? " (data.mdb is empty: nothing was ever committed)" : " (no data.mdb)"));
        }
        if (!fresh && !Files.isReadable(dataFile)) {
            throw new QuiverException(ErrorKind.READ_ONLY, "cannot read " + dataFile + ": permission denied");
        }
        if (!options.readOnly() && !Files.isWritable(dir)) {
            // reading needs lock.mdb writable, where LMDB registers its readers
            throw new QuiverException(ErrorKind.READ_ONLY, "store directory " + dir + " is not writable"
                    + (Files.isWritable(dir.resolve("lock.mdb")) ? " (search and stats, which only read it, still work)"
                            : " (nor is its lock.mdb, which even reading needs: copy the store somewhere writable to search it)"));
        }
        Store[] created = new Store[1];
        Object key = openKey(dir);
        OPEN.compute(key, (k, existing) -> {
            if (existing != null) {
                throw new QuiverException(ErrorKind.ALREADY_OPEN, "store " + dir + " is already open in this process; share that Store instance");
            }
            created[0] = openEnv(dir, key, options, fresh);
            return created[0];
        });
        return created[0];
    }

    /** Whether {@code dir} lies on a file system mounted read-only (false when it cannot tell). */
    private static boolean onReadOnlyFileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).isReadOnly();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The key of {@code dir} among the open stores: the directory's identity on its file system
     * (device and inode), one per store however it is reached. Keyed by its real path, a store
     * renamed while open, or reached through a bind mount, opened a second time, and closing that
     * second one dropped the first one's reader locks (a review helper's run: a live snapshot then
     * read every item as gone). The real path when the file system gives no identity.
     */
    private static Object openKey(Path dir) {
        try {
            Object id = Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return id != null ? id : dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    /**
     * Runs {@code work} with the store of {@code dir} this process has open (or null), while no
     * other thread can open one: LMDB must not open one file twice in a process (closing either
     * drops the other's locks), so {@link PageCheck} borrows an open store or, when there is none,
     * opens its own environment only under this lock.
     */
    static <T> T underOpenLock(Path dir, java.util.function.Function<Store, T> work) {
        Object[] out = new Object[1];
        OPEN.compute(openKey(dir), (k, existing) -> {
            out[0] = work.apply(existing);
            return existing;
        });
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }

    /**
     * A zero-byte data file is a store that never got its first pages (LMDB writes them when it
     * creates the file): a writable open initialises it as new, as LMDB does; a read-only open has
     * nothing to read, and LMDB itself failed there with EBADF.
     */
    private static boolean isEmptyFile(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == 0;
        } catch (IOException e) {
            return false; // unreadable: reported below
        }
    }

    private static Store openEnv(Path dir, Object canonical, StoreOptions options, boolean fresh) {
        long initial = roundUp(options.initialMapSize());
        if (!fresh) {
            // LMDB trusts the meta pages' page size and page numbers; a damaged one crashes it (SIGBUS)
            java.util.List<String> meta = PageCheck.metaProblems(dir.resolve("data.mdb"));
            if (!meta.isEmpty()) {
                throw new QuiverException(ErrorKind.CORRUPTED, dir.resolve("data.mdb") + ": " + meta.get(0) + "; restore a backup");
            }
        }
        // its blocks before LMDB maps it: on a full disk LMDB's writes to the map killed the JVM
        // (here, not before: the store is not open in this process, whose locks closing the file would drop)
        int lockErrno = options.immutable() ? 0 : LockFileSpace.reserve(dir, options.maxReaders());
        if (options.readOnly() && !options.immutable() && (lockErrno == LockFileSpace.EROFS || onReadOnlyFileSystem(dir))) {
            // LMDB would read without registering its snapshots (it cannot write lock.mdb here)
            throw new QuiverException(ErrorKind.READ_ONLY, dir + " is on a read-only file system, where LMDB cannot register this process's"
                    + " snapshots in lock.mdb: a process writing the store through another mount could reuse the pages they read (wrong"
                    + " results, no error). If nothing writes it while it is open (read-only media, an image), open it as immutable"
                    + " (StoreOptions.immutable(true); the command line's --immutable); otherwise through a writable mount");
        }
        Env<ByteBuffer> env;
        try {
            EnvFlags[] flags = options.immutable()
                    ? new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOLOCK}
                    : options.readOnly()
                            ? new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV}
                            : new EnvFlags[] {EnvFlags.MDB_NOTLS};
            env = openMapped(dir, flags, initial, options.maxReaders());
        } catch (LmdbException e) {
            throw LmdbErrors.translate(e, dir, "opening");
        } catch (LinkageError e) {
            Throwable background = nativeLoadFailure;
            if (!isLibraryLoadFailure(e) && (background == null || !isLibraryLoadFailure(background))) {
                throw e; // mismatched lmdbjava and JNR jars, for example: not about the library file
            }
            throw nativeLibraryMissing(e, background);
        }
        Path data = dir.resolve("data.mdb");
        try {
            long shortBy = fresh ? 0 : shortfall(env, data);
            if (shortBy > 0) {
                refuseCutPagesInUse(env, data, shortBy);
                padTruncatedFile(data, shortBy);
            }
            Dbi<ByteBuffer> dbi = null;
            for (int attempt = 0; dbi == null; attempt++) {
                try {
                    dbi = openDbi(env, dir, options, fresh);
                } catch (Dbi.MapResizedException e) {
                    // Another process grew the map past this environment's since it opened: adopt its
                    // size and read again. Routed to the damage check, a healthy store open while
                    // another process grew it read as "damaged; restore a backup" (a review helper's
                    // opens failed for as long as the writer ran).
                    if (attempt >= 5) {
                        throw LmdbErrors.translate(e, dir, "opening");
                    }
                    env.setMapSize(0);
                } catch (QuiverException e) {
                    if (shortBy > CUT_SHORTFALL && (e.kind() == ErrorKind.FOREIGN_FILE || e.kind() == ErrorKind.NOT_FOUND)) {
                        // The zeros padded in for a cut file read as no store, or a foreign one. (A file
                        // short by a few free pages is healthy; its errors stay what they are.)
                        throw new QuiverException(ErrorKind.CORRUPTED, data + " is " + shortBy
                                + " bytes shorter than its metadata says (truncated?) and what is left holds no readable store; restore a backup", e);
                    }
                    throw e;
                }
            }
            Store store = new Store(dir, canonical, options, env, dbi);
            store.releaseDeadReaders(0);
            return store;
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /** errno when {@code mmap} finds no room for the map in the address space. */
    private static final int ENOMEM = 12;

    /**
     * Opens the environment with a map of {@code initial} bytes, or of the largest half, quarter,
     * ... of it that the address space allows. The default map is 64 GiB of address space; under
     * an address-space limit ({@code ulimit -v}) below that every open failed with LMDB's ENOMEM,
     * whatever the store's size (a review helper's 32 MiB store under 19 GiB). The map grows
     * later as the data does, up to what the limit allows; LMDB itself never maps less than the
     * data file.
     */
    private static Env<ByteBuffer> openMapped(Path dir, EnvFlags[] flags, long initial, int maxReaders) {
        // under a limit: a map that leaves as much room as it takes, for the heap's, threads' and
        // other stores' mappings (taking all that was free, later allocations would fail instead)
        long first = initial;
        while (first > (1L << 20) && !AddressSpace.canMap(2 * first)) {
            first = roundUp(first / 2);
        }
        for (long size = first; ; size = roundUp(size / 2)) {
            try {
                return Env.create().setMapSize(size).setMaxDbs(4).setMaxReaders(maxReaders).open(dir.toFile(), flags);
            } catch (LmdbNativeException e) {
                if (e.getResultCode() != ENOMEM) {
                    throw e;
                }
                if (size <= (1L << 20)) {
                    throw new QuiverException(ErrorKind.STORAGE, "cannot map " + dir + ": this process's address space has no room for a map"
                            + " of the store (LMDB maps at least its whole data file): an address-space limit, ulimit -v, set too low?", e);
                }
            }
        }
    }

    /**
     * LMDB's native library did not load (here or on the thread of
     * {@link #loadNativeLibraryInBackground}, whose failure {@code background} is, if any): one
     * line naming the deepest cause, instead of an error several stack traces deep.
     */
    private static QuiverException nativeLibraryMissing(LinkageError e, Throwable background) {
        Throwable root = background != null ? background : e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.toString().lines().findFirst().orElse(root.getClass().getName());
        QuiverException q = new QuiverException(ErrorKind.STORAGE, "cannot load LMDB's native library: " + why
                + " (lmdbjava extracts it into java.io.tmpdir or -Dlmdbjava.extract.dir, which must allow executing files; "
                + "-Dlmdbjava.native.lib=FILE names an installed liblmdb)", e);
        if (background != null && background != e) {
            q.addSuppressed(background);
        }
        return q;
    }

    /** Whether {@code t} says that LMDB's library (or JNR's native part) could not be loaded. */
    private static boolean isLibraryLoadFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnsatisfiedLinkError) {
                return true;
            }
            // another thread's failed initialisation, seen here as a summary without its causes
            String m = String.valueOf(c.getMessage());
            if ((c instanceof NoClassDefFoundError || c instanceof ExceptionInInitializerError)
                    && (m.contains("org.lmdbjava.Library") || m.contains("UnsatisfiedLinkError"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Throws when the file system cannot say whether {@code path} exists (neither
     * {@code Files.exists} nor {@code notExists}): a directory on the way closed to this user, a
     * symbolic link loop. Taken for absent, that read as "no store".
     */
    private static void requireReachable(Path path) {
        if (Files.exists(path) || Files.notExists(path)) {
            return;
        }
        try {
            Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new QuiverException(ErrorKind.READ_ONLY, "cannot reach " + path + ": permission denied on the way to it", e);
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "cannot reach " + path + ": " + IoMessages.describe(e, path), e);
        }
    }

    /** By how many bytes {@code data} falls short of its last page (0 when it does not). */
    private static long shortfall(Env<ByteBuffer> env, Path data) {
        try {
            long needed = (env.info().lastPageNumber + 1) * env.stat().pageSize;
            return Math.max(0, needed - Files.size(data));
        } catch (IOException | RuntimeException e) {
            throw new QuiverException(ErrorKind.CORRUPTED, "cannot read the size of " + data + ": " + (e instanceof IOException io ? IoMessages.describe(io, data) : e.getMessage()), e);
        }
    }

    /**
     * A data file shorter than its last page (healthy files end exactly there) lost pages a tree
     * may still use: then the store is refused as corrupted before anything reads it, and the file
     * is left as it was. The check walks every page ({@link PageCheck}), so it runs only for short
     * files; a short file whose missing pages are all free opens as before.
     */
    private static void refuseCutPagesInUse(Env<ByteBuffer> env, Path data, long shortBy) {
        PageCheck.Report r = PageCheck.run(env, data);
        if (!r.ok()) {
            throw new QuiverException(ErrorKind.CORRUPTED, data + " is " + shortBy + " bytes shorter than its metadata says (truncated?) and pages in use are gone ("
                    + r.problems().get(0) + "); restore a backup");
        }
    }

    /**
     * A data file shorter than the pages its metadata claims would crash the JVM (SIGBUS) the
     * first time LMDB touches a missing page. Padding it back with zeros turns those pages into
     * ones LMDB and Quiver reject as corrupted. A healthy file may legitimately end a few pages
     * early (LMDB does not write pages freed in the transaction that allocated them); padding is
     * harmless there, as those pages are free.
     */
    private static void padTruncatedFile(Path data, long shortBy) {
        // Also done for read-only opens: growing a file with zeros changes no data LMDB uses.
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() + shortBy);
        } catch (IOException e) {
            // Read-only file system: a short tail of free pages is normal, a large gap is damage.
            if (shortBy > MAX_UNPADDED_SHORTFALL) {
                throw new QuiverException(ErrorKind.CORRUPTED, data + " is " + shortBy + " bytes shorter than its metadata says (truncated?)"
                        + " and cannot be repaired on this file system; restore a backup", e);
            }
        }
    }

    private static Dbi<ByteBuffer> openDbi(Env<ByteBuffer> env, Path dir, StoreOptions options, boolean fresh) {
        try {
            java.util.List<byte[]> names;
            try {
                names = env.getDbiNames();
            } catch (Dbi.MapResizedException e) {
                throw e; // not damage: the caller adopts the new size and reads again
            } catch (RuntimeException e) {
                throw foreignOrDamaged(env, dir, dir + " holds an LMDB file Quiver cannot read: " + e.getMessage(), e);
            }
            boolean hasOurs = names.stream().anyMatch(n -> new String(n, java.nio.charset.StandardCharsets.UTF_8).equals(DBI_NAME));
            if (!hasOurs) {
                if (!names.isEmpty() || env.stat().entries > 0) {
                    // no walk: nothing here says Quiver, and another program's file may be large
                    throw new QuiverException(ErrorKind.FOREIGN_FILE, dir + " holds an LMDB file that was not written by Quiver");
                }
                if (options.readOnly()) {
                    throw new QuiverException(ErrorKind.NOT_FOUND, "no Quiver store at " + dir + " (empty LMDB file)");
                }
            }
            Dbi<ByteBuffer> dbi = options.readOnly() ? env.openDbi(DBI_NAME) : env.openDbi(DBI_NAME, DbiFlags.MDB_CREATE);
            checkHeader(env, dbi, dir, options.readOnly());
            return dbi;
        } catch (Dbi.MapResizedException e) {
            throw e;
        } catch (LmdbException e) {
            throw LmdbErrors.translate(e, dir, "opening");
        }
    }

    /**
     * FOREIGN_FILE with {@code message}, unless LMDB's pages are damaged: a store whose names or
     * header sit on a damaged page reads like another program's file, and the walk tells them
     * apart (only on this failing path, so its cost never meets a healthy open). A layout Quiver
     * never writes (sorted duplicates, say) is another program's, not damage.
     */
    private static QuiverException foreignOrDamaged(Env<ByteBuffer> env, Path dir, String message, RuntimeException cause) {
        PageCheck.Report r = PageCheck.run(env, dir.resolve("data.mdb"));
        if (!r.ok() && !r.foreignLayout()) {
            return new QuiverException(ErrorKind.CORRUPTED, dir.resolve("data.mdb") + ": " + r.problems().get(0) + "; restore a backup", cause);
        }
        return new QuiverException(ErrorKind.FOREIGN_FILE, message, cause);
    }

    private static void checkHeader(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, Path dir, boolean readOnly) {
        ByteBuffer key = Keys.headerKey();
        String foreign = null;
        try (org.lmdbjava.Txn<ByteBuffer> rtxn = env.txnRead()) {
            ByteBuffer v = dbi.get(rtxn, key);
            if (v != null) {
                if (v.remaining() < 5 || v.get(0) != MAGIC[0] || v.get(1) != MAGIC[1] || v.get(2) != MAGIC[2]) {
                    foreign = dir + " holds an LMDB database named '" + DBI_NAME + "' that Quiver did not write";
                } else {
                    int version = Short.toUnsignedInt(v.getShort(3));
                    if (version != FORMAT_VERSION) {
                        throw new QuiverException(ErrorKind.VERSION_MISMATCH, dir + " uses Quiver format " + version + "; this build reads format " + FORMAT_VERSION);
                    }
                    return;
                }
            } else if (dbi.stat(rtxn).entries > 0) {
                foreign = dir + " holds an LMDB database named '" + DBI_NAME + "' that Quiver did not write (no Quiver header)";
            }
        }
        if (foreign != null) {
            // Another program's database under Quiver's name is far less likely than a damaged
            // page on the way to the header, which reads the same
            throw foreignOrDamaged(env, dir, foreign, null);
        }
        if (readOnly) {
            return;
        }
        try (org.lmdbjava.Txn<ByteBuffer> wtxn = env.txnWrite()) {
            ByteBuffer val = ByteBuffer.allocateDirect(5);
            val.put(MAGIC).putShort((short) FORMAT_VERSION).flip();
            dbi.put(wtxn, key, val);
            wtxn.commit();
        }
    }

    private static long roundUp(long size) {
        long mib = 1L << 20;
        return (size + mib - 1) / mib * mib;
    }

    Dbi<ByteBuffer> dbi() {
        return dbi;
    }

    public Path directory() {
        return directory;
    }

    public StoreOptions options() {
        return options;
    }

    public boolean isReadOnly() {
        return options.readOnly();
    }

    /** Begins a read-only snapshot. Close it (try-with-resources). */
    public ReadTxn read() {
        enter();
        try {
            return new ReadTxn(this, beginLmdb(true));
        } catch (RuntimeException e) {
            txnEnded();
            throw e;
        }
    }

    /**
     * Begins the write transaction (waits while another thread holds it). Prefer
     * {@link #write(Consumer)}, which also survives a full map.
     */
    public WriteTxn beginWrite() {
        if (options.readOnly()) {
            throw new QuiverException(ErrorKind.READ_ONLY, "store " + directory + " was opened read-only");
        }
        if (writer.get() == Thread.currentThread()) {
            // LMDB's writer lock is not reentrant: the nested begin waited for this thread forever
            throw new IllegalStateException("this thread already holds the write transaction of store " + directory
                    + " (a write inside a write would wait for itself forever): do the work in the open transaction");
        }
        enter();
        try {
            releaseDeadReaders(1_000_000_000L);
            WriteTxn txn = new WriteTxn(this, beginLmdb(false));
            writer.set(Thread.currentThread());
            return txn;
        } catch (RuntimeException e) {
            txnEnded();
            throw e;
        }
    }

    /** The thread holding the write transaction, null when none. */
    private final java.util.concurrent.atomic.AtomicReference<Thread> writer = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Called by a write transaction of {@code owner} as it closes. Only clears the mark when it is
     * still the owner's: once LMDB has committed or aborted, another thread may already hold the
     * next write transaction, and clearing its mark let it nest a write that waited for itself.
     */
    void writeEnded(Thread owner) {
        writer.compareAndSet(owner, null);
    }

    private org.lmdbjava.Txn<ByteBuffer> beginLmdb(boolean readOnly) {
        for (int attempt = 0; ; attempt++) {
            int seenResizes = resizes.get();
            try {
                return readOnly ? env.txnRead() : env.txnWrite();
            } catch (Dbi.MapResizedException e) {
                // Another process grew the map: adopt its size, then begin again.
                if (attempt > 3) {
                    throw LmdbErrors.translate(e, directory, "beginning a transaction");
                }
                // The caller counted this transaction as open, but the resize waits for every open
                // one to close: step out while it runs, or it waits for itself.
                txnEnded();
                try {
                    adoptForeignResize(seenResizes);
                } finally {
                    // counted again whatever happened, for the caller's failure path ends the
                    // count once (a re-enter that threw left it one short: negative, and a later
                    // close or resize ran with a transaction open)
                    synchronized (gate) {
                        activeTxns++;
                    }
                }
                if (closed) {
                    // closed while this thread stood outside the count: the caller ends it
                    throw closedException();
                }
            } catch (LmdbException e) {
                throw LmdbErrors.translate(e, directory, "beginning a transaction");
            }
        }
    }

    /**
     * Runs {@code work} in a write transaction and commits it. When the map turns out to be full
     * the transaction is aborted, the map grown and {@code work} run again from the start, so it
     * must do nothing outside the transaction that cannot be repeated (sending messages, consuming
     * a one-shot iterator, mutating caller state without resetting it). Let exceptions from the
     * transaction leave {@code work}: one caught inside it leaves a transaction LMDB has failed,
     * which every later call and the commit then refuse (after a full map those refusals are
     * {@code MAP_FULL} too, so the map still grows and {@code work} runs again). Do not commit
     * inside it either: that makes what came before durable on its own.
     */
    public void write(Consumer<WriteTxn> work) {
        writeAndReturn(txn -> {
            work.accept(txn);
            return null;
        });
    }

    /** Like {@link #write(Consumer)}, returning what {@code work} returns. */
    public <T> T writeAndReturn(Function<WriteTxn, T> work) {
        while (true) {
            long sizeAtStart = mapSize;
            WriteTxn txn = beginWrite();
            try {
                T result = work.apply(txn);
                if (txn.isOpen()) {
                    txn.commit();
                }
                return result;
            } catch (QuiverException e) {
                txn.close();
                if (e.kind() != ErrorKind.MAP_FULL) {
                    throw e;
                }
                grow(sizeAtStart);
            } catch (RuntimeException | Error e) {
                txn.close();
                throw e;
            }
        }
    }

    /** Grows the map (unless another thread already did since {@code seenSize}). */
    public void grow(long seenSize) {
        synchronized (gate) {
            awaitNoResize();
            if (mapSize > seenSize) {
                return;
            }
            long target = Math.min(options.maxMapSize(), roundUp((long) (mapSize * options.growthFactor())));
            if (target <= mapSize) {
                throw new QuiverException(ErrorKind.MAP_FULL, "store " + directory + " reached its maximum map size of " + options.maxMapSize() + " bytes");
            }
            resizeExclusively(target);
        }
    }

    private void adoptForeignResize(int seenResizes) {
        synchronized (gate) {
            awaitNoResize();
            if (resizes.get() != seenResizes) {
                return; // another thread remapped since this one failed: begin again first
            }
            resizeExclusively(0);
        }
    }

    /**
     * Must hold {@code gate}. Waits for another thread's resize to end, so that one runs at a
     * time: two resizers waiting for the same transactions both resized, and a close let in
     * between them freed the environment under the second.
     */
    private void awaitNoResize() {
        while (resizing) {
            try {
                gate.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QuiverException(ErrorKind.CANCELLED, "interrupted while waiting for a map resize of " + directory, e);
            }
        }
    }

    /** Must hold {@code gate}. Waits until no transaction of this process is open, then resizes. */
    private void resizeExclusively(long target) {
        if (closed) {
            // setting the map size of a closed environment crashed the JVM
            throw closedException();
        }
        resizing = true;
        try {
            long deadline = System.nanoTime() + options.resizeWaitMillis() * 1_000_000L;
            while (activeTxns > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // the same wait serves this process's own growth and adopting another process's,
                    // where "before large writes" puzzled a process that writes nothing (a review helper's)
                    throw new QuiverException(ErrorKind.MAP_FULL, target == 0
                            ? "another process grew store " + directory + "; this process must map it anew, which waits for its own open"
                                    + " transactions, but " + activeTxns + " stayed open for " + options.resizeWaitMillis()
                                    + " ms: keep snapshots short while other processes write"
                            : "store " + directory + " needs a larger map but " + activeTxns + " transaction(s) of this process stayed open for "
                                    + options.resizeWaitMillis() + " ms; close long-lived readers before large writes");
                }
                try {
                    gate.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new QuiverException(ErrorKind.CANCELLED, "interrupted while growing the map of " + directory, e);
                }
            }
            if (closed) {
                throw closedException(); // close waits for a resize, so only as a last guard
            }
            if (target > 0) {
                target = fittingGrowth(target);
            }
            try {
                env.setMapSize(target);
            } catch (LmdbException e) {
                // LMDB unmapped the old map before it failed to map the new one: nothing may touch
                // the environment again but close, or the next transaction crashes the JVM
                lostMap = true;
                QuiverException q = LmdbErrors.translate(e, directory, "growing the map");
                throw new QuiverException(q.kind(), q.getMessage() + "; the store lost its map and must be closed and opened again", e);
            }
            mapSize = env.info().mapSize;
            resizes.incrementAndGet();
        } finally {
            resizing = false;
            gate.notifyAll();
        }
    }

    /**
     * Counts a transaction as a use of the environment that {@link #close} and a resize wait
     * for, once no resize runs. Checks {@link #closed} under the gate, where close sets it: checked before
     * only, a thread could pass the check, let another close the environment, and then begin a
     * transaction in the freed environment.
     */
    private void enter() {
        synchronized (gate) {
            awaitNoResize();
            if (closed) {
                throw closedException();
            }
            requireMap();
            activeTxns++;
        }
    }

    /**
     * The largest map up to {@code target} whose growth the address space holds while leaving as
     * much free as the growth takes (for the heap, threads and other maps), asked right before the
     * remap: LMDB unmaps the old map before it maps the new one, keeps none when that fails, and
     * the next transaction crashed the JVM (a review helper's run under {@code ulimit -v}).
     */
    private long fittingGrowth(long target) {
        long step = target - mapSize;
        while (step > (1L << 20) && !AddressSpace.canMap(2 * step)) {
            step = roundUp(step / 2);
        }
        if (!AddressSpace.canMap(step)) {
            throw new QuiverException(ErrorKind.MAP_FULL, "store " + directory + " needs a larger map than its " + mapSize
                    + " bytes, and this process's address space has no room for one (an address-space limit, ulimit -v?)");
        }
        return Math.min(target, mapSize + step);
    }

    /** Set when a remap failed: LMDB then holds no map, and any use but close would crash the JVM. */
    private volatile boolean lostMap;

    private void requireMap() {
        if (lostMap) {
            throw new QuiverException(ErrorKind.STORAGE, "store " + directory + " lost its map when a growth failed; close it and open it again");
        }
    }

    /**
     * As {@link #enter}, without waiting for a resize: for short uses that are no transaction
     * ({@link #readers}, {@link #sync}, {@link #copyTo}), which a thread may make inside its own
     * transaction, where waiting for a resize that waits for that transaction stalled until the
     * resize gave up. A resize waiting for transactions waits for these too; one past its wait
     * holds {@code gate} until the map is remapped.
     */
    private void enterUse() {
        synchronized (gate) {
            if (closed) {
                throw closedException();
            }
            requireMap();
            activeTxns++;
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("store " + directory + " is closed");
    }

    /** Runs {@code use} of the environment counted as open, so that the store cannot close under it. */
    private <T> T counted(java.util.function.Supplier<T> use) {
        enterUse();
        try {
            return use.get();
        } finally {
            txnEnded();
        }
    }

    void txnEnded() {
        synchronized (gate) {
            activeTxns--;
            gate.notifyAll();
        }
    }

    /** The current map size in bytes (address space reserved, not disk used). */
    public long mapSize() {
        return mapSize;
    }

    /** How many times this process grew the map. */
    public int resizeCount() {
        return resizes.get();
    }

    /** Bytes of the data file on disk. */
    public long fileBytes() {
        try {
            return Files.size(directory.resolve("data.mdb"));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Read transactions open on this store now, across all processes (LMDB's reader table in
     * {@code lock.mdb}). LMDB's own count is the number of slots ever used, which this returned
     * before: 6 after six snapshots had all closed. Slots of processes that died holding a
     * snapshot are freed first ({@link Env#readerCheck}).
     *
     * <pre>{@code
     * System.out.println(store.readers() + " readers, the oldest " + store.readerLag() + " commits behind");
     * }</pre>
     */
    public int readers() {
        return counted(() -> {
            ReaderTable.Readers r = readerTable();
            return r == null ? env.info().numReaders : r.open();
        });
    }

    /**
     * How many commits the oldest open snapshot is behind the last commit (0 when none is open, or
     * when all read the last one). The pages those commits freed cannot be reused while it stays
     * open, so a store that keeps being written grows by about that many commits' changes: a
     * snapshot held for hours by a forgotten reader shows here.
     */
    public long readerLag() {
        return counted(() -> {
            ReaderTable.Readers r = readerTable();
            long last = env.info().lastTransactionId;
            return r == null || r.oldestSnapshot() < 0 ? 0L : Math.max(0L, last - r.oldestSnapshot());
        });
    }

    /** The reader table once dead readers' slots are freed; null when its layout is unknown (must be counted). */
    private ReaderTable.Readers readerTable() {
        releaseDeadReaders(0);
        return ReaderTable.read(lockFile, env.info().numReaders);
    }

    /** When {@link #releaseDeadReaders} last looked, in nanoseconds of {@link System#nanoTime}. */
    private volatile long deadReadersChecked = System.nanoTime();

    /**
     * Frees the reader slots of processes that died holding a snapshot ({@code mdb_reader_check}),
     * at most once per {@code intervalNanos}. LMDB leaves such a slot in place: a search process
     * killed with SIGKILL pinned its snapshot for good, and a writer's file then grew by every
     * commit's changes (a review helper's run: 32 to 137 MiB in 80 commits). Called when the store
     * opens, before write transactions (once a second) and when readers are counted.
     */
    private void releaseDeadReaders(long intervalNanos) {
        long now = System.nanoTime();
        if (intervalNanos > 0 && now - deadReadersChecked < intervalNanos) {
            return;
        }
        deadReadersChecked = now;
        try {
            env.readerCheck();
        } catch (RuntimeException e) {
            // a lock-free environment has no table to check; nothing else here is worth failing for
        }
    }

    /** LMDB page size. */
    public int pageSize() {
        return pageSize;
    }

    /**
     * How many times this process has remapped the file (a resize moves every value's address):
     * a cache of addresses that outlives a transaction checks it.
     */
    public int mapGeneration() {
        return resizes.get();
    }

    /**
     * Whether the value at {@code address} (from a get on this store) sits in LMDB overflow pages
     * of its own. Such a page stays where it is until its own key is overwritten or deleted (a
     * change to its neighbours copies the leaf that points to it, not the page), which makes its
     * address safe to remember across transactions for as long as the key is known to be
     * unchanged and the map is not resized. An overflow value starts right after a page header;
     * no value inside a shared leaf can start there (the page's offset table and the node's own
     * header come first). With 4 KiB pages the map's pages line up with the address space's (an
     * mmap is at least 4 KiB-aligned), so the test is exact; other page sizes answer false.
     */
    public boolean isOverflowValue(long address) {
        return pageSize == 4096 && Math.floorMod(address - OVERFLOW_HEADER, 4096L) == 0;
    }

    /** LMDB's page header, which precedes the data of an overflow page ({@code PAGEHDRSZ}). */
    private static final int OVERFLOW_HEADER = 16;

    /**
     * State that a layer above keeps per open store (for example caches keyed by index), created
     * on first use; it lives as long as this {@code Store} object.
     *
     * <pre>{@code
     * MyCache c = store.attachment("my-cache/" + index, MyCache.class, MyCache::new);
     * }</pre>
     */
    public <T> T attachment(String key, Class<T> type, java.util.function.Supplier<T> create) {
        return type.cast(attachments.computeIfAbsent(key, k -> create.get()));
    }

    /**
     * Writes a consistent copy of the store, compacted (free pages dropped), into {@code target},
     * an absent or empty directory. Safe while readers and a writer are active: it copies the last
     * committed state.
     *
     * <p>The pages are walked first ({@link PageCheck}, one extra read of the file, about a second
     * per GB in the page cache): LMDB's compacting copy follows every page link as it finds it,
     * and one damaged page killed the JVM inside it (SIGBUS) and left an empty {@code data.mdb}
     * behind. A damaged store is refused ({@link ErrorKind#CORRUPTED}, naming this store's file
     * and its first problem) before anything is created at {@code target}.
     *
     * <pre>{@code
     * store.copyTo(Path.of("vectors-backup"));   // restore: open the copy, or move it into place
     * }</pre>
     */
    public void copyTo(Path target) {
        // counted before creating the target: a closed store leaves no directory behind
        counted(() -> {
            copyCounted(target);
            return null;
        });
    }

    private void copyCounted(Path target) {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "backup target " + target + " exists and is not a directory");
        }
        boolean created = !Files.exists(target);
        if (!created) {
            requireEmpty(target);
        }
        Path data = directory.resolve("data.mdb");
        PageCheck.Report pages = PageCheck.runPinnedOrNull(env, data);
        if (pages != null && !pages.ok()) {
            throw new QuiverException(ErrorKind.CORRUPTED, "cannot back up " + directory + ": " + data + " is damaged (" + pages.problems().get(0)
                    + (pages.problems().size() > 1 ? "; " + (pages.problems().size() - 1) + " more" : "") + "); run quiver check on it");
        }
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new QuiverException(creationFailure(e), "cannot create backup directory " + target + ": " + IoMessages.describe(e, target), e);
        }
        requireEmpty(target);
        try {
            env.copy(target.toFile(), CopyFlags.MDB_CP_COMPACT);
        } catch (LmdbException e) {
            // a half-written copy (a full disk) is no backup: leave the target as it was found,
            // so that a retry into it is not refused as not empty
            try {
                Files.deleteIfExists(target.resolve("data.mdb"));
                Files.deleteIfExists(target.resolve("lock.mdb"));
                if (created) {
                    Files.deleteIfExists(target);
                }
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            QuiverException q = LmdbErrors.translate(e, target, "copying the store");
            // damage is in what is copied, not in the copy: name this store
            throw q.kind() == ErrorKind.CORRUPTED ? LmdbErrors.translate(e, directory, "copying the store") : q;
        }
    }

    private static void requireEmpty(Path target) {
        try (var entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "backup target " + target + " is not empty");
            }
        } catch (IOException e) {
            throw new QuiverException(creationFailure(e), "cannot read backup directory " + target + ": " + IoMessages.describe(e, target), e);
        }
    }

    /** Flushes to disk (only matters for stores opened with relaxed durability). */
    public void sync() {
        counted(() -> {
            env.sync(true);
            return null;
        });
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the environment. Every transaction must be closed first (else this throws and the
     * store stays open). Closing again, or from two threads at once, closes it once; anything
     * begun on a closed store is refused with an {@link IllegalStateException}.
     */
    @Override
    public void close() {
        synchronized (gate) {
            // a resize runs with the gate released while it waits for transactions to end
            awaitNoResize();
            if (closed) {
                // a second closer, also one racing the first: the environment is freed once
                return;
            }
            if (activeTxns > 0) {
                throw new IllegalStateException("cannot close store " + directory + ": " + activeTxns + " transaction(s) still open");
            }
            closed = true;
        }
        try {
            env.close();
        } finally {
            OPEN.remove(canonical, this);
            if (lockFile != null) {
                try {
                    lockFile.close(); // after LMDB's own descriptor: its locks are gone by now
                } catch (IOException ignored) {
                    // nothing was written through it
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Store[" + directory + "]";
    }
}
