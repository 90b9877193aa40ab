package io.quiver.index.hnsw;

import io.quiver.index.AddressCache;
import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.storage.WriteTxn;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntPredicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * Where the committed vectors of one index sit in LMDB's map, remembered by a process from one
 * incremental build to the next. Each build otherwise looks up every committed node it meets in
 * the B-tree once per worker: at 500k items nearly every node an insert visits is new to the
 * batch, and those lookups grow with the index while the rest of an insert does not.
 *
 * <p>Only vectors in overflow pages are kept ({@link Store#isOverflowValue}: 2 KiB and more, for
 * example 768 floats): such a page stays put until its own key changes, and every change to a key
 * of an index passes through the index's list of changed items, which the next build reads. So
 * the cache is right for a build when
 * <ul>
 *   <li>the last commit before the build's transaction is the one that ended the build that last
 *       used the cache (or the cache's build ran earlier in the same transaction): no other write,
 *       from this process or another, came in between;</li>
 *   <li>the map has not been resized since (a resize, also one adopted from another process,
 *       remaps the file);</li>
 *   <li>the ids this build inserts or deletes are forgotten before its workers start, and again
 *       after they end (a worker may have read such an id from its snapshot meanwhile).</li>
 * </ul>
 * Anything else empties it. Thread-safe for the workers of one build; builds are serialised by
 * LMDB's single writer.
 *
 * <pre>{@code
 * CommittedItemAddresses cache = CommittedItemAddresses.of(store, index).open(txn, changed, largestId, count);
 * long a = cache == null ? 0 : cache.get(id);  // 0: look it up in the snapshot, then offer(id, address)
 * }</pre>
 */
final class CommittedItemAddresses {
    /** Largest id span covered: 4M ids, 32 MiB of heap at most. */
    static final int MAX_IDS = 1 << 22;
    private static final AtomicLongArray EMPTY = new AtomicLongArray(0);

    private static final AtomicReferenceArray<int[]> NO_LISTS = new AtomicReferenceArray<>(0);

    private final Store store;
    private AtomicLongArray addresses = EMPTY;
    /**
     * Level-0 lists of committed nodes, copied: the other half of what an insert reads from LMDB
     * (at 500k items the workers spent a fifth of their time in B-tree lookups of lists, and one
     * build met each list about once). Unlike vectors, lists sit inside leaf pages that move when
     * a neighbour's list changes, so their bytes are kept instead of their addresses; what a build
     * rewrites is forgotten when it ends.
     */
    private AtomicReferenceArray<int[]> lists = NO_LISTS;
    /**
     * Heap the kept lists take (array header and ids), against {@link #maxListBytes}: one eighth of
     * the heap, whatever m0 is (a list of 32 ids costs 144 bytes).
     */
    private final java.util.concurrent.atomic.AtomicLong listBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long maxListBytes = Runtime.getRuntime().maxMemory() / 8;
    /** The commit that ended the last build using the cache; -1 when unknown. */
    private long confirmedTxn = -1;
    /** The transaction of a build that has not committed yet; -1 when none. */
    private long openTxn = -1;
    private int mapGeneration = -1;
    private int span;

    private CommittedItemAddresses(Store store) {
        this.store = store;
    }

    /** The cache of {@code index} in {@code store}, created empty on first use. */
    static CommittedItemAddresses of(Store store, int index) {
        return store.attachment("hnsw-item-addresses/" + index, CommittedItemAddresses.class, () -> new CommittedItemAddresses(store));
    }

    /**
     * Readies the cache for an incremental build in {@code txn} that changes the ids in
     * {@code changed}, over ids up to {@code largestId} ({@code count} of them). Returns null when
     * those ids are too many or too sparse to cache in an array (the build then looks up as before).
     */
    synchronized CommittedItemAddresses open(WriteTxn txn, RoaringBitmap changed, long largestId, long count) {
        long id = txn.id();
        boolean continues = confirmedTxn == id - 1 || openTxn == id;
        if (!continues || mapGeneration != store.mapGeneration()) {
            addresses = EMPTY;
            dropLists();
        }
        confirmedTxn = -1;
        openTxn = id;
        mapGeneration = store.mapGeneration();
        long span = largestId + 1;
        if (largestId < 0 || span > MAX_IDS || !AddressCache.denseEnough(span, count)) {
            addresses = EMPTY;
            dropLists();
            this.span = 0;
            return null;
        }
        this.span = (int) span;
        if (addresses.length() < span) {
            int size = (int) Math.min(MAX_IDS, Math.max(span, 2L * addresses.length()));
            AtomicLongArray bigger = new AtomicLongArray(size);
            for (int i = 0; i < addresses.length(); i++) {
                bigger.setPlain(i, addresses.getPlain(i));
            }
            addresses = bigger;
            AtomicReferenceArray<int[]> more = new AtomicReferenceArray<>(size);
            for (int i = 0; i < lists.length(); i++) {
                more.setPlain(i, lists.getPlain(i));
            }
            lists = more;
        }
        forget(changed);
        txn.afterCommit(() -> confirm(id));
        return this;
    }

    /** Forgets every id of {@code ids}: their values changed in this transaction. */
    synchronized void forget(RoaringBitmap ids) {
        AtomicLongArray a = addresses;
        for (int id : ids) {
            if (id >= 0 && id < a.length()) {
                a.setOpaque(id, 0L);
            }
        }
        forgetLists(ids);
    }

    /** Forgets the level-0 lists of {@code ids}: this transaction rewrote them. */
    synchronized void forgetLists(RoaringBitmap ids) {
        AtomicReferenceArray<int[]> l = lists;
        for (int id : ids) {
            int[] gone = id >= 0 && id < l.length() ? l.getAndSet(id, null) : null;
            if (gone != null) {
                listBytes.addAndGet(-bytes(gone));
            }
        }
    }

    /** Empties the cache (a build from scratch may have replaced any value). */
    synchronized void clear() {
        addresses = EMPTY;
        dropLists();
        confirmedTxn = -1;
        openTxn = -1;
    }

    private void dropLists() {
        lists = NO_LISTS;
        listBytes.set(0);
    }

    private synchronized void confirm(long txnId) {
        if (openTxn == txnId) {
            confirmedTxn = txnId;
            openTxn = -1;
        }
    }

    /** One more than the largest id of the build that last opened the cache. */
    int idSpan() {
        return span;
    }

    /** The remembered address of {@code id}'s vector, or 0. */
    long get(int id) {
        AtomicLongArray a = addresses;
        return id >= 0 && id < a.length() ? a.getOpaque(id) : 0L;
    }

    /** The remembered level-0 list of {@code id} (not to be changed), or null. */
    int[] links0(int id) {
        AtomicReferenceArray<int[]> l = lists;
        return id >= 0 && id < l.length() ? l.getAcquire(id) : null;
    }

    /** Remembers {@code id}'s level-0 list, copied from a snapshot of the last commit, while the heap allows. */
    void offerLinks0(int id, int[] list) {
        AtomicReferenceArray<int[]> l = lists;
        if (id >= 0 && id < l.length() && listBytes.get() < maxListBytes && l.compareAndExchangeRelease(id, null, list) == null) {
            listBytes.addAndGet(bytes(list));
        }
    }

    private static long bytes(int[] list) {
        return 16 + 4L * list.length;
    }

    /**
     * Looks {@code id}'s vector up in {@code snapshot} and remembers its address, together with
     * those of the other vectors on its B-tree leaf ({@link ReadTxn#getWithLeafNeighbours}) that
     * are not known yet and that {@code skip} does not name (ids this transaction changed, whose
     * snapshot values are stale). Returns the address, or -1 when the snapshot has no such item.
     *
     * <p>Why the whole leaf: in a process's first batch into a large index nearly every node an
     * insert meets is new to the cache (325k lookups at 500k items, at ~2.5 µs each, against 48k
     * at 50k), and most ids that share a leaf with it are met later in the same build.
     */
    long lookUpLeaf(ReadTxn snapshot, int index, int id, IntPredicate skip) {
        long a = snapshot.getWithLeafNeighbours(index, KeyKind.ITEM, id, (other, address) -> {
            if (get(other) == 0 && !skip.test(other)) {
                offer(other, address);
            }
        });
        if (a == 0) {
            return -1;
        }
        offer(id, a);
        return a;
    }

    /** Remembers {@code address}, read from a snapshot of the last commit, if it may be kept. */
    void offer(int id, long address) {
        AtomicLongArray a = addresses;
        if (id >= 0 && id < a.length() && store.isOverflowValue(address)) {
            a.setOpaque(id, address);
        }
    }
}
