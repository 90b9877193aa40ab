package io.quiver.index.hnsw;

import io.quiver.distance.Distance;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.IndexStats;
import io.quiver.index.IntLongMap;
import io.quiver.index.ItemCodes;
import io.quiver.index.ItemStore;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.SnapshotAddresses;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Searches a built HNSW index within one read snapshot: greedy descent through the upper levels,
 * then a beam of width {@code ef} on level 0.
 *
 * <pre>{@code
 * try (ReadTxn txn = store.read()) {
 *     HnswReader reader = HnswReader.open(txn, 0);
 *     SearchResult r = reader.search(query, SearchOptions.builder().k(10).ef(128).build());
 * }
 * }</pre>
 *
 * <p>LMDB values stay at a fixed address until their read transaction ends, so the reader
 * remembers, per node it met, where its vector and its level-0 list sit (filled lazily, never by
 * a scan): after warm-up a visited node costs a hash probe and array loads, not a B-tree lookup.
 * Nodes get dense ordinals on first sight, so the visited set is a generation array. Not
 * thread-safe: one reader per thread, each on its own read transaction.
 *
 * <p>When the index keeps int8 codes ({@link ScalarQuantizer}, the default for Euclidean and
 * cosine), the walk compares the query with codes, a quarter of the vectors' bytes packed four to a
 * page, and the final beam is re-ranked with the exact vectors: the walk is bound by memory
 * latency, and a code costs 13 cache lines where a vector costs 50 on its own page.
 *
 * <p>Filters: a small allowed set (at most {@code max(V, sqrt(V·N))} ids, where {@code V = ef·m0}
 * estimates the nodes an unfiltered search evaluates and {@code N} is the index size) is scanned
 * exactly: a graph search needs about {@code V/s} evaluations at selectivity {@code s} while the scan
 * needs {@code s·N}, and the scan wins below that point. Larger sets are searched through the
 * graph, walking through filtered-out nodes but only keeping allowed ones. An index of at most
 * {@code V/4} items is scanned whole, filtered or not: a walk evaluates far fewer than {@code V}
 * nodes (340-403 of 1,000-6,000 clustered items at ef 64, m0 32, where V = 2,048) on codes a
 * quarter of the vectors' bytes, so below a quarter of V the scan costs about what the walk does,
 * and it cannot miss (121 items in tight clusters at m 4: 113 found themselves through the graph).
 */
public final class HnswReader implements IndexReader {
    private final ReadTxn txn;
    private final int index;
    private final IndexMetadata metadata;
    private final HnswMetadata graph;
    private final Distance distance;
    private RoaringBitmap built;
    /** Completes searches with the zero vectors of a cosine index (see {@link io.quiver.index.ZeroVectors}). */
    private final io.quiver.index.ZeroVectors.ForReader zeroVectors;
    private long size = -1;
    private long bruteForceLimit = -1;
    private boolean scanSmallIndexes = true;

    // id -> ordinal + 1: direct pages when ids are dense (two array loads on the hot path), a hash
    // map for ids beyond them (sparse id spaces would waste whole pages on single ids).
    private static final int PAGE_BITS = 12;
    private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
    private final int[][] pages;
    /** Whether {@link #pages} serve (see {@link #switchToPages}); before, {@link #ordinalOf} holds every id. */
    private boolean paged;
    /** Ordinals after which the pages serve: a few searches' worth. */
    private static final int PAGED_AFTER = 16_384;
    private final IntLongMap ordinalOf = new IntLongMap(4096);
    private int[] idOf = new int[4096];
    private long[] itemAddress = new long[4096];
    private long[] codeAddress = new long[4096];
    private long[] linkAddress = new long[4096];
    private int[] linkCount = new int[4096];
    private int[][][] upper = new int[4096][][];
    private int[] visited = new int[4096];
    private int ordinals;
    private int generation;
    /** Neighbours of the node being expanded that were not visited yet: ordinals and addresses. */
    private int[] pendingOrdinal = new int[64];
    private long[] pendingAddress = new long[64];
    /** Where the touched bytes go, so that the JIT keeps the loads (see the expansion loop). */
    private long touchSink;
    /** Distance of the node {@link #descend} returned, in the walk's units. */
    private float descentDistance;
    // The global entry point and its distance, met first by every descent; see walkLevel0.
    private int entryOrdinal;
    private float entryDistance;

    private final NodeHeap candidates = NodeHeap.min(256);
    private final CopyGroups copyGroups = new CopyGroups();
    private final NodeHeap beam = NodeHeap.max(256);
    /** The k best exact distances while {@link #reranked} measures. */
    private final NodeHeap kept = NodeHeap.max(16);
    /**
     * Whether the query's code units bound exact distances ({@link ScalarQuantizer#lowerBound}):
     * false for a zero cosine query, whose distance to everything is 1 by definition.
     */
    private boolean queryBounded;
    private boolean rerankBound = true;
    private long skippedByBound;
    private float[] outDist = new float[256];
    private long[] rerank = new long[256];
    /** Bytes of a stored code, all touched before it is measured (0 without codes). */
    private final int codeLines;
    private int[] outNode = new int[256];
    private final ByteBuffer query;
    private final long queryAddress;
    /** Null when the index keeps no codes: then the walk uses the exact vectors. */
    private final ScalarQuantizer codes;
    private final ByteBuffer queryUnits;
    private final long queryUnitsAddress;
    /** What other readers of this snapshot found where; null when not shared (see {@link SnapshotAddresses}). */
    private final SnapshotAddresses.Table shared;
    /** Columns of {@link #shared}: a node's code and level-0 list side by side, then its vector. */
    private static final int WALK = 0, LINKS0 = 1, ITEM = 2;

