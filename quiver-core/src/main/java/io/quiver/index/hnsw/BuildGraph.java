package io.quiver.index.hnsw;

import io.quiver.distance.Distance;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.IntLongMap;
import io.quiver.storage.ReadTxn;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.roaringbitmap.RoaringBitmap;

/**
 * What the workers of one build share: the graph parameters, the heap overlay of nodes this build
 * reads from the write transaction or changes (everything else is read from the last commit
 * through each worker's own read transaction), and the entry point.
 *
 * <p>Nodes known before the parallel phase (new items, nodes a previous build of the same write
 * transaction changed, nodes that pointed to deleted ones) get dense slots through a map that is
 * read-only while workers run, so it needs no lock. Committed nodes that receive a link while
 * inserting are loaded on demand into a concurrent map.
 */
final class BuildGraph {
    final int index;
    final Distance distance;
    /** Not null when the build measures on int8 codes (copies and committed CODE values) instead of vectors. */
    final ScalarQuantizer codes;
    final int m;
    final int m0;
    final int efConstruction;
    final float alpha;
    final long seed;
    private final double levelMultiplier;

    /** id to slot, for the nodes known before the parallel phase; frozen before workers start. */
    final IntLongMap slotOf = new IntLongMap(1024);
    GraphNode[] slots = new GraphNode[1024];
    int slotCount;
    // The span of the slots' ids (unsigned). An incremental build asks slot() for every neighbour
    // it meets, nearly all of them old nodes outside the new ids' span; the bounds answer those
    // without a probe of the map.
    private long minSlotId = Long.MAX_VALUE;
    private long maxSlotId = -1;
    /**
     * Set by {@link #freezeSlots} when the slots' ids are dense: the slot of id
     * {@code minSlotId + i} (or -1), and each slot's vector address. A build from scratch asks
     * {@link #slot} for every neighbour it meets, and the map's probes (a 2 MiB table at 60k
     * items, hit at random) were ~6% of a Fashion-MNIST cosine build's samples; the address array
     * spares a load from each neighbour's node object, scattered over the heap.
     */
    private int[] slotById;
    /** Set by {@link #freezeSlots} when slot {@code s} holds id {@code minSlotId + s} for every s (a build from scratch of ids 0..n-1, a batch of consecutive new ids). */
    private boolean slotsInIdOrder;
    long[] slotVector;

    /** Committed nodes changed during the parallel phase. */
    final ConcurrentHashMap<Integer, GraphNode> loaded = new ConcurrentHashMap<>();
    /**
     * The same nodes by id, for ids below its length (empty unless {@link #indexLoadedById} was
     * called). {@link #node} runs for every candidate a worker expands, and once a batch has loaded
     * its first node, each of those calls boxed the id and probed {@link #loaded} (~4% of a
     * 500k batch's samples): an array read is one load.
     */
    private AtomicReferenceArray<GraphNode> loadedById = new AtomicReferenceArray<>(0);
    /** Ids a committed list may still name but which no longer exist (deleted in this transaction). */
    final RoaringBitmap blocked;
    /** Old outgoing lists of deleted nodes, keyed {@code id << 8 | level}, for the repair. */
    final Map<Long, int[]> removedLinks = new HashMap<>();

    /**
     * Vector addresses remembered from earlier builds of this process, shared by the workers; null
     * when the build measures on codes, builds from scratch, or the ids are too sparse to cache.
     * Set before the workers start.
     */
    CommittedItemAddresses committedAddresses;

    final Object entryLock = new Object();
    private volatile long entry = -1; // (level << 32 | id), -1 when the graph is empty

    BuildGraph(int index, Distance distance, ScalarQuantizer codes, int m, int m0, int efConstruction, float alpha, long seed, RoaringBitmap blocked) {
        this.index = index;
        this.distance = distance;
        this.codes = codes;
        this.m = m;
        this.m0 = m0;
        this.efConstruction = efConstruction;
        this.alpha = alpha;
        this.seed = seed;
        this.blocked = blocked;
        this.levelMultiplier = 1.0 / Math.log(m);
    }

    int cap(int level) {
        return level == 0 ? m0 : m;
    }

