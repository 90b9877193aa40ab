package io.quiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.roaringbitmap.longlong.Roaring64Bitmap;

/**
 * Walks LMDB's own structures in a store's {@code data.mdb} — the meta pages, every B-tree page,
 * the overflow pages of large values and the free-page lists — by reading the file, never through
 * LMDB. LMDB keeps no checksums and trusts its pages: a damaged page header or node can crash the
 * process inside LMDB (SIGSEGV) the first time a lookup crosses it. This check reports such damage
 * as problems instead, so {@code quiver check} runs it before it lets LMDB read anything.
 *
 * <p>It checks that every page a tree reaches is inside the file and says it is the page it was
 * reached as, with the kind of page expected there; that nodes and keys lie inside their page and
 * keys ascend; that leaves sit at the depth the tree records; that the page, overflow and entry
 * counts the tree records match what was found; that no page is reached twice; and that no page
 * on a free list is in use. Pages are the size meta page 0 gives, from 4 to 32 KiB (LMDB takes
 * the system's page size when it creates a file); another size is reported, not walked.
 *
 * <p>A snapshot is pinned while the walk runs, through a read transaction, so that a writer in
 * another process cannot reuse the pages being read: the store's own {@link Store} when this
 * process has it open, else a read-only LMDB environment that only reads the meta pages. Cost: one
 * read of every page in use (about a second per GB in the page cache).
 *
 * <pre>{@code
 * PageCheck.Report r = PageCheck.run(Path.of("vectors"));
 * if (!r.ok()) r.problems().forEach(System.out::println);
 * }</pre>
 */
public final class PageCheck {
    /**
     * Page sizes walked: LMDB takes the system's page size when it creates a file (4 KiB on x86,
     * 16 KiB on some ARM64 Linux kernels, 32 KiB where the system's is 64) and keeps it in the meta
     * pages, so a store may come with any of them.
     */
    static final int MIN_PAGE = 4096;
    /**
     * LMDB's largest: a page's free-space bounds are 16-bit, so on 64 KiB systems LMDB writes 32
     * KiB pages, and a file claiming 64 KiB crashes it on the first write (a fuzzing helper's
     * crafted file: mdb_node_add's assertion).
     */
    static final int MAX_PAGE = 32768;
    private static final int HEADER = 16;
    private static final int P_BRANCH = 0x01;
    private static final int P_LEAF = 0x02;
    private static final int P_OVERFLOW = 0x04;
    private static final int P_META = 0x08;
    /** Flags LMDB may leave set on a written page; they say nothing about its kind. */
    private static final int P_IGNORED = 0x10 | 0x4000 | 0x8000;
    private static final int F_BIGDATA = 0x01;
    private static final int F_SUBDATA = 0x02;
    private static final int F_DUPDATA = 0x04;
    private static final int MDB_INTEGERKEY = 0x08;
    /** Every database flag LMDB keeps in a file (MDB_REVERSEKEY .. MDB_REVERSEDUP). */
    private static final int LMDB_DB_FLAGS = 0x7E;
    /** Tries before a snapshot whose meta page a busy writer keeps overwriting counts as a problem. */
    private static final int PIN_TRIES = 5;
    private static final int MAGIC = 0xBEEFC0DE;
    private static final int DB_SIZE = 48;
    private static final long NO_ROOT = -1L;
    /** Problems listed before the rest are only counted: one bad page can spoil thousands of entries. */
    static final int MAX_LISTED = 20;

