package io.quiver.index.hnsw;

import io.quiver.distance.Distance;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.IntLongMap;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.ReadTxn;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One build thread: inserts nodes and repairs links against the shared {@link BuildGraph}, reading
 * whatever the overlay does not hold from the last commit through its own read transaction, with
 * the same lazy address caches a reader uses. All scratch space is per worker, so the hot loop
 * allocates nothing.
 */
final class BuildWorker {
    private final BuildGraph g;
    private final ReadTxn txn;
    private final Distance distance;
    private final int index;
    private final int slotCount;
    /** {@link BuildGraph#slotVector}: set once the slots are frozen, before workers exist. */
    private final long[] slotVector;
    private final boolean keepPruned;
    /** Deleted nodes {@link #copiesOfDeleted} walks through, and copies it finds, at most per deleted neighbour. */
    private static final int CHAIN_WALK = 256;
    /**
     * Copies {@link #linkDroppedCopies} links in at most per call beyond those queued when it
     * starts (linking one may drop another). With 64 copies per deleted node and this at 256, a
     * third of 2,000 copies deleted (one thread) left 24 unreachable behind a deleted copy that
     * only other deleted copies named; at 256 and 4,096, none, nor in the other cases tried.
     */
    private static final int LINK_COPIES_LIMIT = 4096;
    private final int[] walkQueue = new int[CHAIN_WALK];
    private final int[] orphanCopies = new int[CHAIN_WALK];
    /**
     * Distances at or below which two items count as copies of one vector: 0 but for cosine,
     * where 1 - cos of a vector with itself rounds to ~6e-8 (a fuzzing helper's 14-d copies), and
     * the rule below never saw them as copies.
     */
    private final float copyDistance;
    /** Not null when distances are measured between int8 codes (see {@link BuildGraph#codes}). */
    private final ScalarQuantizer codes;
    private final int codeBytes;
    /** Vector addresses shared across builds (see {@link CommittedItemAddresses}); null when not used. */
    private final CommittedItemAddresses committed;
    /** Scratch for the inserted node in code units (codes only); the buffer field keeps the memory alive. */
    private final ByteBuffer queryBuffer;
    private final long queryUnits;
    /**
     * Ids whose snapshot vectors must not be remembered: this build's nodes (their items changed in
     * this transaction) and the ids it blocks (deleted, or left by an earlier build of it).
     */
    private final java.util.function.IntPredicate leafSkip;
    /** Where the touched bytes go, so that the JIT keeps the loads (see {@link #searchLevel}). */
    private long touchSink;

    // Committed nodes this worker met: id -> ordinal, with the item address per ordinal. The arrays
    // come from a WorkerScratch kept between builds and go back to it in release().
    private final IntLongMap ordinals = new IntLongMap(256);
    private final WorkerScratch scratch;
    /**
     * When ids are dense enough for the shared address cache, ids below this span are their own
     * ordinals and only ids above it (none, in practice) go through {@link #ordinals}; 0 otherwise.
     * An array from id to ordinal cost a third dependent cache miss on every neighbour met, before
     * the vector's own: at 500k items those arrays outgrow the core's cache, and a steady batch
     * spent most of its time waiting for memory.
     */
    private final int denseSpan;
    /** Ids whose {@link #itemAddress} entry this worker set below {@link #denseSpan}: cleared again by {@link #release}. */
    private int[] denseSet;
    private int denseSetCount;
    private long[] itemAddress;
    /**
     * Where this worker's snapshot holds the node's level-0 list, per ordinal (0: not looked up
     * yet, -1: none), for builds without the cross-build copies of {@link CommittedItemAddresses}
     * (builds on int8 codes, sparse ids); null otherwise. The snapshot does not change during the
     * build, so each list costs one B-tree lookup per worker instead of one per visit. Measured on
     * vectors, before the copies existed: a 50k batch 9-12% faster, a 500k one 1-2% (its lists
     * rarely repeat).
     */
    private long[] links0Address;
    /** Ordinals handed out through {@link #ordinals}; they follow {@link #denseSpan}. */
    private int ordinalCount;

    /** Visited marks by key (see {@link #key}). */
    private final VisitedSet visited;