    private HnswReader(ReadTxn txn, IndexMetadata metadata, HnswMetadata graph) {
        this.txn = txn;
        this.index = metadata.index();
        this.metadata = metadata;
        this.graph = graph;
        this.distance = metadata.distance();
        this.zeroVectors = new io.quiver.index.ZeroVectors.ForReader(txn, index, distance.kind());
        this.query = ByteBuffer.allocateDirect(distance.itemBytes() + 64).order(ByteOrder.LITTLE_ENDIAN);
        this.queryAddress = NativeMemory.address(query);
        this.codes = ItemCodes.read(txn, index, distance);
        this.queryUnits = ByteBuffer.allocateDirect(codes == null ? 8 : codes.queryBytes() + 64);
        this.queryUnitsAddress = NativeMemory.address(queryUnits);
        this.codeLines = codes == null ? 0 : codes.codeBytes();
        RoaringBitmap b = built();
        long span = b.isEmpty() ? 0 : Integer.toUnsignedLong(b.last()) + 1;
        boolean dense = span > 0 && span <= 4 * b.getLongCardinality() + (1 << PAGE_BITS);
        this.pages = new int[dense ? (int) ((span + PAGE_MASK) >>> PAGE_BITS) : 0][];
        this.shared = SnapshotAddresses.of(txn.store(), "hnsw/" + index).table(txn, span, b.getLongCardinality(), 3);
    }

    /**
     * The graph parameters this index was built with (its last build from scratch chose them;
     * incremental builds keep them): m, m0, efConstruction and alpha.
     *
     * <pre>{@code
     * HnswBuildOptions p = HnswReader.open(txn, 0).parameters();
     * int m = p == null ? 16 : p.m();
     * }</pre>
     *
     * @return the parameters, or null when no graph was ever built over this index (created and
     *     left empty, or emptied by {@code clear()} and not built since)
     */
    public HnswBuildOptions parameters() {
        return graph == null ? null : graph.graphOptions();
    }

    /**
     * Opens index {@code index} for searching. Fails with {@code UNKNOWN_INDEX} when absent,
     * {@code INDEX_MISMATCH} when it is a forest, {@code NEEDS_BUILD} when it has unbuilt changes.
     */
    public static HnswReader open(ReadTxn txn, int index) {
        return txn.use(() -> openUnguarded(txn, index));
    }

    private static HnswReader openUnguarded(ReadTxn txn, int index) {
        ItemStore items = ItemStore.open(txn, index);
        IndexMetadata m = items.metadata();
        if (m.algorithm() == Algorithm.FOREST) {
            throw new QuiverException(ErrorKind.INDEX_MISMATCH, "index " + index + " is a forest, not an HNSW graph; search it with ForestReader or convert it with HnswWriter.build");
        }
        if (items.needsBuild()) {
            throw new QuiverException(ErrorKind.NEEDS_BUILD, "index " + index + " has changes that were not built; run build before searching");
        }
        return new HnswReader(txn, m, HnswMetadata.read(txn, index));
    }

    /** Overrides the exact-scan threshold (tests and benchmarks); negative restores the default. */
    void bruteForceLimit(long limit) {
        this.bruteForceLimit = limit;
    }

    /** Makes searches measure every candidate of the final beam, as before the re-ranking bound (tests). */
    HnswReader measuringWholeBeam() {
        this.rerankBound = false;
        return this;
    }

    /** Vectors the re-ranking bound spared this reader so far (tests). */
    long skippedByBound() {
        return skippedByBound;
    }

    /** Nodes this reader has met so far (tests). */
    int ordinalsMet() {
        return ordinals;
    }

    /** Makes unfiltered searches walk the graph whatever the index size (tests of the graph itself). */
    HnswReader walkingSmallIndexes() {
        this.scanSmallIndexes = false;
        return this;
    }

    private int ordinal(int id) {
        if (paged) {
            int p = id >>> PAGE_BITS;
            if (p < pages.length) {
                int[] page = page(p);
                int o = page[id & PAGE_MASK] - 1;
                if (o < 0) {
                    o = newOrdinal(id);
                    page[id & PAGE_MASK] = o + 1;
                }
                return o;
            }
        }
        int o = (int) ordinalOf.get(id, -1);
        if (o < 0) {
            o = newOrdinal(id);
            ordinalOf.put(id, o);
            if (!paged && ordinals >= PAGED_AFTER && pages.length > 0) {
                switchToPages();
            }
        }
        return o;
    }