    /**
     * What the walk found.
     *
     * @param pages pages the file's meta page says exist (its last page number + 1); 2 when LMDB's
     *     meta pages are there but neither is usable; 0 when the file has no LMDB meta page (too
     *     short, or not LMDB's), so it is no store at all
     * @param inUse pages reached from the trees (including overflow pages and the meta pages)
     * @param free pages named by the free lists
     * @param entries key/value pairs in all trees (the free list's records included)
     * @param unchecked pages in use that hold only the rest of a large value (after its first
     *     overflow page): nothing in them says what they should hold; {@code quiver check} reads
     *     the values themselves afterwards
     * @param problems one line each, the first {@value #MAX_LISTED} of them; empty when sound
     * @param pinned whether a read transaction held the walked snapshot (false: a writer in
     *     another process may have changed pages during the walk, so a problem may be a false alarm)
     * @param foreignLayout whether every problem is a layout LMDB writes and Quiver never does
     *     (sorted duplicates, reversed keys): another program's data, which LMDB reads safely
     */
    public record Report(long pages, long inUse, long free, long entries, long unchecked, List<String> problems, boolean pinned,
            boolean foreignLayout) {
        public Report {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final FileChannel file;
    private final long fileBytes;
    /** This file's page size: meta page 0's when that is a possible one (see {@link #choosePageSize}). */
    private int psize = MIN_PAGE;
    private ByteBuffer page = ByteBuffer.allocate(MIN_PAGE).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer other = ByteBuffer.allocate(MIN_PAGE).order(ByteOrder.LITTLE_ENDIAN);
    /** One page buffer per level of the walk (trees are a few levels deep, a database's tree hangs below a leaf). */
    private final List<ByteBuffer> buffers = new ArrayList<>();
    private int stack;
    private final Roaring64Bitmap used = new Roaring64Bitmap();
    private final Roaring64Bitmap freed = new Roaring64Bitmap();
    private final Roaring64Bitmap tails = new Roaring64Bitmap();
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long lastPage;
    private long entries;
    /** Whether a meta page had LMDB's magic and version, however damaged the rest. */
    private boolean lmdbMeta;
    /** Problems that are layouts LMDB writes and Quiver never does (another program's data). */
    private long foreignProblems;

    private PageCheck(FileChannel file, long fileBytes) {
        this.file = file;
        this.fileBytes = fileBytes;
    }

    /**
     * Checks the store in {@code directory}. Fails only when the file cannot be read at all
     * ({@link ErrorKind#NOT_FOUND} without {@code data.mdb}, {@link ErrorKind#STORAGE} on an I/O
     * error); damage is reported in the result.
     */
    public static Report run(Path directory) {
        Path data = directory.resolve("data.mdb");
        if (!Files.isRegularFile(data)) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store at " + directory + " (no data.mdb)");
        }
        // Under the lock Store.open takes for this path: no Store of it can open (or be opened
        // by another thread) while this walk has its own environment on the file.
        return Store.underOpenLock(directory, open -> run(directory, data, open));
    }

    private static Report run(Path directory, Path data, Store open) {
        if (open != null) {
            return pinnedWalk(data, () -> {
                ReadTxn txn = open.read();
                return new Pin(txn.txn.getId(), txn::close);
            });
        }
        if (!metaProblems(data).isEmpty()) {
            // LMDB would crash opening it: walk unpinned, without LMDB
            return walk(data, -1, true);
        }
        LockFileSpace.reserve(directory, 126); // LMDB's default reader slots, which this environment takes
        Env<ByteBuffer> env;
        try {
            // Opening an environment and a read transaction reads the meta pages only.
            env = Env.create().setMapSize(1 << 20).setMaxDbs(4).open(directory.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_RDONLY_ENV);
        } catch (RuntimeException | LinkageError e) {
            // a file LMDB will not open (bad meta pages, say): walk it unpinned, the meta pages report why
            return walk(data, -1, true);
        }
        try {
            return run(env, data);
        } finally {
            env.close();
        }
    }

    /** Walks {@code data} with a snapshot of {@code env} pinned: for {@link Store} while it opens. */
    static Report run(Env<ByteBuffer> env, Path data) {
        Report pinned = pinnedWalk(data, () -> {
            for (int attempt = 0; ; attempt++) {
                try {
                    org.lmdbjava.Txn<ByteBuffer> txn = env.txnRead();
                    return new Pin(txn.getId(), txn::close);
                } catch (org.lmdbjava.Dbi.MapResizedException e) {
                    // Another process grew the map since this environment opened: adopt its size
                    // and pin again. Walked unpinned instead, while that process kept committing,
                    // its reused free pages read as damage (a review helper's live store, 6 checks in 6).
                    if (attempt >= 5) {
                        return null;
                    }
                    try {
                        env.setMapSize(0);
                    } catch (RuntimeException resize) {
                        return null;
                    }
                } catch (RuntimeException e) {
                    return null;
                }
            }
        });
        return pinned != null ? pinned : walk(data, -1, true); // no snapshot to pin: walked unpinned
    }

    /**
     * Walks {@code data} pinned by a read transaction of {@code env}, never adopting a new map
     * size: for uses such as {@link Store#copyTo} that a thread may make inside its own
     * transaction, where changing the map size is not allowed. Null when no snapshot can be
     * pinned that way (another process grew the map): the caller then goes on without the walk.
     */
    static Report runPinnedOrNull(Env<ByteBuffer> env, Path data) {
        return pinnedWalk(data, () -> {
            try {
                org.lmdbjava.Txn<ByteBuffer> txn = env.txnRead();
                return new Pin(txn.getId(), txn::close);
            } catch (RuntimeException e) {
                return null;
            }
        });
    }

    /** A read transaction holding snapshot {@code txnId} until closed. */
    private record Pin(long txnId, Runnable release) implements AutoCloseable {
        @Override
        public void close() {
            release.run();
        }
    }

    /**
     * Walks the snapshot a new {@code pin} holds, pinning a newer one while commits keep
     * overwriting the pinned snapshot's meta page; null when no read transaction can begin (the
     * supplier gives null), which each caller answers in its own way.
     */
    private static Report pinnedWalk(Path data, java.util.function.Supplier<Pin> pin) {
        for (int i = 1; ; i++) {
            Pin p = pin.get();
            if (p == null) {
                return null;
            }
            try (p) {
                Report r = walk(data, p.txnId(), i == PIN_TRIES);
                if (r != null) {
                    return r;
                }
            }
        }
    }

    /**
     * Walks the snapshot {@code txnId} (-1: the newer meta page, unpinned). Returns null when a
     * writer has already overwritten that snapshot's meta page and {@code last} is false.
     */
    private static Report walk(Path data, long txnId, boolean last) {
        try (FileChannel f = FileChannel.open(data, StandardOpenOption.READ)) {
            PageCheck c = new PageCheck(f, f.size());
            long pages = c.walkAll(txnId, last);
            if (pages < 0) {
                return null;
            }
            return new Report(pages, c.used.getLongCardinality(), c.freed.getLongCardinality(), c.entries, c.tails.getLongCardinality(), c.listed(),
                    txnId >= 0, c.foreignProblems > 0 && c.foreignProblems == c.problemCount);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new QuiverException(ErrorKind.READ_ONLY, "cannot read " + data + ": permission denied", e);
        } catch (NoSuchFileException e) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store at " + data.getParent() + " (no data.mdb)", e);
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.STORAGE, "cannot read " + data + ": " + e.getMessage(), e);
        }
    }

    /** For tests: the pages in use and the value-only ones among them, of an unpinned walk. */
    static Roaring64Bitmap[] pageSets(Path directory) throws IOException {
        try (FileChannel f = FileChannel.open(directory.resolve("data.mdb"), StandardOpenOption.READ)) {
            PageCheck c = new PageCheck(f, f.size());
            c.walkAll(-1, true);
            return new Roaring64Bitmap[] {c.used, c.tails};
        }
    }

    private List<String> listed() {
        List<String> out = new ArrayList<>(problems);
        if (problemCount > problems.size()) {
            out.add((problemCount - problems.size()) + " more problem(s)");
        }
        return out;
    }

    private void problem(String s) {
        if (problemCount++ < MAX_LISTED) {
            problems.add(s);
        }
    }

    /** Returns the number of pages the chosen meta page names, or -1 to try a newer snapshot. */
    private long walkAll(long txnId, boolean last) throws IOException {
        choosePageSize();
        if (fileBytes < 2L * psize) {
            problem("the file is " + fileBytes + " bytes long, shorter than LMDB's two meta pages");
            return 0;
        }
        Meta m0 = readMeta(0);
        Meta m1 = readMeta(1);
        Meta m;
        if (txnId >= 0) {
            m = m0 != null && m0.txnId == txnId ? m0 : m1 != null && m1.txnId == txnId ? m1 : null;
            if (m == null) {
                boolean newer = m0 != null && m0.txnId > txnId || m1 != null && m1.txnId > txnId;
                if (newer && !last) {
                    return -1; // two commits since the snapshot was pinned rewrote its meta page
                }
                problem("neither meta page holds the snapshot LMDB opened (transaction " + txnId + ")");
                return 0;
            }
        } else {
            m = m0 == null ? m1 : m1 == null ? m0 : m0.txnId >= m1.txnId ? m0 : m1;
            if (m == null) {
                // LMDB's file with both meta pages damaged counts its two pages; a file with no
                // LMDB meta page at all is none of LMDB's (0)
                return lmdbMeta ? 2 : 0;
            }
        }
        lastPage = m.lastPage; // in range: readMeta refuses a meta page naming another
        used.addLong(0);
        used.addLong(1);
        // A file ending before its last page is not damaged by itself (LMDB need not write free
        // pages at the end); a page in use out there is, and claim() reports it.
        walkTree("free-page list", m.free, true);
        walkTree("main database", m.main, false);
        Roaring64Bitmap both = Roaring64Bitmap.and(used, freed);
        if (!both.isEmpty()) {
            problem(both.getLongCardinality() + " page(s) are both in use and on a free list, first " + both.first());
        }
        return lastPage + 1;
    }

    private record Meta(long pageSize, long txnId, long lastPage, Db free, Db main) {}

    private static boolean possiblePageSize(long size) {
        return size >= MIN_PAGE && size <= MAX_PAGE && Long.bitCount(size) == 1;
    }

    /**
     * Takes the page size from meta page 0, which starts the file whatever the size is, when it is
     * LMDB's meta page and names a possible one; otherwise keeps 4 KiB, and reading the meta pages
     * reports why.
     */
    private void choosePageSize() throws IOException {
        if (fileBytes < MIN_PAGE) {
            return;
        }
        read(page, 0);
        if (!isLmdbMeta(page)) {
            return;
        }
        long size = db(page, HEADER + 24).pad;
        if (possiblePageSize(size) && size != psize) {
            psize = (int) size;
            page = ByteBuffer.allocate(psize).order(ByteOrder.LITTLE_ENDIAN);
            other = ByteBuffer.allocate(psize).order(ByteOrder.LITTLE_ENDIAN);
            buffers.clear();
        }
    }

    /** Whether {@code p} is an LMDB meta page of data version 1 (what readMeta reads further). */
    private static boolean isLmdbMeta(ByteBuffer p) {
        return flags(p) == P_META && p.getInt(HEADER) == MAGIC && p.getInt(HEADER + 4) == 1;
    }

    /** A page's kind flags, without those LMDB may leave set on any written page. */
    private static int flags(ByteBuffer p) {
        return p.getShort(10) & 0xFFFF & ~P_IGNORED;
    }

    private Meta readMeta(int n) throws IOException {
        read(page, n);
        int flags = flags(page);
        if (flags != P_META || page.getInt(HEADER) != MAGIC) {
            problem("meta page " + n + " is not an LMDB meta page (flags " + Integer.toHexString(flags) + ")");
            return null;
        }
        int version = page.getInt(HEADER + 4);
        if (version != 1) {
            problem("meta page " + n + " has LMDB data version " + version + ", not 1");
            return null;
        }
        lmdbMeta = true;
        Db free = db(page, HEADER + 24);
        Db main = db(page, HEADER + 24 + DB_SIZE);
        Meta m = new Meta(free.pad, page.getLong(HEADER + 24 + 2 * DB_SIZE + 8), page.getLong(HEADER + 24 + 2 * DB_SIZE), free, main);
        // what LMDB trusts when it opens the file: a wrong one crashes it (SIGBUS in mdb_env_open)
        if (!possiblePageSize(m.pageSize)) {
            problem("meta page " + n + " gives a page size of " + m.pageSize + " bytes, not a power of two from " + MIN_PAGE + " to " + MAX_PAGE);
            return null;
        }
        if (m.pageSize != psize) {
            problem("meta page " + n + " gives a page size of " + m.pageSize + " bytes, meta page 0 one of " + psize);
            return null;
        }
        // LMDB writes transaction t to meta page t & 1, and a reader of t reads that page: a newest
        // transaction on the other page sends readers to an older tree than the one a walk would
        // pick (a fuzzing helper: one changed transaction id, and every index looked gone). Both
        // meta pages of a new file hold transaction 0.
        if (m.txnId != 0 && (m.txnId & 1) != n) {
            problem("meta page " + n + " holds transaction " + m.txnId + ", which LMDB writes to meta page " + (m.txnId & 1));
            return null;
        }
        if (m.lastPage < 1 || m.lastPage >= 1L << 40) {
            problem("meta page " + n + " names page " + Long.toUnsignedString(m.lastPage) + " as the last, which no store has");
            return null;
        }
        for (Db d : new Db[] {free, main}) {
            if (d.root != NO_ROOT && (d.root < 2 || d.root > m.lastPage)) {
                problem("meta page " + n + " gives a root page " + Long.toUnsignedString(d.root) + " outside pages 2.." + m.lastPage);
                return null;
            }
        }
        return m;
    }

    /**
     * Problems of the meta pages that have LMDB's magic and version, which LMDB would trust on
     * opening the file and crash on or misread (a page size, last page or root page out of range, a
     * page size other than 4 KiB that meta page 1 does not confirm, a transaction on the meta page
     * of the other parity); empty when they are sound or when neither is LMDB's (LMDB then refuses
     * the file itself).
     */
    static List<String> metaProblems(Path data) {
        try (FileChannel f = FileChannel.open(data, StandardOpenOption.READ)) {
            PageCheck c = new PageCheck(f, f.size());
            c.choosePageSize();
            if (f.size() < 2L * c.psize) {
                return List.of();
            }
            for (int n = 0; n < 2; n++) {
                c.read(c.page, n);
                if (isLmdbMeta(c.page)) {
                    c.readMeta(n);
                } else if (n == 1 && c.psize != MIN_PAGE) {
                    // LMDB writes both meta pages when it creates a file. A page size other than
                    // 4 KiB that the second does not confirm may be a damaged field, and LMDB
                    // would read every page at the wrong offset.
                    c.problem("meta page 0 gives a page size of " + c.psize + " bytes, but no readable meta page 1 starts there");
                }
            }
            return c.listed();
        } catch (IOException e) {
            return List.of(); // the open reports what it cannot read
        }
    }

    /** LMDB's {@code MDB_db}: the page size is kept in the free list's pad field of meta page 0. */
    private record Db(long pad, int flags, int depth, long branchPages, long leafPages, long overflowPages, long entries, long root) {}

    private static Db db(ByteBuffer b, int at) {
        return new Db(b.getInt(at) & 0xFFFFFFFFL, b.getShort(at + 4) & 0xFFFF, b.getShort(at + 6) & 0xFFFF, b.getLong(at + 8),
                b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40));
    }

    /** What a walk of one tree counted, against what its {@code MDB_db} records. */
    private static final class Tally {
        long branch;
        long leaf;
        long overflow;
        long entries;
        byte[] lastKey;
    }

    private void walkTree(String name, Db db, boolean freeList) throws IOException {
        if (db.root == NO_ROOT) {
            if (db.entries != 0 || db.depth != 0) {
                problem(name + ": no root page but " + db.entries + " entries and depth " + db.depth);
            }
            return;
        }
        if (!freeList && (db.flags & ~MDB_INTEGERKEY) != 0) {
            // sorted duplicates, reversed keys: not a layout Quiver writes, nor one this walk knows;
            // flags LMDB has none of are damage
            problem(name + ": database flags " + Integer.toHexString(db.flags) + " are not a Quiver store's");
            if ((db.flags & ~LMDB_DB_FLAGS) == 0) {
                foreignProblems++;
            }
            return;
        }
        Tally t = new Tally();
        long before = problemCount;
        // the free list's keys are transaction ids compared as integers, whatever its flags say
        page(name, db.root, db.depth, db.depth, t, freeList || (db.flags & MDB_INTEGERKEY) != 0, freeList);
        // counts cut short by a damaged page say nothing more
        if (problemCount == before
                && (t.branch != db.branchPages || t.leaf != db.leafPages || t.overflow != db.overflowPages || t.entries != db.entries)) {
            problem(name + ": found " + t.branch + " branch, " + t.leaf + " leaf and " + t.overflow + " overflow pages and " + t.entries
                    + " entries; its record says " + db.branchPages + ", " + db.leafPages + ", " + db.overflowPages + " and " + db.entries);
        }
        entries += t.entries;
    }

    /**
     * Checks page {@code pgno}, reached at {@code level} levels above the leaves + 1 ({@code level
     * == 1}: a leaf), then its children. Recursion depth is the tree's depth (a handful).
     */
    private void page(String name, long pgno, int level, int depth, Tally t, boolean integerKeys, boolean freeList) throws IOException {
        String where = name + ", page " + Long.toUnsignedString(pgno);
        if (!claim(where, pgno)) {
            return;
        }
        if (stack == buffers.size()) {
            buffers.add(ByteBuffer.allocate(psize).order(ByteOrder.LITTLE_ENDIAN));
        }
        ByteBuffer b = buffers.get(stack++);
        try {
            check(name, where, b, pgno, level, depth, t, integerKeys, freeList);
        } finally {
            stack--;
        }
    }

    private void check(String name, String where, ByteBuffer b, long pgno, int level, int depth, Tally t, boolean integerKeys, boolean freeList)
            throws IOException {
        read(b, pgno);
        if (b.getLong(0) != pgno) {
            problem(where + ": the page says it is page " + Long.toUnsignedString(b.getLong(0)));
            return;
        }
        int flags = flags(b);
        int expected = level > 1 ? P_BRANCH : P_LEAF;
        if (level < 1 || flags != expected) {
            problem(where + ": flags " + Integer.toHexString(flags) + " where a " + (level > 1 ? "branch" : "leaf") + " page belongs (depth " + depth + ")");
            return;
        }
        int lower = b.getShort(12) & 0xFFFF;
        int upper = b.getShort(14) & 0xFFFF;
        int keys = (lower - HEADER) / 2;
        if (lower < HEADER || (lower & 1) != 0 || upper > psize || lower > upper || keys == 0) {
            problem(where + ": free space bounds " + lower + ".." + upper + " are not those of a page with keys");
            return;
        }
        if (level > 1) {
            t.branch++;
        } else {
            t.leaf++;
        }
        byte[] previous = null;
        for (int i = 0; i < keys; i++) {
            int node = b.getShort(HEADER + 2 * i) & 0xFFFF;
            if (node < upper || node + 8 > psize) {
                problem(where + ": node " + i + " at offset " + node + " lies outside the page's nodes (" + upper + ".." + psize + ")");
                return;
            }
            int lo = b.getShort(node) & 0xFFFF;
            int hi = b.getShort(node + 2) & 0xFFFF;
            int nodeFlags = b.getShort(node + 4) & 0xFFFF;
            int keySize = b.getShort(node + 6) & 0xFFFF;
            int keyEnd = node + 8 + keySize;
            if (keyEnd > psize) {
                problem(where + ": node " + i + "'s key of " + keySize + " bytes runs past the page");
                return;
            }
            byte[] key = Arrays.copyOfRange(b.array(), node + 8, keyEnd);
            // a branch page's first key is never compared (it stands for everything below the second)
            if (level > 1 && i == 0) {
                key = null;
            } else {
                byte[] before = previous != null ? previous : level == 1 ? t.lastKey : null;
                if (before != null && compare(before, key, integerKeys) >= 0) {
                    problem(where + ": keys out of order at node " + i);
                    return;
                }
                previous = key;
            }
            if (level > 1) {
                long child = lo | ((long) hi << 16) | ((long) nodeFlags << 32);
                page(name, child, level - 1, depth, t, integerKeys, freeList);
                continue;
            }
            long size = lo | ((long) hi << 16);
            t.entries++;
            t.lastKey = key;
            if ((nodeFlags & ~(F_BIGDATA | F_SUBDATA)) != 0) {
                problem(where + ": node " + i + " has flags " + Integer.toHexString(nodeFlags) + " (sorted duplicates are not Quiver's)");
                if ((nodeFlags & ~(F_BIGDATA | F_SUBDATA | F_DUPDATA)) == 0) {
                    foreignProblems++;
                }
                continue;
            }
            if ((nodeFlags & F_BIGDATA) != 0) {
                if (keyEnd + 8 > psize) {
                    problem(where + ": node " + i + "'s overflow page number runs past the page");
                    return;
                }
                long first = b.getLong(keyEnd);
                overflow(where + ", node " + i, first, size, t, freeList);
                continue;
            }
            if (keyEnd + size > psize) {
                problem(where + ": node " + i + "'s value of " + size + " bytes runs past the page");
                return;
            }
            if ((nodeFlags & F_SUBDATA) != 0) {
                if (freeList || size != DB_SIZE) {
                    problem(where + ": node " + i + " names a database where none can be");
                    continue;
                }
                walkTree("database " + new String(key, java.nio.charset.StandardCharsets.UTF_8), db(b, keyEnd), false);
            } else if (freeList) {
                freePages(where + ", node " + i, b, keyEnd, size);
            }
        }
    }

    /** Checks and claims the overflow pages of a value of {@code size} bytes starting at {@code first}. */
    private void overflow(String where, long first, long size, Tally t, boolean freeList) throws IOException {
        long pages = (HEADER + size + psize - 1) / psize;
        if (first < 2 || first + pages - 1 > lastPage) {
            problem(where + ": its value's " + pages + " overflow page(s) from page " + Long.toUnsignedString(first) + " lie outside pages 2.." + lastPage);
            return;
        }
        read(other, first);
        int flags = flags(other);
        // LMDB rewrites a value in place over the pages it already has in the same transaction,
        // keeping their count: a run may be longer than its value needs, never shorter
        long stored = other.getInt(12) & 0xFFFFFFFFL;
        if (other.getLong(0) != first || flags != P_OVERFLOW || stored < pages || first + stored - 1 > lastPage) {
            problem(where + ": page " + first + " is not the start of an overflow run of at least " + pages + " page(s) inside the file's pages");
            return;
        }
        pages = stored;
        for (long p = first; p < first + pages; p++) {
            if (!claim(where + ", overflow page " + p, p)) {
                return;
            }
            if (p > first) {
                tails.addLong(p);
            }
        }
        t.overflow += pages;
        if (freeList) {
            // a long free list: its page numbers continue across the overflow pages
            // sized by the value, not by the run, whose count a damaged header may inflate
            if (HEADER + size > Integer.MAX_VALUE - 8) {
                problem(where + ": a free-page record of " + size + " bytes");
                return;
            }
            ByteBuffer all = ByteBuffer.allocate((int) (HEADER + size)).order(ByteOrder.LITTLE_ENDIAN);
            for (long p = first; all.hasRemaining(); p++) {
                read(other, p);
                all.put(other.array(), 0, Math.min(psize, all.remaining()));
            }
            freePages(where, all, HEADER, size);
        }
    }

    /** A free-list record: {@code [count u64][page numbers u64...]}, the pages free from that transaction on. */
    private void freePages(String where, ByteBuffer b, int at, long size) {
        if (size < 8 || (size & 7) != 0) {
            problem(where + ": a free-page record of " + size + " bytes");
            return;
        }
        long count = b.getLong(at);
        if (count != size / 8 - 1) {
            problem(where + ": a free-page record of " + size + " bytes counts " + count + " pages");
            return;
        }
        for (int i = 1; i <= count; i++) {
            long p = b.getLong(at + 8 * i);
            if (p < 2 || p > lastPage) {
                problem(where + ": free page " + p + " lies outside pages 2.." + lastPage);
                return;
            }
            freed.addLong(p);
        }
    }

    /** Marks {@code pgno} as in use; false (and a problem) when it is out of range or already in use. */
    private boolean claim(String where, long pgno) {
        if (pgno < 2 || pgno > lastPage) {
            problem(where + ": page number outside pages 2.." + lastPage);
            return false;
        }
        if ((pgno + 1) * psize > fileBytes) {
            problem(where + ": the page lies past the end of the file (" + fileBytes + " bytes; truncated?)");
            return false;
        }
        if (used.contains(pgno)) {
            problem(where + ": the page is reached twice");
            return false;
        }
        used.addLong(pgno);
        return true;
    }

    private void read(ByteBuffer b, long pgno) throws IOException {
        b.clear();
        long at = pgno * psize;
        while (b.hasRemaining()) {
            int n = file.read(b, at + b.position());
            if (n < 0) {
                // past the end: the rest reads as zeros, which no check accepts as a page
                Arrays.fill(b.array(), b.position(), psize, (byte) 0);
                break;
            }
        }
        b.clear();
    }

    private static int compare(byte[] a, byte[] b, boolean integerKeys) {
        if (integerKeys && a.length == 8 && b.length == 8) {
            long x = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long y = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return Long.compareUnsigned(x, y);
        }
        // LMDB's integer keys are unsigned ints or size_t: another program's 4-byte ones too
        if (integerKeys && a.length == 4 && b.length == 4) {
            int x = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getInt();
            int y = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            return Integer.compareUnsigned(x, y);
        }
        return Arrays.compareUnsigned(a, b);
    }
}