    private final NodeHeap candidates = NodeHeap.min(256);
    private final NodeHeap beam = NodeHeap.max(256);
    private int[] list = new int[64];
    private long[] pendingAddress = new long[64];
    private float[] sortedDist = new float[256];
    private int[] sortedId = new int[256];
    private int[] chosen = new int[64];
    /**
     * The candidate {@link #select} kept at copy distance from the base (a copy of it), when
     * {@link #copySelected}. A flag, not a sentinel id: ids are unsigned, and every int is one
     * (with ids from 2^31 up, which are negative ints, "no copy" as -1 or "< 0" made the repair
     * link one copy twice; HnswDuplicatesTest.idsFromTwoToThe31Up).
     */
    private int selectedCopy;
    private boolean copySelected;
    /** The largest distance among the candidates the last {@link #select} kept; -1 when it kept none. */
    private float selectedFarthest;
    /**
     * Copies met through a copy in the current {@link #searchLevel}, vector by vector. Copies of
     * one vector are at the same distance from everything, so without a bound they filled the beam
     * of an insert that came near them (up to ef of them) and pushed out its true neighbours, which
     * lay farther: with 2,000 copies among 18,000 random 24-d items, such items got lists of copies
     * and few other links, and 259 could not find themselves at ef 200 (2 without the copies). A
     * few copies of each vector in the beam serve the heuristic, which keeps one; the rest are still
     * expanded, up to {@code ef} of each, as their lists lead out of the group. Copies of the node
     * being inserted are not bounded: it links to them, and they to it, as {@link #linkCopy} keeps
     * them reachable.
     */
    private final CopyGroups copyGroups = new CopyGroups();
    private static final int COPIES_IN_BEAM = 2;
    /**
     * Copies a prune dropped for another copy it kept, as (kept, dropped, level) triples, to be
     * linked in once no list is locked ({@link #linkDroppedCopies}).
     */
    private int[] droppedCopies = new int[48];
    private int droppedCopyCount;
    private long[] chosenAddress = new long[64];
    /** The neighbours {@link #insertFrom} chose for the new node, per level, and how many; see there. */
    private int[][] linkTargets = new int[1][];
    private int[] linkCounts = new int[1];
    /** Per level, the copy of the new node among its chosen neighbours, as an unsigned id, or -1 for none. */
    private long[] linkCopies = new long[1];
    private int[] reverseList = new int[64];

    // Result of the greedy descent.
    private int greedyId;
    private float greedyDist;

    /** A worker of the build {@code g} reading the last commit through {@code txn} (null: none), using {@code scratch}. */
    BuildWorker(BuildGraph g, ReadTxn txn, WorkerScratch scratch) {
        this.g = g;
        this.txn = txn;
        this.distance = g.distance;
        this.index = g.index;
        this.slotCount = g.slotCount;
        this.slotVector = java.util.Objects.requireNonNull(g.slotVector, "slots not frozen");
        this.keepPruned = g.distance.kind() == io.quiver.distance.DistanceKind.DOT;
        this.copyDistance = g.distance.kind() == io.quiver.distance.DistanceKind.COSINE ? 1e-6f : 0f;
        this.codes = g.codes;
        this.codeBytes = codes == null ? 0 : codes.codeBytes();
        this.committed = txn == null || codes != null ? null : g.committedAddresses;
        this.queryBuffer = ByteBuffer.allocateDirect(codes == null ? 8 : codes.queryBytes() + 64);
        this.queryUnits = NativeMemory.address(queryBuffer);
        this.leafSkip = id -> g.slot(id) >= 0 || g.blocked.contains(id);
        this.denseSpan = committed == null ? 0 : committed.idSpan();
        this.scratch = scratch;
        long keys = (long) slotCount + denseSpan + 256;
        // with room to grow, as the span grows with every batch of inserts
        scratch.visited.ensure((int) Math.min(Integer.MAX_VALUE - 64, keys + keys / 8));
        if (scratch.itemAddress.length < denseSpan + 256) {
            // all zeros: release() clears what it set
            scratch.itemAddress = new long[denseSpan + denseSpan / 8 + 256];
        }
        this.visited = scratch.visited;
        this.itemAddress = scratch.itemAddress;
        this.denseSet = scratch.denseSet;
        if (txn != null && committed == null) {
            if (scratch.links0Address == null) {
                scratch.links0Address = new long[256]; // grown in key() with the ordinals met
            }
            this.links0Address = scratch.links0Address;
        }
    }

    /**
     * Hands the scratch back for the next build, its id → ordinal array cleared of what this
     * worker set (in proportion to the ids it met, not to the index). The worker is not used after.
     */
    WorkerScratch release() {
        visited.clear();
        for (int i = 0; i < denseSetCount; i++) {
            itemAddress[denseSet[i]] = 0;
        }
        // The ordinals after the span too: a later build with a wider span reads these places by id
        // (a review helper's case: a build on int8 codes, ordinals from 0, then one that widens
        // the code range and runs on vectors). So every build starts from an all-zero array.
        Arrays.fill(itemAddress, denseSpan, denseSpan + ordinalCount, 0L);
        scratch.denseSet = denseSet;
        scratch.itemAddress = itemAddress;
        if (links0Address != null) {
            scratch.links0Address = links0Address;
        }
        return scratch;
    }

    /** Visited mark and address slot of a node: slots first, then committed ids below {@link #denseSpan}, then the other ordinals. */
    private int key(int id) {
        int s = g.slot(id);
        if (s >= 0) {
            return s;
        }
        if (id >= 0 && id < denseSpan) {
            return slotCount + id;
        }
        int o = (int) ordinals.get(id, -1);
        if (o < 0) {
            o = denseSpan + ordinalCount;
            if (o >= itemAddress.length) {
                itemAddress = Arrays.copyOf(itemAddress, o * 2);
            }
            ordinalCount++;
            if (links0Address != null) {
                if (o >= links0Address.length) {
                    links0Address = Arrays.copyOf(links0Address, Math.max(o + 1, 2 * links0Address.length));
                }
                links0Address[o] = 0;
            }
            ordinals.put(id, o);
            visited.ensure((slotCount + o + 1) * 2);
        }
        return slotCount + o;
    }

