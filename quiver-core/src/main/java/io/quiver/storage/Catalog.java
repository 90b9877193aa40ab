package io.quiver.storage;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Many named stores under one root directory, one LMDB environment each, with at most as many
 * open at once as the process's address space allows: every open map reserves its full map size
 * of virtual memory. Stores are opened on demand and the least recently used idle one is closed
 * when the budget is spent; a store in use (leased) is never closed. Thread-safe.
 *
 * <pre>{@code
 * try (Catalog catalog = Catalog.open(Path.of("tenants"), CatalogOptions.defaults())) {
 *     catalog.create("acme");
 *     try (Catalog.Lease lease = catalog.acquire("acme")) {
 *         lease.store().write(txn -> ...);
 *     }
 * }
 * }</pre>
 */
public final class Catalog implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String TRASH_SUFFIX = ".deleting";

    private final Path root;
    private final CatalogOptions options;
    private final long budget;
    private final int maxOpen;
    /** Open stores in access order (least recently used first). */
    private final LinkedHashMap<String, Entry> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;
    private long opens;
    private long evictions;

    private static final class Entry {
        final Store store;
        int leases;

        Entry(Store store) {
            this.store = store;
        }
    }

    /** A store in use: it stays open until the lease closes. */
    public final class Lease implements AutoCloseable {
        private final String name;
        private final Entry entry;
        private boolean released;

        private Lease(String name, Entry entry) {
            this.name = name;
            this.entry = entry;
        }

        public Store store() {
            if (released) {
                throw new IllegalStateException("lease of store '" + name + "' was released");
            }
            return entry.store;
        }

        public String name() {
            return name;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(entry);
            }
        }
    }

    private Catalog(Path root, CatalogOptions options, long budget) {
        this.root = root;
        this.options = options;
        this.budget = budget;
        this.maxOpen = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / options.storeOptions().initialMapSize()));
    }

    /** Opens (creating) the catalog directory and measures the address-space budget. */
    public static Catalog open(Path root, CatalogOptions options) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.READ_ONLY, "cannot create catalog directory " + root + ": " + e.getMessage(), e);
        }
        long budget = options.addressSpaceBudget() > 0 ? options.addressSpaceBudget() : AddressSpace.measure();
        Catalog c = new Catalog(root.toAbsolutePath().normalize(), options, budget);
        c.cleanTrash();
        return c;
    }

    /** The address space the catalog shares among open maps. */
    public long addressSpaceBudget() {
        return budget;
    }

    /** The most stores open at once. */
    public int maxOpen() {
        return maxOpen;
    }

    public Path root() {
        return root;
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(TRASH_SUFFIX)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "invalid store name '" + name
                    + "': use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private Path dir(String name) {
        return root.resolve(name);
    }

    /** Creates an empty store; fails with INVALID_ARGUMENT when the name is taken. */
    public synchronized void create(String name) {
        checkOpen();
        checkName(name);
        Path d = dir(name);
        try {
            Files.createDirectory(d);
        } catch (FileAlreadyExistsException e) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "store '" + name + "' already exists in " + root);
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.READ_ONLY, "cannot create store '" + name + "': " + e.getMessage(), e);
        }
        // Initialise the LMDB files now so that a listed store is always a valid one.
        try (Lease l = acquireLocked(name)) {
            // nothing: opening wrote the format header
        }
    }

    /** Whether a store of that name exists. */
    public synchronized boolean exists(String name) {
        checkName(name);
        return Files.isDirectory(dir(name));
    }

    /** Store names, sorted. */
    public synchronized List<String> list() {
        checkOpen();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> NAME.matcher(n).matches() && !n.endsWith(TRASH_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.STORAGE, "cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Leases the store {@code name} (opening it, and closing idle stores if the budget requires).
     * Waits up to {@link CatalogOptions#acquireWaitMillis()} when every open store is leased.
     */
    public synchronized Lease acquire(String name) {
        checkOpen();
        checkName(name);
        if (!Files.isDirectory(dir(name))) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store '" + name + "' in " + root);
        }
        return acquireLocked(name);
    }

    private Lease acquireLocked(String name) {
        Entry e = open.get(name);
        if (e == null) {
            long deadline = System.nanoTime() + options.acquireWaitMillis() * 1_000_000L;
            long need = options.storeOptions().initialMapSize();
            while ((open.size() >= maxOpen || mappedBytes() + need > budget) && !open.isEmpty() && !evictOne()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QuiverException(ErrorKind.MAP_FULL, "cannot open store '" + name + "': all " + open.size()
                            + " open stores are in use and the address-space budget allows no more");
                }
                try {
                    wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new QuiverException(ErrorKind.CANCELLED, "interrupted while waiting to open store '" + name + "'", ie);
                }
                e = open.get(name);
                if (e != null) {
                    break;
                }
            }
            if (e == null) {
                e = new Entry(Store.open(dir(name), options.storeOptions()));
                open.put(name, e);
                opens++;
            }
        }
        e.leases++;
        return new Lease(name, e);
    }

    /** Address space reserved by the open maps (they may have grown past their initial size). */
    private long mappedBytes() {
        long sum = 0;
        for (Entry e : open.values()) {
            sum += e.store.mapSize();
        }
        return sum;
    }

    /** Closes the least recently used idle store; false when all are leased. */
    private boolean evictOne() {
        var it = open.entrySet().iterator();
        while (it.hasNext()) {
            var en = it.next();
            if (en.getValue().leases == 0) {
                en.getValue().store.close();
                it.remove();
                evictions++;
                return true;
            }
        }
        return false;
    }

    private synchronized void release(Entry e) {
        e.leases--;
        notifyAll();
    }

    /** Renames a store; it must not be in use. */
    public synchronized void rename(String from, String to) {
        checkOpen();
        checkName(from);
        checkName(to);
        closeIdle(from);
        try {
            Files.move(dir(from), dir(to), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "store '" + to + "' already exists");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store '" + from + "' in " + root);
        } catch (AtomicMoveNotSupportedException e) {
            throw new QuiverException(ErrorKind.STORAGE, "the file system cannot rename " + from + " atomically", e);
        } catch (IOException e) {
            if (Files.exists(dir(to))) {
                throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "store '" + to + "' already exists");
            }
            throw new QuiverException(ErrorKind.STORAGE, "cannot rename store '" + from + "': " + e.getMessage(), e);
        }
    }

    /** Deletes a store and its files; it must not be in use. */
    public synchronized void delete(String name) {
        checkOpen();
        checkName(name);
        closeIdle(name);
        Path d = dir(name);
        if (!Files.isDirectory(d)) {
            throw new QuiverException(ErrorKind.NOT_FOUND, "no store '" + name + "' in " + root);
        }
        // Move aside first: the name disappears atomically even if deleting the files is interrupted.
        Path trash = root.resolve(name + "." + System.nanoTime() + TRASH_SUFFIX);
        try {
            Files.move(d, trash, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trash);
        } catch (IOException e) {
            throw new QuiverException(ErrorKind.STORAGE, "cannot delete store '" + name + "': " + e.getMessage(), e);
        }
    }

    private void closeIdle(String name) {
        Entry e = open.get(name);
        if (e != null) {
            if (e.leases > 0) {
                throw new QuiverException(ErrorKind.ALREADY_OPEN, "store '" + name + "' is in use (" + e.leases + " lease(s))");
            }
            e.store.close();
            open.remove(name);
        }
    }

    private void cleanTrash() {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(TRASH_SUFFIX)).toList()) {
                deleteTree(p);
            }
        } catch (IOException e) {
            // left for the next open
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Counters for monitoring: open now, opened and evicted since start. */
    public synchronized Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("open", (long) open.size());
        m.put("mapped_bytes", mappedBytes());
        m.put("budget_bytes", budget);
        m.put("max_open", (long) maxOpen);
        m.put("opens", opens);
        m.put("evictions", evictions);
        return m;
    }

    /** Names of the stores open now, least recently used first. */
    public synchronized List<String> openStores() {
        return new ArrayList<>(open.keySet());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("catalog " + root + " is closed");
        }
    }

    /** Closes every store; fails if some are still leased. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (var e : open.entrySet()) {
            if (e.getValue().leases > 0) {
                throw new IllegalStateException("store '" + e.getKey() + "' is still leased");
            }
        }
        for (Entry e : open.values()) {
            e.store.close();
        }
        open.clear();
        closed = true;
    }
}