    /**
     * Moves the ids met so far into {@link #pages}, which serve from then on. A reader starts with
     * the hash map: one search meets a few thousand nodes spread over most pages, and a reader
     * opened for one query (a snapshot per request) allocated and zeroed a page of 4,096 ids for
     * nearly each of them, 2 MiB per query at 500k items.
     */
    private void switchToPages() {
        paged = true;
        for (int o = 0; o < ordinals; o++) {
            int id = idOf[o];
            int p = id >>> PAGE_BITS;
            if (p < pages.length) {
                page(p)[id & PAGE_MASK] = o + 1;
            }
        }
    }

    /** Page {@code p} of {@link #pages}, allocated on first use. */
    private int[] page(int p) {
        int[] page = pages[p];
        if (page == null) {
            page = new int[1 << PAGE_BITS];
            pages[p] = page;
        }
        return page;
    }

    private int newOrdinal(int id) {
        int o = ordinals++;
        if (o == idOf.length) {
            int n = o * 2;
            idOf = Arrays.copyOf(idOf, n);
            itemAddress = Arrays.copyOf(itemAddress, n);
            codeAddress = Arrays.copyOf(codeAddress, n);
            linkAddress = Arrays.copyOf(linkAddress, n);
            linkCount = Arrays.copyOf(linkCount, n);
            upper = Arrays.copyOf(upper, n);
            visited = Arrays.copyOf(visited, n);
        }
        idOf[o] = id;
        itemAddress[o] = 0;
        codeAddress[o] = 0;
        linkCount[o] = -1;
        return o;
    }

    /** Address of the item bytes of ordinal {@code o}, or -1 when the item does not exist. */
    private long item(int o) {
        long a = itemAddress[o];
        if (a == 0) {
            int id = idOf[o];
            a = shared == null ? 0 : shared.get(id, ITEM);
            if (a == 0) {
                ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
                a = v == null ? -1 : NativeMemory.address(v);
                if (shared != null) {
                    shared.set(id, ITEM, a);
                }
            }
            itemAddress[o] = a;
        }
        return a;
    }