    /** From the node being inserted (see {@link #insertFrom}) to an address from {@link #address}. */
    private float distQ(long q, long a) {
        return codes != null ? codes.distance(q, a) : distance.distance(q, a);
    }

    /** The build's distance between two addresses from {@link #address}: codes or vectors. */
    private float dist(long a, long b) {
        return codes != null ? codes.codeDistance(a, b) : distance.distance(a, b);
    }

    /** Item (or code) address of a resolved key, or -1 when the item is gone. */
    private long address(int key, int id) {
        if (key < slotCount) {
            return slotVector[key];
        }
        int o = key - slotCount;
        if (o < denseSpan) {
            // The shared addresses first: a worker meets most committed nodes once per build, so
            // its own copy below would only add a miss before this one.
            long c = committed.get(id);
            if (c != 0) {
                return c;
            }
        }
        long a = itemAddress[o];
        if (a == 0) {
            if (committed != null) {
                // below the span the shared address was read above, and was not there
                a = o < denseSpan ? 0 : committed.get(id);
                if (a == 0) {
                    a = committed.lookUpLeaf(txn, index, id, leafSkip);
                }
            } else {
                a = snapshotAddress(id);
            }
            if (o < denseSpan) {
                // listed before it is set: release() must find every address a later build could read
                if (denseSetCount == denseSet.length) {
                    denseSet = Arrays.copyOf(denseSet, denseSetCount * 2);
                }
                denseSet[denseSetCount++] = o;
            }
            itemAddress[o] = a;
        }
        return a;
    }

    /**
     * The address of {@code id}'s item (or code). Only slot nodes carry copies of their own (nodes
     * loaded for update have none), and {@link #key} finds slots first, so the overlay map is not
     * asked: it boxed the id on every call (~4 MiB per steady batch of 1,000 into 500k items).
     */
    long address(int id) {
        return address(key(id), id);
    }

    /** Copies the neighbours of {@code id} at {@code level} into {@link #list}; returns the count. */
    private int links(int id, int level) {
        GraphNode n = g.node(id);
        if (n != null) {
            int cap = n.capacity(level);
            if (list.length < cap) {
                list = new int[cap];
            }
            return n.copyLinks(level, list);
        }
        if (txn == null) {
            return 0;
        }
        if (level == 0 && committed != null) {
            int[] kept = committed.links0(id);
            if (kept == null) {
                kept = Links.read(txn, index, id, 0);
                if (kept == null) {
                    return 0;
                }
                committed.offerLinks0(id, kept);
            }
            return copyUnblocked(kept);
        }
        long a;
        int count;
        if (level == 0) {
            int o = key(id) - slotCount;
            long packed = links0Address[o];
            if (packed == 0) {
                ByteBuffer v = txn.get(index, KeyKind.LINKS, id, 0);
                // An LMDB address fits in 48 bits; the count (m0 is at most 4,096) goes above them.
                packed = v == null ? -1 : NativeMemory.address(v) | ((long) (v.remaining() >>> 2) << 48);
                links0Address[o] = packed;
            }
            if (packed < 0) {
                return 0;
            }
            a = packed & ((1L << 48) - 1);
            count = (int) (packed >>> 48);
        } else {
            ByteBuffer v = txn.get(index, KeyKind.LINKS, id, level);
            if (v == null) {
                return 0;
            }
            count = v.remaining() >>> 2;
            a = NativeMemory.address(v);
        }
        if (list.length < count) {
            list = new int[count];
        }
        boolean filter = !g.blocked.isEmpty();
        int k = 0;
        for (int i = 0; i < count; i++) {
            int x = NativeMemory.getInt(a + 4L * i);
            if (!filter || !g.blocked.contains(x)) {
                list[k++] = x;
            }
        }
        return k;
    }

    /** Copies {@code ids} into {@link #list} without the ids this build removes; returns the count. */
    private int copyUnblocked(int[] ids) {
        if (list.length < ids.length) {
            list = new int[ids.length];
        }
        if (g.blocked.isEmpty()) {
            System.arraycopy(ids, 0, list, 0, ids.length);
            return ids.length;
        }
        int k = 0;
        for (int x : ids) {
            if (!g.blocked.contains(x)) {
                list[k++] = x;
            }
        }
        return k;
    }

    private void greedy(long q, int cur, float curDist, int level, int self) {
        boolean changed = true;
        while (changed) {
            changed = false;
            int n = links(cur, level);
            for (int i = 0; i < n; i++) {
                int nb = list[i];
                if (nb == self) {
                    continue;
                }
                long a = address(key(nb), nb);
                if (a <= 0) {
                    continue;
                }
                float d = distQ(q, a);
                if (d < curDist) {
                    curDist = d;
                    cur = nb;
                    changed = true;
                }
            }
        }
        greedyId = cur;
        greedyDist = curDist;
    }

