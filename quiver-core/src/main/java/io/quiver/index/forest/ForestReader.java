package io.quiver.index.forest;

import io.quiver.distance.BinaryDistance;
import io.quiver.distance.Distance;
import io.quiver.distance.Kernels;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.distance.VectorKernels;
import io.quiver.index.Algorithm;
import io.quiver.index.IndexMetadata;
import io.quiver.index.IndexReader;
import io.quiver.index.IndexStats;
import io.quiver.index.AddressCache;
import io.quiver.index.ItemCodes;
import io.quiver.index.ItemStore;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.SnapshotAddresses;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Searches a forest inside a read snapshot, as Annoy does: all roots go into one priority queue
 * keyed by the smallest margin met on the way down; leaves are opened in that order until
 * {@code searchK} candidates are gathered; the distinct candidates are then ranked exactly.
 * When the index keeps int8 codes ({@link ScalarQuantizer}: a quarter of the bytes, packed four
 * to a page where a vector fills one) the candidates are ranked on codes first and only the best
 * {@link #RERANK_FACTOR}{@code ·k} are measured on their vectors.
 *
 * <pre>{@code
 * try (ReadTxn txn = store.read()) {
 *     ForestReader reader = ForestReader.open(txn, 0);
 *     SearchResult r = reader.search(query, SearchOptions.builder().k(10).searchK(2000).build());
 * }
 * }</pre>
 *
 * <p>One reader per thread. It remembers where each node and item it met sits in LMDB's map
 * (addresses are stable for the life of the snapshot), so repeated searches skip the B-tree.
 */
public final class ForestReader implements IndexReader {
    /** Candidates gathered per result for binary-quantised distances, relative to exact ones. */
    public static final int QUANTIZED_OVERSAMPLING = 3;
    /** Candidates per result that the exact vectors re-rank after the codes ranked them all. */
    public static final int RERANK_FACTOR = 4;
    private static final int CACHE_LIMIT = 8_000_000;

    private final ReadTxn txn;
    private final int index;
    private final ItemStore items;
    private final Distance distance;
    private final int dims;
    private final ForestMetadata forest;
    private final RoaringBitmap live;
    /** Completes searches with the zero vectors of a cosine index (see {@link io.quiver.index.ZeroVectors}). */
    private final io.quiver.index.ZeroVectors.ForReader zeroVectors;
    /** More node visits than this in one search means the stored trees are not trees (a cycle). */
    private final long maxVisits;
    private final VectorKernels kernels = Kernels.get();
    private final AddressCache nodeCache;
    private final AddressCache itemCache;
    /** How a value is checked when first read (held, so that a lookup allocates nothing). */
    private final ObjIntConsumer<ByteBuffer> nodeCheck;
    private final ObjIntConsumer<ByteBuffer> itemCheck;
    private final ObjIntConsumer<ByteBuffer> codeCheck;
    /** Null when the index keeps no codes. */
    private final ScalarQuantizer codes;
    private final AddressCache codeCache;
    /** Shared by the readers of this snapshot (see {@link SnapshotAddresses}), else null and the caches above serve. */
    private final SnapshotAddresses.Table sharedNodes;
    /** Columns: an item's vector, then its code. */
    private final SnapshotAddresses.Table sharedItems;
    private final long queryUnits;
    private final Arena arena = Arena.ofAuto();
    private final long query;
    private final NodeQueue queue = new NodeQueue();
    private final TopK top = new TopK();
    private int[] candidates = new int[1024];
    private long[] addresses = new long[1024];
    /** How far ahead of the vector being measured the next one is touched. */
    private static final int TOUCH_AHEAD = 4;
    /** Keeps the touching loads alive. */
    private long touchSink;

    private ForestReader(ReadTxn txn, ItemStore items, ForestMetadata forest) {
        this.txn = txn;
        this.index = items.index();
        this.items = items;
        this.distance = items.distance();
        this.zeroVectors = new io.quiver.index.ZeroVectors.ForReader(txn, index, distance.kind());
        this.dims = distance.dimensions();
        this.forest = forest;
        this.live = items.builtItems();
        RoaringBitmap nodes = forest.usedNodes();
        long nodeSpan = nodes.isEmpty() ? 0 : Integer.toUnsignedLong(nodes.last()) + 1;
        long itemSpan = live.isEmpty() ? 0 : Integer.toUnsignedLong(live.last()) + 1;
        // Readers of this snapshot share what they found where; a reader of an older snapshot,
        // or of ids too sparse to share, keeps its own caches (arrays the size of the index)
        this.sharedNodes = SnapshotAddresses.of(txn.store(), "forest-nodes/" + index).table(txn, nodeSpan, nodes.getLongCardinality(), 1);
        this.sharedItems = SnapshotAddresses.of(txn.store(), "forest-items/" + index).table(txn, itemSpan, live.getLongCardinality(), 2);
        this.nodeCache = sharedNodes != null ? null : new AddressCache(nodeSpan - 1, nodes.getLongCardinality(), CACHE_LIMIT);
        this.itemCache = sharedItems != null ? null : new AddressCache(itemSpan - 1, live.getLongCardinality(), CACHE_LIMIT);
        this.maxVisits = 2 * (forest.usedNodes().getLongCardinality() + forest.nTrees()) + 16;
        this.query = arena.allocate(distance.itemBytes() + 64L, 64).address();
        this.codes = ItemCodes.read(txn, index, distance);
        this.codeCache = codes == null || sharedItems != null ? null : new AddressCache(itemSpan - 1, live.getLongCardinality(), CACHE_LIMIT);
        this.queryUnits = codes == null ? 0 : arena.allocate(codes.queryBytes() + 64L, 64).address();
        this.nodeCheck = (v, id) -> TreeNodes.check(v, id, dims);
        this.itemCheck = distance::checkItem;
        this.codeCheck = codes == null ? null : codes::checkCode;
    }

    /**
     * Opens the forest of {@code index}. Fails with {@link ErrorKind#NEEDS_BUILD} when changes wait
     * for a build, {@link ErrorKind#INDEX_MISMATCH} when the index is a graph.
     */
    public static ForestReader open(ReadTxn txn, int index) {
        return txn.use(() -> openUnguarded(txn, index));
    }

    private static ForestReader openUnguarded(ReadTxn txn, int index) {
        ItemStore items = ItemStore.open(txn, index);
        Algorithm algo = items.metadata().algorithm();
        if (algo == Algorithm.HNSW) {
            throw new QuiverException(ErrorKind.INDEX_MISMATCH, "index " + index + " is an hnsw index, not a forest");
        }
        if (algo == Algorithm.NONE || items.needsBuild()) {
            throw new QuiverException(ErrorKind.NEEDS_BUILD, "index " + index + " has changes that were not built; run a build first");
        }
        ForestMetadata f = ForestMetadata.read(txn, index);
        if (f == null) {
            throw new QuiverException(ErrorKind.CORRUPTED, "index " + index + " is marked as a forest but has no forest metadata");
        }
        return new ForestReader(txn, items, f);
    }

    public int nTrees() {
        return forest.nTrees();
    }

    public int splitAfter() {
        return forest.splitAfter();
    }

    public Distance distance() {
        return distance;
    }

    /**
     * The address of {@code id}'s value of {@code kind}, looked up once per snapshot and checked
     * by {@code check} when first read; 0 when the store has none.
     */
    private long cached(SnapshotAddresses.Table shared, int column, AddressCache cache, KeyKind kind, int id, ObjIntConsumer<ByteBuffer> check) {
        long a = shared != null ? shared.get(id, column) : cache.get(id);
        if (a != 0L) {
            return a;
        }
        ByteBuffer v = txn.get(index, kind, id);
        if (v == null) {
            return 0L;
        }
        check.accept(v, id);
        a = NativeMemory.address(v);
        if (shared != null) {
            shared.set(id, column, a);
        } else {
            cache.put(id, a);
        }
        return a;
    }

    private long node(int id) {
        long a = cached(sharedNodes, 0, nodeCache, KeyKind.TREE_NODE, id, nodeCheck);
        if (a == 0L) {
            throw TreeNodes.corrupted(id, "missing");
        }
        return a;
    }

    private long item(int id) {
        return cached(sharedItems, 0, itemCache, KeyKind.ITEM, id, itemCheck);
    }

    /** Address of the code of {@code id}, or 0 when it has none (not a built item). */
    private long code(int id) {
        return cached(sharedItems, 1, codeCache, KeyKind.CODE, id, codeCheck);
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
            codes.encodeQuery(vector, queryUnits);
        }
        return zeroVectors.complete(searchEncoded(query, options), options, this::item);
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
        long a = item(id);
        if (a == 0L || !live.contains(id)) {
            throw new QuiverException(ErrorKind.UNKNOWN_ITEM, "item " + Integer.toUnsignedString(id) + " is not in index " + index);
        }
        if (codes != null) {
            codes.encodeQueryFromItem(a, queryUnits);
        }
        return zeroVectors.complete(searchEncoded(a, options), options, this::item);
    }

    private SearchResult searchEncoded(long q, SearchOptions options) {
        io.quiver.distance.Kernels.warmUpSearchKernelsInBackground();
        // never more than the index holds: k sizes the heaps (k = 2^31 - 1 used to exhaust the heap)
        int k = (int) Math.min(options.k(), Math.max(1, live.getLongCardinality()));
        int searchK = options.searchK() > 0 ? options.searchK()
                : (int) Math.min(Integer.MAX_VALUE, (long) k * forest.nTrees() * (distance.kind().isQuantized() ? QUANTIZED_OVERSAMPLING : 1));
        RoaringBitmap filter = options.filter();
        if (filter == null && k >= live.getLongCardinality()) {
            // every item is asked for: measure them all rather than walk every tree to collect them
            return exactScan(q, live, k, options);
        }
        if (filter != null) {
            // A small allowed set is cheaper to scan exactly than to find through the trees.
            long allowed = RoaringBitmap.andCardinality(filter, live);
            if (allowed <= Math.max(searchK, 2L * k)) {
                return exactScan(q, RoaringBitmap.and(filter, live), k, options);
            }
        }
        boolean partial = false;
        queue.clear();
        boolean bits = distance instanceof BinaryDistance;
        // Bit splits lower a priority by 1 per mismatch, which Float.MAX_VALUE would swallow.
        float rootPriority = bits ? 1e7f : Float.MAX_VALUE;
        for (int root : forest.roots()) {
            queue.push(rootPriority, root);
        }
        int n = 0;
        // candidates found, copies included: what searchK counts, as Annoy's search_k does
        long found = 0;
        long polls = 0;
        boolean sorted = false;
        // candidates held before the next count of distinct ones: twice what the last count left,
        // so that a walk of mostly copies sorts a logarithmic number of times (every refill to k
        // took 1.8 s for k = 60,000 of 60,000 items: a review helper's run)
        long countAt = k;
        while (!queue.isEmpty()) {
            if (found >= searchK && n >= countAt) {
                // each tree names an item once, so only distinct candidates count towards k: with
                // copies counted, k = searchK = 100 of 200 items returned 80 (a review helper's find)
                n = sortedDistinct(n);
                sorted = true;
                if (n >= k) {
                    break;
                }
                countAt = Math.max(k, 2L * n);
            }
            if ((++polls & 63) == 0 && options.stoppable() && options.shouldStop()) {
                partial = true;
                break;
            }
            if (polls > maxVisits) {
                throw new QuiverException(ErrorKind.CORRUPTED, "index " + index + ": a search visited more nodes than the forest holds (a cycle in the trees?)");
            }
            float d = queue.topPriority();
            int id = queue.topNode();
            queue.pop();
            long a = node(id);
            byte type = TreeNodes.type(a);
            if (type == TreeNodes.LEAF) {
                int count = TreeNodes.leafCount(a);
                if (n + count > candidates.length) {
                    candidates = Arrays.copyOf(candidates, Math.max(candidates.length * 2, n + count));
                }
                for (int i = 0; i < count; i++) {
                    int item = TreeNodes.leafId(a, i);
                    if (filter == null || filter.contains(item)) {
                        candidates[n++] = item;
                        found++;
                        sorted = false;
                    }
                }
            } else if (type != TreeNodes.BIT) {
                float dot = type == TreeNodes.PLANE8
                        ? NativeMemory.getFloat(a + TreeNodes.SCALE) * kernels.dotInt8(q + Distance.PAYLOAD, a + TreeNodes.CODES, dims)
                        : kernels.dot(a + TreeNodes.NORMAL, q + Distance.PAYLOAD, dims);
                float margin = dot + NativeMemory.getFloat(a + TreeNodes.OFFSET);
                queue.push(Math.min(d, margin), TreeNodes.right(a));
                queue.push(Math.min(d, -margin), TreeNodes.left(a));
            } else {
                boolean set = BinaryDistance.bit(q, NativeMemory.getInt(a + TreeNodes.BIT_INDEX));
                queue.push(set ? d : d - 1, TreeNodes.right(a));
                queue.push(set ? d - 1 : d, TreeNodes.left(a));
            }
        }
        if (!sorted) {
            Arrays.sort(candidates, 0, n);
        }
        boolean onCodes = codes != null && n > RERANK_FACTOR * k;
        int m = distinct(n, onCodes);
        if (onCodes) {
            m = bestOnCodes(m, RERANK_FACTOR * k, k);
        }
        return rankExactly(q, m, k, partial);
    }

    /** Sorts the first {@code n} candidates and drops repeats; returns how many are left. */
    private int sortedDistinct(int n) {
        Arrays.sort(candidates, 0, n);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m == 0 || candidates[i] != candidates[m - 1]) {
                candidates[m++] = candidates[i];
            }
        }
        return m;
    }

    /**
     * Keeps the distinct ids of the sorted {@code candidates[0..n)} that have a value, with the
     * address of their code ({@code onCodes}) or vector in {@link #addresses}; returns their count.
     */
    private int distinct(int n, boolean onCodes) {
        if (addresses.length < n) {
            addresses = new long[Math.max(n, 2 * addresses.length)];
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
            int id = candidates[i];
            if (m > 0 && id == candidates[m - 1]) {
                continue;
            }
            long a = onCodes ? code(id) : item(id);
            if (a != 0L) {
                candidates[m] = id;
                addresses[m++] = a;
            } else if (onCodes && item(id) != 0L) {
                throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index
                        + " has no int8 code; rebuild the index from scratch");
            }
        }
        return m;
    }

    /**
     * Ranks the {@code m} candidates on their codes (each touched whole a few candidates ahead, so
     * that the misses overlap) and keeps the best {@code r} with their vectors' addresses; returns
     * how many were kept. When every code is exact ({@link ScalarQuantizer#CODE_EXACT}: integer
     * data such as pixels), the codes rank as the vectors would, so only the best {@code k} are kept.
     */
    private int bestOnCodes(int m, int r, int k) {
        top.reset(Math.min(m, r));
        int bytes = codes.codeBytes();
        long touched = 0;
        boolean exact = true;
        for (int i = 0; i < m; i++) {
            if (i + TOUCH_AHEAD < m) {
                long a = addresses[i + TOUCH_AHEAD];
                for (int off = 0; off < bytes; off += 64) {
                    touched += NativeMemory.getByte(a + off);
                }
                touched += NativeMemory.getByte(a + bytes - 1);
            }
            exact &= ScalarQuantizer.isExact(addresses[i]);
            top.offer(codes.distance(queryUnits, addresses[i]), candidates[i]);
        }
        touchSink += touched;
        if (exact) {
            top.keep(k);
        }
        int kept = top.drainIds(candidates);
        for (int i = 0; i < kept; i++) {
            addresses[i] = item(candidates[i]);
            if (addresses[i] == 0L) {
                // measured at address 0, this crashed the JVM (a damaged store: a review helper's run)
                throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(candidates[i]) + " of index " + index
                        + " has an int8 code but no vector; run quiver check, restore a backup or rebuild the index");
            }
        }
        return kept;
    }

    /**
     * The {@code k} closest of the {@code m} candidates by exact distance, touching a vector a few
     * places ahead of the one being measured: independent loads, so the cache and TLB misses of
     * the next vectors overlap the arithmetic on this one (Java has no prefetch).
     */
    private SearchResult rankExactly(long q, int m, int k, boolean partial) {
        top.reset(k);
        long touched = 0;
        for (int i = 0; i < m; i++) {
            if (i + TOUCH_AHEAD < m) {
                touched += NativeMemory.getLong(addresses[i + TOUCH_AHEAD] + Distance.PAYLOAD);
            }
            top.offer(distance.distance(q, addresses[i]), candidates[i]);
        }
        touchSink += touched;
        return new SearchResult(top.sorted(d -> distance.userDistance((float) d)), partial);
    }

    private SearchResult exactScan(long q, RoaringBitmap allowed, int k, SearchOptions options) {
        top.reset(k);
        boolean partial = false;
        int seen = 0;
        for (int id : allowed) {
            if ((++seen & 255) == 0 && options.stoppable() && options.shouldStop()) {
                partial = true;
                break;
            }
            long a = item(id);
            if (a != 0L) {
                top.offer(distance.distance(q, a), id);
            }
        }
        return new SearchResult(top.sorted(d -> distance.userDistance((float) d)), partial);
    }

    @Override
    public float[] vector(int id) {
        return txn.use(() -> vectorUnguarded(id));
    }

    private float[] vectorUnguarded(int id) {
        long a = item(id);
        return a == 0L ? null : distance.decode(a);
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
        return live.contains(id);
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
        return live.getLongCardinality();
    }

    @Override
    public RoaringBitmap ids() {
        return txn.use(() -> live.clone());
    }

    @Override
    public IndexStats stats() {
        return txn.use(this::statsUnguarded);
    }

    private IndexStats statsUnguarded() {
        long[] counts = new long[4]; // leaves, planes/bits, bytes, max depth
        long leafItems = 0;
        RoaringBitmap visited = new RoaringBitmap();
        for (int root : forest.roots()) {
            leafItems += walk(root, 1, counts, visited);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trees", forest.nTrees());
        s.put("split_after", forest.splitAfter());
        s.put("nodes", counts[0] + counts[1]);
        s.put("leaves", counts[0]);
        s.put("splits", counts[1]);
        s.put("max_depth", counts[3]);
        s.put("mean_leaf_size", counts[0] == 0 ? 0.0 : Math.round(100.0 * leafItems / counts[0]) / 100.0);
        long codeBytes = codes == null ? 0 : size() * codes.codeBytes();
        s.put("int8_code_bytes", codeBytes);
        return new IndexStats(index, distance.kind().cliName(), dims, Algorithm.FOREST, size(), counts[2] + codeBytes,
                size() * distance.itemBytes(), s);
    }

    private long walk(int id, int depth, long[] counts, RoaringBitmap visited) {
        if (!visited.checkedAdd(id) || depth > 10_000) {
            throw new QuiverException(ErrorKind.CORRUPTED, "index " + index + ": tree node " + Integer.toUnsignedString(id) + " is reachable twice (a cycle?)");
        }
        long a = node(id);
        counts[3] = Math.max(counts[3], depth);
        byte type = TreeNodes.type(a);
        if (type == TreeNodes.LEAF) {
            int c = TreeNodes.leafCount(a);
            counts[0]++;
            counts[2] += TreeNodes.leafBytes(c);
            return c;
        }
        counts[1]++;
        counts[2] += TreeNodes.splitBytes(type, dims);
        return walk(TreeNodes.left(a), depth + 1, counts, visited) + walk(TreeNodes.right(a), depth + 1, counts, visited);
    }

    /**
     * Verifies the forest: every node decodes, every tree holds exactly the live items once, no
     * leaf names a deleted id, every live item has a stored vector, and the set of used node ids
     * matches the reachable nodes. Returns the problems found (empty when sound). Reads everything.
     */
    public List<String> check() {
        return txn.use(this::checkUnguarded);
    }

    private List<String> checkUnguarded() {
        List<String> problems = new ArrayList<>();
        RoaringBitmap reachable = new RoaringBitmap();
        for (int t = 0; t < forest.nTrees(); t++) {
            RoaringBitmap seen = new RoaringBitmap();
            long[] dups = {0};
            try {
                collect(forest.roots()[t], seen, dups, reachable, 0);
            } catch (QuiverException e) {
                problems.add("tree " + t + ": " + e.getMessage());
                continue;
            }
            if (dups[0] > 0) {
                problems.add("tree " + t + ": " + dups[0] + " item(s) appear in more than one leaf");
            }
            RoaringBitmap extra = RoaringBitmap.andNot(seen, live);
            RoaringBitmap missing = RoaringBitmap.andNot(live, seen);
            if (!extra.isEmpty()) {
                problems.add("tree " + t + ": leaves name " + extra.getCardinality() + " id(s) that are not live, e.g. " + Integer.toUnsignedString(extra.first()));
            }
            if (!missing.isEmpty()) {
                problems.add("tree " + t + ": " + missing.getCardinality() + " live id(s) are in no leaf, e.g. " + Integer.toUnsignedString(missing.first()));
            }
        }
        if (!reachable.equals(forest.usedNodes())) {
            problems.add("node ids in use (" + forest.usedNodes().getCardinality() + ") differ from reachable nodes (" + reachable.getCardinality() + ")");
        }
        long[] missingVectors = {0};
        long[] badVectors = {0};
        ByteBuffer scratch = ByteBuffer.allocate(distance.itemBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        live.forEach((int id) -> {
            try {
                long a = item(id);
                if (a == 0L) {
                    missingVectors[0]++;
                } else {
                    String bad = checkVector(a, scratch);
                    if (bad != null && badVectors[0]++ < 5) {
                        problems.add("item " + Integer.toUnsignedString(id) + ": " + bad);
                    }
                }
            } catch (QuiverException e) {
                problems.add("item " + Integer.toUnsignedString(id) + ": " + e.getMessage());
            }
        });
        if (missingVectors[0] > 0) {
            problems.add(missingVectors[0] + " live id(s) have no stored vector");
        }
        if (badVectors[0] > 5) {
            problems.add((badVectors[0] - 5) + " more item(s) hold invalid vectors");
        }
        ItemCodes.check(txn, index, codes, live, problems::add);
        io.quiver.index.ZeroVectors.check(txn, index, distance, live, problems::add);
        return problems;
    }

    /**
     * Whether a stored vector is sound: finite components of a magnitude whose distances fit a
     * float, and a header (norm) that matches them, as {@code add} wrote it. Garbage of the right size decodes, but searches would rank it wrongly.
     */
    private String checkVector(long a, ByteBuffer scratch) {
        float[] v = distance.decode(a);
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return "component " + i + " of the stored vector is " + v[i];
            }
        }
        String tooLarge = distance.magnitudeProblem(v);
        if (tooLarge != null) {
            return "stored before such vectors were refused: " + tooLarge;
        }
        float stored = Distance.header(a);
        distance.encode(v, scratch);
        float expected = scratch.getFloat(Distance.HEADER);
        if (!(Math.abs(stored - expected) <= 1e-4f * Math.max(1f, Math.abs(expected)))) {
            return "the stored header " + stored + " does not match the vector (" + expected + ")";
        }
        return null;
    }

    private void collect(int id, RoaringBitmap seen, long[] dups, RoaringBitmap reachable, int depth) {
        if (depth > 10_000) {
            throw new QuiverException(ErrorKind.CORRUPTED, "tree deeper than 10000 levels (a cycle?)");
        }
        if (!reachable.checkedAdd(id) && depth >= 0) {
            // shared nodes between or within trees are a corruption, except none are expected at all
            throw new QuiverException(ErrorKind.CORRUPTED, "node " + Integer.toUnsignedString(id) + " is reachable twice");
        }
        long a = node(id);
        if (TreeNodes.type(a) == TreeNodes.LEAF) {
            int c = TreeNodes.leafCount(a);
            for (int i = 0; i < c; i++) {
                if (!seen.checkedAdd(TreeNodes.leafId(a, i))) {
                    dups[0]++;
                }
            }
            return;
        }
        collect(TreeNodes.left(a), seen, dups, reachable, depth + 1);
        collect(TreeNodes.right(a), seen, dups, reachable, depth + 1);
    }
}