    /** The level of a new node: a deterministic draw from the id, so threads do not change it. */
    int randomLevel(int id) {
        long z = seed ^ (Integer.toUnsignedLong(id) * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = ((z >>> 11) + 1) * 0x1.0p-53; // (0, 1]
        int level = (int) (-Math.log(u) * levelMultiplier);
        return Math.min(level, Links.MAX_LEVEL);
    }

    /** Registers a node before the parallel phase (single-threaded). */
    void addSlot(GraphNode node) {
        if (slotCount == slots.length) {
            slots = java.util.Arrays.copyOf(slots, slotCount * 2);
        }
        slotById = null; // a new slot after freezeSlots: back to the map until the next freeze
        slotsInIdOrder = false;
        slotVector = null;
        slotOf.put(node.id, slotCount);
        slots[slotCount++] = node;
        long u = Integer.toUnsignedLong(node.id);
        minSlotId = Math.min(minSlotId, u);
        maxSlotId = Math.max(maxSlotId, u);
    }

    int slot(int id) {
        long u = Integer.toUnsignedLong(id);
        if (u < minSlotId || u > maxSlotId) {
            return -1;
        }
        if (slotsInIdOrder) {
            return (int) (u - minSlotId);
        }
        int[] byId = slotById;
        if (byId != null) {
            return byId[(int) (u - minSlotId)];
        }
        return (int) slotOf.get(id, -1);
    }

    /**
     * Indexes the slots for the parallel phase (call after the last {@link #addSlot}): by id in an
     * array when their ids span at most four times their number, and their vector addresses.
     */
    void freezeSlots() {
        long span = maxSlotId - minSlotId + 1;
        boolean inOrder = slotCount > 0 && span == slotCount;
        for (int s = 0; s < slotCount && inOrder; s++) {
            inOrder = Integer.toUnsignedLong(slots[s].id) - minSlotId == s;
        }
        slotsInIdOrder = inOrder;
        if (!inOrder && slotCount > 0 && span <= 4L * slotCount + 1024 && span <= Integer.MAX_VALUE - 8) {
            int[] byId = new int[(int) span];
            java.util.Arrays.fill(byId, -1);
            for (int s = 0; s < slotCount; s++) {
                byId[(int) (Integer.toUnsignedLong(slots[s].id) - minSlotId)] = s;
            }
            slotById = byId;
        }
        long[] vectors = new long[slotCount];
        for (int s = 0; s < slotCount; s++) {
            vectors[s] = slots[s].vector;
        }
        slotVector = vectors;
    }

    /** How {@link #slot} finds slots now: "order", "array" or "map" (for tests). */
    String slotLookup() {
        return slotsInIdOrder ? "order" : slotById != null ? "array" : "map";
    }

    /** The overlay node of {@code id}, or null when only the committed graph has it. */
    GraphNode node(int id) {
        int s = slot(id);
        if (s >= 0) {
            return slots[s];
        }
        AtomicReferenceArray<GraphNode> byId = loadedById;
        if (id >= 0 && id < byId.length()) {
            return byId.getAcquire(id);
        }
        return loaded.isEmpty() ? null : loaded.get(id);
    }

    /** Indexes the nodes loaded during the parallel phase by id below {@code span}; call before workers start. */
    void indexLoadedById(int span) {
        loadedById = new AtomicReferenceArray<>(span);
    }

    /** The overlay node of {@code id}, loading it from the worker's snapshot when needed. */
    GraphNode nodeForUpdate(int id, ReadTxn txn) {
        GraphNode n = node(id);
        if (n != null) {
            return n;
        }
        n = loaded.computeIfAbsent(id, k -> {
            int[][] lists = Links.readAllLevels(txn, index, k);
            if (lists == null) {
                lists = new int[][] {Links.EMPTY};
            }
            return new GraphNode(k, lists.length - 1, 0L, 0L, m, m0, lists);
        });
        AtomicReferenceArray<GraphNode> byId = loadedById;
        if (id >= 0 && id < byId.length()) {
            // Every caller stores the same node (the map's): racing calls agree.
            byId.setRelease(id, n);
        }
        return n;
    }

    boolean hasEntry() {
        return entry >= 0;
    }

    int entryId() {
        return (int) entry;
    }

    int maxLevel() {
        long e = entry;
        return e < 0 ? -1 : (int) (e >>> 32);
    }

    long entryWord() {
        return entry;
    }

    void setEntry(int id, int level) {
        entry = ((long) level << 32) | Integer.toUnsignedLong(id);
    }

    void clearEntry() {
        entry = -1;
    }
}