    /** Beam search of width {@code ef} at one level; leaves the result in {@link #beam}. */
    private void searchLevel(long q, int ep, float epDist, int ef, int level, int self) {
        visited.clear();
        candidates.clear();
        beam.clear();
        copyGroups.clear();
        visited.add(key(ep));
        candidates.push(epDist, ep);
        beam.push(epDist, ep);
        while (!candidates.isEmpty()) {
            float cd = candidates.topDistance();
            if (beam.size() >= ef && cd > beam.topDistance()) {
                break;
            }
            int c = candidates.topNode();
            candidates.pop();
            expand(q, c, cd, ef, level, self);
        }
    }

    /**
     * Measures the unvisited neighbours of candidate {@code c} and offers them to the beam. Its own
     * method, not the body of {@link #searchLevel}'s loop, for the JIT of a fresh process: loops
     * that run for a whole search made C2 compile {@code searchLevel} four times (on stack at each
     * of its three loops, then as a method), each time with this code inlined. As a method called
     * once per candidate it is compiled once, and {@code searchLevel}'s compilations call it
     * instead of copying it, because its bytecode (345 bytes) is above C2's limit for inlining a
     * hot callee ({@code FreqInlineSize}, 325; {@code -XX:+PrintInlining} says "hot method too big").
     */
    private void expand(long q, int c, float cd, int ef, int level, int self) {
        int n = links(c, level);
        long ca = -1;
        if (pendingAddress.length < n) {
            pendingAddress = new long[list.length];
        }
        // As in HnswReader: resolve the unvisited neighbours first and touch their bytes so
        // that their cache misses overlap, then measure.
        int pending = 0;
        long touched = 0;
        for (int i = 0; i < n; i++) {
            int nb = list[i];
            if (nb == self) {
                continue;
            }
            int k = key(nb);
            if (!visited.add(k)) {
                continue;
            }
            long a = address(k, nb);
            if (a <= 0) {
                continue;
            }
            if (codes != null) {
                for (int off = 0; off < codeBytes; off += 64) {
                    touched += NativeMemory.getByte(a + off);
                }
                touched += NativeMemory.getByte(a + codeBytes - 1);
            } else {
                touched += NativeMemory.getLong(a + Distance.PAYLOAD);
            }
            list[pending] = nb;
            pendingAddress[pending++] = a;
        }
        touchSink += touched;
        for (int i = 0; i < pending; i++) {
            int nb = list[i];
            long a = pendingAddress[i];
            float d = distQ(q, a);
            if (beam.size() < ef || d < beam.topDistance()) {
                int met = 0; // copies of c's vector met so far, this one included; 0 when nb is none
                if (d == cd && d > copyDistance) {
                    // as far as c, and not a copy of the base: perhaps a copy of c (see copyGroups;
                    // a build measures on codes only when they are exact, so a copy of the base is
                    // at distance 0 then too)
                    if (ca < 0) {
                        ca = address(key(c), c);
                    }
                    if (ca > 0 && dist(a, ca) <= copyDistance) {
                        met = copyGroups.join(c, nb);
                    }
                }
                if (met > ef) {
                    continue;
                }
                candidates.push(d, nb);
                if (met > COPIES_IN_BEAM) {
                    continue;
                }
                beam.push(d, nb);
                if (beam.size() > ef) {
                    beam.pop();
                }
            }
        }
    }

    private void ensureSorted(int n) {
        if (sortedDist.length < n) {
            sortedDist = new float[n * 2];
            sortedId = new int[n * 2];
        }
    }

    /**
     * The heuristic's rule ({@link #select}): whether a kept neighbour at distance {@code toKept}
     * from a candidate makes the candidate, at {@code toBase} from the base, redundant.
     */
    private boolean covers(float toKept, float toBase) {
        return g.alpha * toKept < toBase || toKept <= copyDistance && !keepPruned;
    }

    /**
     * The HNSW neighbour heuristic generalised by DiskANN's alpha: walk candidates closest first
     * and keep one unless an already kept neighbour is (alpha times) closer to it than the base is,
     * or is the same point (distance 0).
     *
     * <p>The second rule is for exact duplicates. A duplicate of the base is at distance 0 from it
     * and from every other duplicate, so the plain rule (strictly closer) keeps them all: a copy's
     * list filled with other copies and no way out, and a search that reached the copies stayed
     * among them. On 1,000 random 16-d items plus 100 zero vectors, recall@10 at ef 10 was
     * 0.43-0.56; with this rule it is 0.95-0.97, as without the copies (docs/BENCHMARKS.md,
     * sixteenth session; HnswDuplicatesTest). One kept copy stands for the others, as a kept
     * neighbour does for the candidates it covers.
     * Writes into {@link #chosen}; returns the count.
     */
    private int select(float[] dist, int[] ids, int n, int max) {
        if (chosen.length < max) {
            chosen = new int[max];
            chosenAddress = new long[max];
        }
        int count = 0;
        copySelected = false;
        selectedFarthest = -1;
        for (int i = 0; i < n && count < max; i++) {
            int c = ids[i];
            long ca = address(c);
            if (ca <= 0) {
                continue;
            }
            float dc = dist[i];
            boolean keep = true;
            for (int j = 0; j < count; j++) {
                if (covers(dist(ca, chosenAddress[j]), dc)) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                if (dc <= copyDistance && !copySelected && !keepPruned) {
                    selectedCopy = c;
                    copySelected = true;
                }
                chosen[count] = c;
                chosenAddress[count++] = ca;
                selectedFarthest = dc; // candidates come nearest first
            }
        }
        if (keepPruned && count < max) {
            // Inner product is no metric: the heuristic's "a kept neighbour covers it" reasoning
            // fails and leaves nodes with a handful of links, so top the list up with the rest.
            for (int i = 0; i < n && count < max; i++) {
                int c = ids[i];
                if (!IntList.contains(chosen, count, c) && address(c) > 0) {
                    chosen[count++] = c;
                    selectedFarthest = Math.max(selectedFarthest, dist[i]);
                }
            }
        }
        return count;
    }