    /** Address of the stored code of ordinal {@code o} (the index keeps codes), or -1 when the item does not exist. */
    private long code(int o) {
        long a = codeAddress[o];
        if (a == 0 && shared != null) {
            a = shared.get(idOf[o], WALK); // checked by the reader that stored it
            codeAddress[o] = a;
        }
        if (a == 0) {
            ByteBuffer v = txn.get(index, KeyKind.CODE, idOf[o]);
            if (v == null) {
                a = -1;
                if (txn.exists(index, KeyKind.ITEM, idOf[o])) {
                    throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(idOf[o]) + " of index " + index
                            + " has no int8 code; rebuild the index with forceRebuild (quiver build --force-rebuild)");
                }
            } else {
                codes.checkCode(v, idOf[o]);
                a = NativeMemory.address(v);
            }
            codeAddress[o] = a;
            if (shared != null) {
                shared.set(idOf[o], WALK, a);
            }
        }
        return a;
    }

    /** Where the walk reads ordinal {@code o}: its code, or its vector when there are no codes; -1 when absent. */
    private long walkAddress(int o) {
        return codes != null ? code(o) : item(o);
    }

    /** The walk's distance from the query ({@code q} exact, {@code u} in code units) to what {@link #walkAddress} gave. */
    private float walkDistance(long q, long u, long a) {
        return codes != null ? codes.distance(u, a) : distance.distance(q, a);
    }

    private void loadLinks0(int o) {
        int id = idOf[o];
        long packed = shared == null ? 0 : shared.get(id, LINKS0);
        if (packed == 0) {
            ByteBuffer v = txn.get(index, KeyKind.LINKS, id, 0);
            // an LMDB address fits in 48 bits, a list's length (at most m0, 4,096) above them
            packed = v == null ? -1 : NativeMemory.address(v) | ((long) (v.remaining() >>> 2) << 48);
            if (shared != null) {
                shared.set(id, LINKS0, packed);
            }
        }
        if (packed == -1) {
            linkCount[o] = 0;
        } else {
            linkAddress[o] = packed & ((1L << 48) - 1);
            linkCount[o] = (int) (packed >>> 48);
        }
    }

    private int[] upperLinks(int o, int level) {
        int[][] u = upper[o];
        if (u == null) {
            u = new int[Links.MAX_LEVEL][];
            upper[o] = u;
        }
        int[] l = u[level - 1];
        if (l == null) {
            l = Links.read(txn, index, idOf[o], level);
            if (l == null) {
                l = Links.EMPTY;
            }
            u[level - 1] = l;
        }
        return l;
    }

    @Override
    public SearchResult search(float[] vector, SearchOptions options) {
        // written out, not through txn.use: searches, size() and contains() take no lambda
        txn.beginUse();
        try {
            return searchUnguarded(vector, options);
        } finally {
            txn.endUse();
        }
    }

    private SearchResult searchUnguarded(float[] vector, SearchOptions options) {
        try {
            distance.validate(vector);
        } catch (QuiverException e) {
            // built only on failure: the search path allocates nothing
            throw e.at("index " + index + ", query: ");
        }
        distance.encode(vector, query);
        if (codes != null) {
            queryBounded = codes.encodeQuery(vector, queryUnitsAddress);
        }
        return zeroVectors.complete(searchEncoded(queryAddress, options), options, x -> item(ordinal(x)));
    }

    @Override
    public SearchResult searchItem(int id, SearchOptions options) {
        txn.beginUse();
        try {
            return searchItemUnguarded(id, options);
        } finally {
            txn.endUse();
        }
    }

    private SearchResult searchItemUnguarded(int id, SearchOptions options) {
        long a = item(ordinal(id));
        if (a < 0) {
            throw new QuiverException(ErrorKind.UNKNOWN_ITEM, "item " + Integer.toUnsignedString(id) + " is not in index " + index);
        }
        if (codes != null) {
            queryBounded = codes.encodeQueryFromItem(a, queryUnitsAddress);
        }
        return zeroVectors.complete(searchEncoded(a, options), options, x -> item(ordinal(x)));
    }

    private long bruteForceLimit(int ef) {
        if (bruteForceLimit >= 0) {
            return bruteForceLimit;
        }
        long v = (long) ef * graph.m0();
        return Math.max(v, (long) Math.sqrt((double) v * size()));
    }

    private SearchResult searchEncoded(long q, SearchOptions options) {
        io.quiver.distance.Kernels.warmUpSearchKernelsInBackground();
        int k = options.k();
        int ef = Math.max(k, options.ef() == 0 ? 64 : options.ef());
        RoaringBitmap filter = options.filter();
        if (graph == null || !graph.hasEntry() || (filter != null && filter.isEmpty())) {
            return new SearchResult(List.of(), false);
        }
        long limit = bruteForceLimit(ef);
        if (filter != null && filter.getLongCardinality() <= limit) {
            return scan(q, filter, options);
        }
        // A small index is scanned whole: the scan cannot miss, and it costs no more than the walk.
        // Ids a filter names that the index lacks do not count against that.
        if (scanSmallIndexes && size() <= (bruteForceLimit >= 0 ? limit : limit / 4)) {
            return scan(q, filter != null ? RoaringBitmap.and(filter, built()) : built(), options);
        }
        long u = queryUnitsAddress;
        int cur = descend(q, u);
        boolean partial = walkLevel0(q, u, cur, descentDistance, ef, filter, options);
        return codes != null ? reranked(q, k, partial) : results(k, partial);
    }

    /**
     * Greedy descent through the upper levels; returns the ordinal to start level 0 from and leaves
     * its distance in {@link #descentDistance}. Kept out of {@link #walkLevel0} so that the JIT
     * compiles the two apart: in one method the inliner ran out of its node budget
     * (NodeCountInliningCutoff, seen with -XX:+PrintInlining) and left the level-0 loop calling
     * the heap, the ordinal map and even the byte loads that touch codes.
     */
    private int descend(long q, long u) {
        int cur = ordinal(graph.entry());
        long ea = walkAddress(cur);
        if (ea < 0) {
            throw new QuiverException(ErrorKind.CORRUPTED, "entry point " + Integer.toUnsignedString(graph.entry()) + " of index " + index + " has no item");
        }
        float curDist = walkDistance(q, u, ea);
        entryOrdinal = cur;
        entryDistance = curDist;
        for (int level = graph.maxLevel(); level >= 1; level--) {
            boolean changed = true;
            while (changed) {
                changed = false;
                int[] l = upperLinks(cur, level);
                for (int nb : l) {
                    int o = ordinal(nb);
                    long a = walkAddress(o);
                    if (a < 0) {
                        continue;
                    }
                    float d = walkDistance(q, u, a);
                    if (d < curDist) {
                        curDist = d;
                        cur = o;
                        changed = true;
                    }
                }
            }
        }
        descentDistance = curDist;
        return cur;
    }

    /**
     * The beam search of width {@code ef} on level 0 from ordinal {@code cur}; leaves the result in
     * {@link #beam} and returns whether it stopped early.
     */
    private boolean walkLevel0(long q, long u, int cur, float curDist, int ef, RoaringBitmap filter, SearchOptions options) {
        boolean stoppable = options.stoppable();
        boolean partial = false;
        if (++generation == Integer.MAX_VALUE) {
            Arrays.fill(visited, 0);
            generation = 1;
        }
        int gen = generation;
        candidates.clear();
        beam.clear();
        visited[cur] = gen;
        candidates.push(curDist, cur);
        if (filter == null || filter.contains(idOf[cur])) {
            beam.push(curDist, cur);
        }
        // Links are one-way: builds make every node reachable from the global entry point, not from
        // wherever the descent lands. On tight clusters at small m a cluster may link only within
        // itself, and a descent that lands in the wrong one then cannot leave it (121 items at m 4:
        // a k = 121 search returned 16). So the entry point is a candidate too. The descent measured
        // it already; it is far from the query in the usual case and never expanded once the beam
        // is full.
        int e = entryOrdinal;
        if (e != cur) {
            visited[e] = gen;
            candidates.push(entryDistance, e);
            if (filter == null || filter.contains(idOf[e])) {
                beam.push(entryDistance, e);
                if (beam.size() > ef) {
                    beam.pop();
                }
            }
        }
        int expansions = 0;
        // Copies of one vector are as far from the query as each other: see sameItem
        copyGroups.clear();
        int copiesAllowed = Math.max(1, options.k());
        while (!candidates.isEmpty()) {
            float cd = candidates.topDistance();
            if (beam.size() >= ef && cd > beam.topDistance()) {
                break;
            }
            int c = candidates.topNode();
            candidates.pop();
            if (stoppable && (++expansions & 63) == 1 && options.shouldStop()) {
                partial = true;
                break;
            }
            if (linkCount[c] < 0) {
                loadLinks0(c);
            }
            long la = linkAddress[c];
            int n = linkCount[c];
            if (n > pendingOrdinal.length) {
                pendingOrdinal = new int[n];
                pendingAddress = new long[n];
            }
            // First pass: find the unvisited neighbours and touch what the distances will read.
            // The loads are independent, so the CPU overlaps their cache and TLB misses; the
            // distance pass then finds them in cache. Java has no prefetch instruction; this is the
            // next best thing. A code (13 lines for 784-d) is touched whole; a vector (50 lines,
            // alone on its page) only at its start, as touching it all would exceed the CPU's
            // outstanding-miss slots (measured slower).
            int pending = 0;
            long touched = 0;
            for (int i = 0; i < n; i++) {
                int nb = NativeMemory.getInt(la + 4L * i);
                int o = ordinal(nb);
                if (visited[o] == gen) {
                    continue;
                }
                visited[o] = gen;
                long a;
                if (codes != null) {
                    a = codeAddress[o];
                    if (a == 0) {
                        a = code(o);
                    }
                    if (a < 0) {
                        continue;
                    }
                    for (int off = 0; off < codeLines; off += 64) {
                        touched += NativeMemory.getByte(a + off);
                    }
                    touched += NativeMemory.getByte(a + codeLines - 1);
                } else {
                    a = itemAddress[o];
                    if (a == 0) {
                        a = item(o);
                    }
                    if (a < 0) {
                        continue;
                    }
                    touched += NativeMemory.getLong(a + Distance.PAYLOAD);
                }
                pendingOrdinal[pending] = o;
                pendingAddress[pending++] = a;
            }
            touchSink += touched;
            for (int i = 0; i < pending; i++) {
                int o = pendingOrdinal[i];
                float d = walkDistance(q, u, pendingAddress[i]);
                if (beam.size() < ef || d < beam.topDistance()) {
                    // A copy of c is expanded, up to ef copies of each vector, as their lists lead
                    // out of the copies, but only k of each take places in the beam; met is how
                    // many of its vector's copies the walk has met, 0 for any other node. (A
                    // filtered search walks copies as any node: the one copy it allows may lie
                    // among hundreds it refuses.)
                    int met = filter == null && d == cd && sameItem(c, o) ? copyGroups.join(c, o) : 0;
                    if (met > ef) {
                        continue;
                    }
                    candidates.push(d, o);
                    if (met <= copiesAllowed && (filter == null || filter.contains(idOf[o]))) {
                        beam.push(d, o);
                        if (beam.size() > ef) {
                            beam.pop();
                        }
                    }
                }
            }
        }
        return partial;
    }

    /**
     * Whether ordinals {@code a} and {@code b} hold the same vector, byte for byte. Asked only when
     * the walk measured a neighbour exactly as far as the node it came from: among distinct vectors
     * that is rare, and copies of one vector always are. Without telling them apart, copies filled
     * the beam of a search that came near them and pushed out the query's true neighbours, which
     * lie farther than the copies: with 2,000 copies among 18,000 random 24-d items, 259 items did
     * not find themselves at ef 200 (2 without the copies); keeping all but k copies of a vector
     * out of the beam ({@link CopyGroups}), and building the same way (BuildWorker.COPIES_IN_BEAM),
     * left 2.
     */
    private boolean sameItem(int a, int b) {
        long x = item(a);
        long y = item(b);
        if (x < 0 || y < 0) {
            return false;
        }
        int n = distance.itemBytes();
        return java.lang.foreign.MemorySegment.mismatch(NativeMemory.ALL, x, x + n, NativeMemory.ALL, y, y + n) < 0;
    }

    /**
     * The beam ranked by exact distance: codes order candidates only up to rounding, so kept
     * candidates are measured again on the vectors and the k closest returned. When every code in
     * the beam is exact ({@link ScalarQuantizer#CODE_EXACT}: integer data such as pixels), the codes
     * already ordered the beam as the vectors would, and only the best k are read, for their exact
     * distances (Fashion-MNIST, three alternating A/B rounds: 3-37% more q/s at ef 40, 20-22% at ef
     * 80). Otherwise the beam is measured closest code first, and a candidate whose code states
     * how far it is from its vector ({@link ScalarQuantizer#isBounded}) is skipped once even the
     * nearest point its code allows ({@link ScalarQuantizer#lowerBound}) is farther than the k-th
     * best exact distance so far: it could not enter the result, so the answer is the one
     * measuring the whole beam gives. On Fashion-MNIST's cosine copy a search then reads 29
     * vectors at ef 40 and 32-33 from ef 80 to 400, instead of ef (10,000 queries;
     * docs/BENCHMARKS.md, twentieth session).
     */
    private SearchResult reranked(long q, int k, boolean partial) {
        int n = drainBeam();
        if (n > k && allExact(n)) {
            n = k;
        }
        if (rerank.length < n) {
            rerank = new long[n * 2];
        }
        boolean bounded = n > k && queryBounded && rerankBound;
        kept.clear();
        int m = 0;
        boolean pastBound = false;
        for (int from = 0; from < n; from += RERANK_BLOCK) {
            int to = Math.min(n, from + RERANK_BLOCK);
            // The block's vectors are touched first, as in the walk, so that their misses overlap;
            // blocks are small so that candidates past the bound are not fetched.
            long touched = 0;
            int pending = 0;
            for (int i = from; i < to; i++) {
                int o = outNode[i];
                if (bounded && kept.size() == k && ScalarQuantizer.isBounded(codeAddress[o])) {
                    if (pastBound || codes.lowerBound(outDist[i], codeAddress[o]) > kept.topDistance()) {
                        // the beam is in ascending code distance: once the bound of the largest
                        // residual passes, every later bounded code is past it too
                        pastBound = pastBound || codes.loosestLowerBound(outDist[i]) > kept.topDistance();
                        skippedByBound++;
                        continue;
                    }
                }
                long a = item(o);
                if (a < 0) {
                    continue;
                }
                touched += NativeMemory.getLong(a + Distance.PAYLOAD);
                pendingOrdinal[pending] = o;
                pendingAddress[pending++] = a;
            }
            touchSink += touched;
            for (int i = 0; i < pending; i++) {
                // Euclidean and cosine ordering distances are >= 0 (max() also turns -0 into +0), so
                // their bits sort as unsigned ints: one primitive sort of (distance, ordinal) pairs.
                float d = Math.max(0f, distance.distance(q, pendingAddress[i]));
                rerank[m++] = ((long) Float.floatToRawIntBits(d) << 32) | pendingOrdinal[i];
                if (bounded && (kept.size() < k || d < kept.topDistance())) {
                    kept.push(d, pendingOrdinal[i]);
                    if (kept.size() > k) {
                        kept.pop();
                    }
                }
            }
        }
        Arrays.sort(rerank, 0, m);
        int count = Math.min(k, m);
        List<Neighbor> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float d = Float.intBitsToFloat((int) (rerank[i] >>> 32));
            out.add(new Neighbor(idOf[(int) rerank[i]], distance.userDistance(d)));
        }
        return new SearchResult(out, partial);
    }

    /** Candidates touched together by {@link #reranked}; at most the pending arrays' first length. */
    private static final int RERANK_BLOCK = 8;

    /** Whether the codes of the first {@code n} drained beam entries are all exact. */
    private boolean allExact(int n) {
        for (int i = 0; i < n; i++) {
            if (!ScalarQuantizer.isExact(codeAddress[outNode[i]])) {
                return false;
            }
        }
        return true;
    }

    /** Exact scan of a small allowed set, or of a small index's built items. */
    private SearchResult scan(long q, RoaringBitmap filter, SearchOptions options) {
        int k = options.k();
        boolean stoppable = options.stoppable();
        boolean partial = false;
        beam.clear();
        PeekableIntIterator it = filter.getIntIterator();
        int n = 0;
        while (it.hasNext()) {
            int id = it.next();
            if (stoppable && (++n & 63) == 1 && options.shouldStop()) {
                partial = true;
                break;
            }
            int o = ordinal(id);
            long a = item(o);
            if (a < 0) {
                continue;
            }
            float d = distance.distance(q, a);
            if (beam.size() < k || d < beam.topDistance()) {
                beam.push(d, o);
                if (beam.size() > k) {
                    beam.pop();
                }
            }
        }
        return results(k, partial);
    }

    /** Moves the beam, closest first, into {@link #outDist} and {@link #outNode}; returns its size. */
    private int drainBeam() {
        int n = beam.size();
        if (outDist.length < n) {
            outDist = new float[n * 2];
            outNode = new int[n * 2];
        }
        beam.drainAscending(outDist, outNode);
        return n;
    }

    private SearchResult results(int k, boolean partial) {
        int n = drainBeam();
        int count = Math.min(k, n);
        List<Neighbor> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Neighbor(idOf[outNode[i]], distance.userDistance(outDist[i])));
        }
        return new SearchResult(out, partial);
    }

    @Override
    public float[] vector(int id) {
        return txn.use(() -> vectorUnguarded(id));
    }

    private float[] vectorUnguarded(int id) {
        ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
        return v == null ? null : distance.decode(NativeMemory.address(v));
    }

    @Override
    public boolean contains(int id) {
        txn.beginUse();
        try {
            return containsUnguarded(id);
        } finally {
            txn.endUse();
        }
    }

    private boolean containsUnguarded(int id) {
        return txn.exists(index, KeyKind.ITEM, id);
    }

    private RoaringBitmap built() {
        if (built == null) {
            built = ItemStore.open(txn, index).builtItems();
        }
        return built;
    }

    @Override
    public long size() {
        txn.beginUse();
        try {
            return sizeUnguarded();
        } finally {
            txn.endUse();
        }
    }

    private long sizeUnguarded() {
        // kept: a bitmap of ids spread over the u32 range has a container per id, and unfiltered
        // searches ask for the size every time
        if (size < 0) {
            size = built().getLongCardinality();
        }
        return size;
    }

    @Override
    public RoaringBitmap ids() {
        return txn.use(() -> built().clone());
    }

    /**
     * Verifies the whole graph (reads every link list; for {@code quiver check} and tests, never
     * called by builds): every list decodes without duplicates or self links and within its degree
     * cap; every node and every link target is a built item with a stored vector and a list on
     * that level; a node on level l also has level l-1; incoming lists are exactly the transpose of
     * the outgoing ones; every built item has a level-0 list; the entry point is built and on the
     * top level, and every node of a level is reachable from it on that level (no search returns
     * a node that is not); when the index keeps int8 codes, exactly the built items have one, of
     * the right size.
     * Returns the problems found (at most 100), empty when sound.
     */
    public List<String> check() {
        return txn.use(this::checkUnguarded);
    }

    private List<String> checkUnguarded() {
        List<String> problems = new ArrayList<>();
        java.util.function.Consumer<String> report = p -> {
            if (problems.size() < 100) {
                problems.add(p);
            }
        };
        RoaringBitmap built = built();
        if (graph == null) {
            // Never built, or cleared: sound only while no item counts as built and no list is stored.
            if (!built.isEmpty()) {
                report.accept(built.getLongCardinality() + " built items but no graph metadata");
            }
            txn.scan(index, KeyKind.LINKS, (id, level, value) -> {
                report.accept("links of " + Integer.toUnsignedString(id) + " at level byte " + level + " but no graph metadata");
                return problems.size() < 100;
            });
            return problems;
        }
        Map<Long, int[]> out = new java.util.HashMap<>();
        Map<Long, int[]> in = new java.util.HashMap<>();
        txn.scan(index, KeyKind.LINKS, (id, level, value) -> {
            if (value.remaining() % 4 != 0) {
                report.accept("links of " + Integer.toUnsignedString(id) + " at level byte " + level + " have " + value.remaining() + " bytes");
                return true;
            }
            int n = value.remaining() / 4;
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                l[i] = value.getInt(4 * i);
            }
            if (Arrays.stream(l).distinct().count() != n) {
                report.accept("duplicate links in the list of " + Integer.toUnsignedString(id) + " at level byte " + level);
            }
            long key = ((long) id << 8) | level;
            if ((level & Links.IN) == 0) {
                out.put(key, l);
                int cap = level == 0 ? graph.m0() : graph.m();
                if (n > cap) {
                    report.accept("node " + Integer.toUnsignedString(id) + " has " + n + " links at level " + level + ", more than " + cap);
                }
            } else {
                in.put(key, l);
            }
            return true;
        });
        for (Map.Entry<Long, int[]> e : out.entrySet()) {
            int id = (int) (e.getKey() >> 8);
            int level = (int) (e.getKey() & 0xFF);
            String node = Integer.toUnsignedString(id);
            if (!built.contains(id) || !txn.exists(index, KeyKind.ITEM, id)) {
                report.accept("node " + node + " has links but is not a built item with a vector");
            }
            if (level > 0 && !out.containsKey(((long) id << 8) | (level - 1))) {
                report.accept("node " + node + " is on level " + level + " but not on level " + (level - 1));
            }
            int[] back;
            for (int x : e.getValue()) {
                String target = Integer.toUnsignedString(x);
                if (x == id) {
                    report.accept("node " + node + " links to itself at level " + level);
                } else if (!txn.exists(index, KeyKind.ITEM, x) || !built.contains(x)) {
                    report.accept("link " + node + " -> " + target + " (level " + level + ") names a deleted or missing item");
                } else if (!out.containsKey(((long) x << 8) | level)) {
                    report.accept("link " + node + " -> " + target + ": the target has no list at level " + level);
                }
                back = in.get(((long) x << 8) | level | Links.IN);
                if (back == null || Arrays.stream(back).noneMatch(b -> b == id)) {
                    report.accept("link " + node + " -> " + target + " (level " + level + ") is missing from the target's incoming list");
                }
            }
        }
        for (Map.Entry<Long, int[]> e : in.entrySet()) {
            int id = (int) (e.getKey() >> 8);
            int level = (int) (e.getKey() & 0x7F);
            for (int x : e.getValue()) {
                int[] fwd = out.get(((long) x << 8) | level);
                if (fwd == null || Arrays.stream(fwd).noneMatch(f -> f == id)) {
                    report.accept("incoming list of " + Integer.toUnsignedString(id) + " (level " + level + ") names "
                            + Integer.toUnsignedString(x) + ", which does not link to it");
                }
            }
        }
        for (int id : built) {
            if (!out.containsKey((long) id << 8)) {
                report.accept("built item " + Integer.toUnsignedString(id) + " has no level-0 links list");
            }
        }
        ItemCodes.check(txn, index, codes, built, report);
        io.quiver.index.ZeroVectors.check(txn, index, distance, built, report);
        if (built.isEmpty() == graph.hasEntry()) {
            report.accept(built.isEmpty() ? "an empty graph has an entry point" : "a non-empty graph has no entry point");
        } else if (graph.hasEntry()) {
            if (!built.contains(graph.entry())) {
                report.accept("entry point " + Integer.toUnsignedString(graph.entry()) + " is not a built item");
            } else if (!out.containsKey(((long) graph.entry() << 8) | graph.maxLevel())) {
                report.accept("entry point " + Integer.toUnsignedString(graph.entry()) + " is not on the top level " + graph.maxLevel());
            } else {
                checkReachable(out, report);
            }
        }
        return problems;
    }

    /** Reports the nodes of each level that no walk from the entry point on that level reaches: no search can return them. */
    private void checkReachable(Map<Long, int[]> out, java.util.function.Consumer<String> report) {
        RoaringBitmap[] onLevels = new RoaringBitmap[graph.maxLevel() + 1];
        for (int level = 0; level < onLevels.length; level++) {
            onLevels[level] = new RoaringBitmap();
        }
        for (long key : out.keySet()) {
            int level = (int) (key & 0xFF);
            if (level < onLevels.length) {
                onLevels[level].add((int) (key >>> 8));
            }
        }
        for (int level = 0; level < onLevels.length; level++) {
            RoaringBitmap onLevel = onLevels[level];
            RoaringBitmap seen = RoaringBitmap.bitmapOf(graph.entry());
            java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
            queue.add(graph.entry());
            while (!queue.isEmpty()) {
                int[] l = out.get(((long) queue.poll() << 8) | level); // the keys of check(), signed
                if (l != null) {
                    for (int y : l) {
                        if (seen.checkedAdd(y)) {
                            queue.add(y);
                        }
                    }
                }
            }
            RoaringBitmap lost = RoaringBitmap.andNot(onLevel, seen);
            if (!lost.isEmpty()) {
                StringBuilder some = new StringBuilder();
                lost.stream().limit(5).forEach(x -> some.append(some.isEmpty() ? "" : ", ").append(Integer.toUnsignedString(x)));
                report.accept(lost.getLongCardinality() + " node(s) on level " + level + " are unreachable from the entry point on that level, so searches may miss them: "
                        + some + (lost.getLongCardinality() > 5 ? ", ..." : "") + " (builds link in islands of up to " + IslandRescue.ISLAND_LIMIT + " nodes, and narrow chains of up to " + IslandRescue.NARROW_LIMIT
                        + " such as runs of copies; more suggests an m or ef-construction too small for the data)");
            }
        }
    }

    /** Levels, nodes and mean degree per level, link and code bytes: computed now by reading every list. */
    @Override
    public IndexStats stats() {
        return txn.use(this::statsUnguarded);
    }

    private IndexStats statsUnguarded() {
        long[] nodes = new long[Links.MAX_LEVEL + 1];
        long[] degree = new long[Links.MAX_LEVEL + 1];
        long[] bytes = new long[2];
        txn.scan(index, KeyKind.LINKS, (id, level, value) -> {
            if ((level & ~Links.IN) > Links.MAX_LEVEL) {
                throw new QuiverException(ErrorKind.CORRUPTED, "links of " + Integer.toUnsignedString(id) + " in index " + index + " name level "
                        + (level & ~Links.IN) + ", above the highest, " + Links.MAX_LEVEL + "; restore a backup");
            }
            if ((level & Links.IN) == 0) {
                nodes[level]++;
                degree[level] += value.remaining() >>> 2;
                bytes[0] += value.remaining() + 8;
            } else {
                bytes[1] += value.remaining() + 8;
            }
            return true;
        });
        int levels = 0;
        while (levels <= Links.MAX_LEVEL && nodes[levels] > 0) {
            levels++;
        }
        List<Long> perLevel = new ArrayList<>();
        List<Double> meanDegree = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            perLevel.add(nodes[l]);
            meanDegree.add(Math.round(100.0 * degree[l] / nodes[l]) / 100.0);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("levels", levels);
        s.put("nodes_per_level", perLevel);
        s.put("mean_degree", meanDegree);
        if (graph != null) {
            // a number, as ids are everywhere else in stats (unsigned, so a long); null when the graph is empty
            s.put("entry_point", graph.hasEntry() ? Integer.toUnsignedLong(graph.entry()) : null);
            s.put("m", graph.m());
            s.put("m0", graph.m0());
            s.put("ef_construction", Math.max(graph.m(), graph.efConstruction())); // the beam builds use (HnswMetadata.graphOptions)
            s.put("alpha", graph.alpha());
        }
        s.put("link_bytes", bytes[0]);
        s.put("incoming_link_bytes", bytes[1]);
        long codeBytes = codes == null ? 0 : size() * codes.codeBytes();
        s.put("int8_code_bytes", codeBytes);
        long items = size();
        // NONE for an index created and never built, or cleared: no graph yet (the reader opens it, empty)
        return new IndexStats(index, metadata.distanceKind().cliName(), metadata.dimensions(), metadata.algorithm(), items,
                bytes[0] + bytes[1] + codeBytes, items * distance.itemBytes(), s);
    }
}