    /** Inserts a node of this build into the graph (its links and the reverse links). */
    void insert(GraphNode q) {
        long e = g.entryWord();
        if ((int) (e >>> 32) < q.level) {
            // A new top level: serialise with other such inserts (rare) so the entry stays consistent.
            synchronized (g.entryLock) {
                e = g.entryWord();
                insertFrom(q, e);
                if (q.level > g.maxLevel()) {
                    g.setEntry(q.id, q.level);
                }
            }
        } else {
            insertFrom(q, e);
        }
    }

    private void insertFrom(GraphNode q, long e) {
        long qa = q.vector;
        if (codes != null) {
            // The search for its neighbours measures the exact vector against their codes (one
            // side rounded, not two); the neighbour heuristic then compares codes with codes.
            codes.encodeQueryFromItem(q.item, queryUnits);
            qa = queryUnits;
        }
        int ep = (int) e;
        int top = (int) (e >>> 32);
        float epDist = distQ(qa, address(ep));
        for (int l = top; l > q.level; l--) {
            greedy(qa, ep, epDist, l, q.id);
            ep = greedyId;
            epDist = greedyDist;
        }
        // Every level's neighbours are chosen first, top down, and linked after, bottom up: once
        // q is named on a level, another worker may descend through it to the levels below, and
        // q must have its lists there by then. Linked top down, a worker that came down to q on
        // level 0 before q's own search there had ended found no links: its beam held q alone,
        // and it took q as its only neighbour. A search on one level reads no other level's
        // lists, so with one thread the graph is the same in either order.
        int lowest = Math.min(q.level, top);
        if (linkTargets.length <= lowest) {
            linkTargets = Arrays.copyOf(linkTargets, lowest + 1);
            linkCounts = new int[lowest + 1];
            linkCopies = new long[lowest + 1];
        }
        for (int l = lowest; l >= 0; l--) {
            searchLevel(qa, ep, epDist, g.efConstruction, l, q.id);
            int n = beam.size();
            ensureSorted(n);
            beam.drainAscending(sortedDist, sortedId);
            int count = select(sortedDist, sortedId, n, g.m);
            linkCopies[l] = copySelected ? Integer.toUnsignedLong(selectedCopy) : -1L;
            linkCounts[l] = count;
            if (linkTargets[l] == null || linkTargets[l].length < count) {
                linkTargets[l] = new int[Math.max(count, 64)];
            }
            System.arraycopy(chosen, 0, linkTargets[l], 0, count);
            if (n > 0) {
                ep = sortedId[0];
                epDist = sortedDist[0];
            }
        }
        // (setOwnLinks and addReverse reuse the search's scratch, hence the choices were copied above)
        for (int l = 0; l <= lowest; l++) {
            int[] targets = linkTargets[l];
            int count = linkCounts[l];
            setOwnLinks(q, l, targets, count);
            for (int j = 0; j < count; j++) {
                if (Integer.toUnsignedLong(targets[j]) == linkCopies[l]) {
                    addReverseToCopy(targets[j], q, l);
                } else {
                    addReverse(targets[j], q.id, l);
                }
            }
        }
    }

    /**
     * Gives the new node {@code q} its list at {@code level}, keeping any link another worker
     * appended to it first; q's choices then join that list as reverse links do, pruned by the
     * heuristic when it is full. When q was linked in top down, a worker could reach q from the
     * level above, choose it as a neighbour here and append itself to q's list before q's own
     * search here ended; overwriting the list lost that link (3–5 per 2-thread build of 3,000
     * items, while one thread lost none). Linked bottom up ({@link #insertFrom}), q is named on a
     * level only after this ran there, so the list should then be empty and set at once; the
     * merge stays as the safe way should another path to q appear.
     */
    private void setOwnLinks(GraphNode q, int level, int[] ids, int count) {
        if (q.setLinksIfEmpty(level, ids, count)) {
            return;
        }
        for (int j = 0; j < count; j++) {
            addLink(q, level, ids[j]);
        }
        linkDroppedCopies();
    }

    private void addReverse(int target, int id, int level) {
        GraphNode node = g.nodeForUpdate(target, txn);
        if (level > node.level) {
            return;
        }
        addLink(node, level, id);
        linkDroppedCopies();
    }

    /**
     * The reverse link from {@code target} to the new node {@code q}, a copy of it (the one copy
     * q's list keeps). A full list keeps one copy of its own vector, so pruning q in dropped q or
     * the copy already there, and with many copies of one vector most of them ended named by no
     * list: islands the write phase linked in one by one, or not at all (10,000 copies of a 32-d
     * vector took 194 s and left 1,775 unreachable; 10,000 added in 10 batches to 1,000 items left
     * 9,966). Appended while target's list has room; once it is full, q takes the place of
     * target's copy {@code c} and links to c in place of target, so that c stays named, by q.
     */
    private void addReverseToCopy(int target, GraphNode q, int level) {
        linkCopy(target, q, level);
        linkDroppedCopies();
    }

    /**
     * Links {@code target} to its copy {@code q} (see {@link #addReverseToCopy}). The two lists are
     * changed one after the other, never under both locks, so workers cannot deadlock; a search in
     * between may miss the copy passed on, as it may any link another worker is writing.
     */
    private void linkCopy(int target, GraphNode q, int level) {
        GraphNode node = g.nodeForUpdate(target, txn);
        if (level > node.level || level > q.level) {
            return;
        }
        int passed = 0;
        boolean found = false;
        if (node.tryAppend(level, q.id, g.cap(level))) {
            return;
        }
        synchronized (node) {
            if (node.tryAppend(level, q.id, g.cap(level))) {
                return;
            }
            int need = node.capacity(level);
            if (reverseList.length < need) {
                reverseList = new int[need * 2];
            }
            int n = node.copyLinks(level, reverseList);
            long base = address(node.id);
            // (q is not in the list: tryAppend, under the same lock, would have found it)
            for (int i = 0; i < n && !found; i++) {
                int x = reverseList[i];
                if (g.blocked.contains(x)) {
                    continue; // deleted in this transaction: q must not inherit the link
                }
                long a = address(x);
                if (a > 0 && dist(base, a) <= copyDistance) {
                    passed = x;
                    found = true;
                }
            }
            if (!found) {
                addLink(node, level, q.id); // target's list names no copy of it: pruned in as any link
                return;
            }
            node.replace(level, passed, q.id);
        }
        if (!q.replace(level, target, passed)) {
            addLink(q, level, passed);
        }
    }

    /** Adds {@code id} to {@code node}'s list at {@code level}: appended while there is room, else pruned in with the rest. */
    private void addLink(GraphNode node, int level, int id) {
        int cap = g.cap(level);
        if (node.tryAppend(level, id, cap)) {
            return;
        }
        synchronized (node) {
            if (node.tryAppend(level, id, cap)) {
                return;
            }
            int need = node.capacity(level) + 1;
            if (reverseList.length < need) {
                reverseList = new int[need * 2];
            }
            int n = node.copyLinks(level, reverseList);
            reverseList[n++] = id;
            prune(node, level, reverseList, n, cap);
        }
    }

    /** Sets {@code node}'s list at {@code level} to the best {@code cap} of {@code ids} by the heuristic. */
    private void prune(GraphNode node, int level, int[] ids, int n, int cap) {
        long base = address(node.id);
        candidates.clear();
        for (int i = 0; i < n; i++) {
            long a = address(ids[i]);
            if (a > 0) {
                candidates.push(dist(base, a), ids[i]);
            }
        }
        int c = candidates.size();
        ensureSorted(c);
        candidates.drainAscending(sortedDist, sortedId);
        int count = select(sortedDist, sortedId, c, cap);
        node.setLinks(level, chosen, count);
        noteFarDrops(node.id, level, c);
        int kept = selectedCopy;
        for (int i = 0; copySelected && i < c && sortedDist[i] <= copyDistance; i++) {
            if (sortedId[i] != kept) {
                // a copy of the node that this list no longer names, and perhaps no other list
                queueCopyLink(kept, sortedId[i], level);
            }
        }
    }

    /**
     * How much farther than every neighbour a prune keeps a candidate it drops must be to be a far
     * drop ({@link #farDrops}), in the distance's own units: squared for Euclidean (about 1.41x
     * the length), and of little meaning for inner products, which can be 0 or negative (no drop
     * is noted then: the farthest kept must lie above 0).
     */
    static final float FAR_DROP = 2f;

    /**
     * Candidates that prunes passed over at more than {@link #FAR_DROP} times the distance of the
     * farthest neighbour they kept, and the stand-ins of far links that repairs replaced
     * ({@link #noteFarRepair}), as (from, to, level) triples: in clustered data, the few links
     * from one cluster into another, which a prune drops as covered by the list's own cluster. The
     * write phase checks that a walk from the list still meets each
     * ({@link IslandRescue#linkDroppedTargets}). Most prunes drop neighbours about as far as those
     * they keep, and note none (10-90 per batch of 1,000 inserts into 50k or 500k clustered items).
     */
    final IntList farDrops = new IntList();

    /**
     * Notes the far drops of the prune just made: of its {@code c} candidates ({@link #sortedDist},
     * {@link #sortedId}, ascending), those beyond {@link #FAR_DROP} times the farthest one
     * {@link #select} kept, which lie beyond every kept one and so were all dropped.
     */
    private void noteFarDrops(int from, int level, int c) {
        // (kept at distance 0 only: copies, which the copy links keep together)
        for (int i = c - 1; selectedFarthest > 0 && i >= 0 && sortedDist[i] > FAR_DROP * selectedFarthest; i--) {
            farDrops.add(from);
            farDrops.add(sortedId[i]);
            farDrops.add(level);
        }
    }

    /**
     * Notes a far drop for a repair ({@link #repair}) that replaced a far link: when a deleted
     * neighbour lay more than {@link #FAR_DROP} times as far as the nearest candidate, the
     * candidate nearest to that deleted node, unless the repair took it (one per repair). A
     * cluster whose links out all went to one node of another cluster lost its way there when that
     * node was deleted: the repairs took the deleted node's neighbours on their own side
     * (4,624 nodes unreached, m 4, three tight clusters, a fifth deleted; TightClustersTest).
     */
    private void noteFarRepair(int from, int level, long base, int[] deletedNeighbours, int c, boolean[] used) {
        if (c == 0 || sortedDist[0] <= 0) {
            return;
        }
        float far = FAR_DROP * sortedDist[0];
        for (int r : deletedNeighbours) {
            long ar = removedAddress(r); // the deleted node, as the snapshot still holds it
            if (ar > 0 && dist(base, ar) > far) {
                // its stand-in: the candidate nearest to it
                int best = -1;
                float bestDist = Float.POSITIVE_INFINITY;
                for (int i = 0; i < c; i++) {
                    long a = address(sortedId[i]);
                    float d = a > 0 ? dist(ar, a) : Float.POSITIVE_INFINITY;
                    if (d < bestDist) {
                        best = i;
                        bestDist = d;
                    }
                }
                if (best >= 0 && !used[best]) {
                    farDrops.add(from);
                    farDrops.add(sortedId[best]);
                    farDrops.add(level);
                }
                return;
            }
        }
    }

    /** Queues the link {@code from -> copy} on {@code level} for {@link #linkDroppedCopies}. */
    private void queueCopyLink(int from, int copy, int level) {
        if (droppedCopyCount + 3 > droppedCopies.length) {
            droppedCopies = Arrays.copyOf(droppedCopies, droppedCopies.length * 2);
        }
        droppedCopies[droppedCopyCount++] = from;
        droppedCopies[droppedCopyCount++] = copy;
        droppedCopies[droppedCopyCount++] = level;
    }

    /**
     * Links in the copies that prunes dropped ({@link #droppedCopies}): each is linked from the copy
     * its list kept instead, as a new copy is ({@link #linkCopy}), since the list that dropped it
     * may have been the only one naming it among copies that name mostly each other. Called with no
     * list locked; linking may prune again, so the work is bounded (what is left is for the write
     * phase's island rescue).
     */
    private void linkDroppedCopies() {
        // all that is queued (a delete's repairs may queue thousands), and what that cascades into up to the limit
        int limit = droppedCopyCount / 3 + LINK_COPIES_LIMIT;
        for (int steps = 0; droppedCopyCount > 0 && steps < limit; steps++) {
            droppedCopyCount -= 3;
            int kept = droppedCopies[droppedCopyCount];
            int dropped = droppedCopies[droppedCopyCount + 1];
            int level = droppedCopies[droppedCopyCount + 2];
            if (!g.blocked.contains(dropped) && !g.blocked.contains(kept)) {
                linkCopy(kept, g.nodeForUpdate(dropped, txn), level);
            }
        }
        droppedCopyCount = 0;
    }

    /**
     * Reconnects {@code node}, which pointed to deleted nodes at {@code level}. Its surviving links
     * stay (they were chosen well, and re-pruning them would shrink the degree); each freed place
     * goes to a replacement drawn from the deleted nodes' own neighbours, by the heuristic first
     * and then by distance, so the node keeps as many links as it had.
     */
    void repair(GraphNode node, int level, int[] deletedNeighbours) {
        visited.clear();
        int need = node.capacity(level);
        if (list.length < need) {
            list = new int[need];
        }
        int n = node.copyLinks(level, list);
        int target = Math.min(g.cap(level), n);
        if (chosen.length < Math.max(n, target) + 1) {
            chosen = new int[Math.max(n, target) + 1];
            chosenAddress = new long[chosen.length];
        }
        long base = address(node.id);
        visited.add(key(node.id));
        int count = 0;
        for (int i = 0; i < n; i++) {
            int x = list[i];
            if (g.blocked.contains(x)) {
                continue;
            }
            int k = key(x);
            long a = address(k, x);
            if (a > 0 && visited.add(k)) {
                chosen[count] = x;
                chosenAddress[count++] = a;
            }
        }
        candidates.clear();
        for (int r : deletedNeighbours) {
            int[] rl = g.removedLinks.get(((long) r << 8) | level);
            if (rl == null) {
                continue;
            }
            for (int x : rl) {
                if (g.blocked.contains(x)) {
                    continue;
                }
                int k = key(x);
                if (visited.add(k)) {
                    long a = address(k, x);
                    if (a > 0) {
                        candidates.push(dist(base, a), x);
                    }
                }
            }
        }
        int c = candidates.size();
        ensureSorted(c);
        candidates.drainAscending(sortedDist, sortedId);
        boolean[] used = new boolean[c];
        for (int i = 0; i < c && count < target; i++) {
            long ca = address(sortedId[i]);
            boolean keep = true;
            for (int j = 0; j < count && keep; j++) {
                keep = !covers(dist(ca, chosenAddress[j]), sortedDist[i]);
            }
            if (keep) {
                used[i] = true;
                chosen[count] = sortedId[i];
                chosenAddress[count++] = ca;
            }
        }
        for (int i = 0; i < c && count < target; i++) {
            if (!used[i]) {
                used[i] = true;
                chosen[count++] = sortedId[i];
            }
        }
        noteFarRepair(node.id, level, base, deletedNeighbours, c, used);
        for (int r = 0; r < deletedNeighbours.length && !keepPruned && target > 0; r++) {
            int copies = copiesOfDeleted(deletedNeighbours[r], level, base, c);
            if (copies == 0) {
                continue;
            }
            // A deleted node's copies stand in for it: the node links to one of them (the heuristic
            // may have dropped them all for another copy it holds), and that one to the others,
            // which the deleted node may have been the only one to name (see copiesOfDeleted).
            int next = 0;
            boolean chosenOne = false;
            for (int i = 0; i < copies && !chosenOne; i++) {
                chosenOne = IntList.contains(chosen, count, orphanCopies[i]);
                next = orphanCopies[i];
            }
            if (!chosenOne) {
                next = orphanCopies[0];
                chosen[count < target ? count++ : count - 1] = next;
            }
            for (int i = 0; i < copies; i++) {
                if (!IntList.contains(chosen, count, orphanCopies[i])) {
                    queueCopyLink(next, orphanCopies[i], level);
                }
            }
        }
        // linked once every repair is done (linkCopiesLeftByRepairs): a list not repaired yet may
        // still name deleted nodes, which a prune while linking could keep
        node.setLinks(level, chosen, count);
    }

    /**
     * The item (or code) a node this build removes had in the last commit, which the worker's
     * snapshot still holds. {@link #address} would give a removed id that comes back with a new
     * vector (a changed item) its new one, from its slot: the deleted node's copies were then
     * measured against the wrong vector and not linked in (a helper's trace of a fuzzing mix: a
     * group of copies named only by such an id was cut off).
     */
    private long removedAddress(int id) {
        return g.slot(id) < 0 || txn == null ? address(id) : snapshotAddress(id);
    }

    /** The item (or code) of {@code id} in the worker's snapshot, or -1 when it has none (or there is no snapshot). */
    private long snapshotAddress(int id) {
        ByteBuffer v = txn == null ? null : txn.get(index, codes != null ? KeyKind.CODE : KeyKind.ITEM, id);
        return v == null ? -1 : NativeMemory.address(v);
    }

    /** Chains in the copies {@link #repair} found named only by deleted nodes (after all repairs, before inserts). */
    void linkCopiesLeftByRepairs() {
        linkDroppedCopies();
    }

    /**
     * The surviving copies of the deleted node {@code r} that it links to on {@code level},
     * directly or through other deleted copies of it (at most {@link #CHAIN_WALK}), into
     * {@link #orphanCopies}; returns their count. Copies of one vector are named mostly by other
     * copies, and a full list keeps one of them ({@link #addReverseToCopy}), so the deleted copy
     * may have been the only node naming them: deleting a third of 2,000 copies added in batches
     * left 673 of the others unreachable, half of 10,000 left 4,304 (before any of this). Its
     * direct links are among the repair's candidates ({@link #sortedId}, {@code c} of them, at
     * {@link #sortedDist} from {@code base}), where a copy of r lies at r's own distance, so only
     * those are measured against r.
     */
    private int copiesOfDeleted(int r, int level, long base, int c) {
        long ar = removedAddress(r);
        if (ar <= 0) {
            return 0;
        }
        float dr = dist(base, ar);
        float tolerance = copyDistance + 1e-6f * Math.max(1f, Math.abs(dr));
        int found = 0;
        for (int i = 0; i < c && found < CHAIN_WALK; i++) {
            if (Math.abs(sortedDist[i] - dr) <= tolerance) {
                long ax = address(sortedId[i]);
                if (ax > 0 && dist(ar, ax) <= copyDistance) {
                    orphanCopies[found++] = sortedId[i];
                }
            }
        }
        int[] queue = walkQueue;
        int head = 0;
        int tail = 0;
        queue[tail++] = r;
        while (head < tail && found < CHAIN_WALK) {
            int y = queue[head++];
            int[] yl = g.removedLinks.get(((long) y << 8) | level);
            if (yl == null) {
                continue;
            }
            for (int x : yl) {
                boolean deleted = g.blocked.contains(x);
                if (y == r && !deleted) {
                    continue; // r's own survivors were among the candidates above
                }
                boolean seen = IntList.contains(queue, tail, x) || IntList.contains(orphanCopies, found, x);
                long ax = seen ? 0 : deleted ? removedAddress(x) : address(x);
                if (ax <= 0 || ax == base || dist(ar, ax) > copyDistance) {
                    continue;
                }
                if (deleted) {
                    if (tail < CHAIN_WALK) {
                        queue[tail++] = x;
                    }
                } else if (found < CHAIN_WALK) {
                    orphanCopies[found++] = x;
                }
            }
        }
        return found;
    }
}
