package io.quiver.index.hnsw;

import io.quiver.index.ItemStore;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * Links in the nodes of a just-written graph that no search can enter. The HNSW heuristic prunes a
 * node's links to what a closer neighbour already covers, so a tight group of near-duplicates can
 * end up named only by its own members (hnswlib has such islands too). Runs on the writer thread
 * after {@link HnswBuilder} has written the changed lists and their incoming lists, which it reads
 * back and changes through the same write transaction; every node whose outgoing list it changes
 * joins {@code touched} (the incoming lists it rewrites are not tracked there). Four passes, in
 * the order a build runs them:
 * <ul>
 *   <li>{@link #linkUnreachable()}: a build from scratch walks every level whole;
 *   <li>{@link #linkSuspects}: an incremental build walks backwards from the nodes that are new or
 *       lost an incoming link, a few list reads each in a normal graph (up to
 *       {@link #NARROW_LIMIT} in runs of copies), never a scan;
 *   <li>{@link #linkDroppedTargets}: an incremental build walks forward from the lists that dropped
 *       a far link, and links the dropped node back in when the short walk misses it;
 *   <li>{@link #linkSmallLevels}: levels of at most {@link #SMALL_LEVEL} nodes are walked whole,
 *       and every node of theirs that is new or lost an incoming link is checked against the walk.
 * </ul>
 * <pre>{@code
 * IslandRescue islands = new IslandRescue(txn, items, graph, touched);
 * islands.linkSuspects(suspects, inserted);
 * islands.linkDroppedTargets(farDrops, inserted);
 * islands.linkSmallLevels(allItems, changed);
 * }</pre>
 */
final class IslandRescue {
    /**
     * The most nodes an island may have for a build to find and reconnect it. The HNSW heuristic
     * leaves a few small groups of near-duplicates that only name each other (500k clustered
     * 768-d items: 17 nodes in islands of 2-4 on level 0); no search can reach them. Every member
     * of an island of s nodes has fewer than s incoming links, so a node with at least this many
     * is no island's member, and the backward walk from a suspect stops after this many nodes
     * (unless it is narrow: {@link #NARROW_LIMIT}).
     * At 8, a 2,000-node two-thread build of 20 tight clusters once kept a 9-node island; 16 costs
     * a steady 500k batch 12-16 ms of walks and rescues against 7-9 ms at 8.
     */
    static final int ISLAND_LIMIT = 16;

    /**
     * The most nodes a narrow backward walk follows ({@link #island(int, int, int)}). At 128, one
     * seed of a fuzzing mix with m 6 failed its check in nearly every run: its deletes left 133
     * nodes of level 1 that nothing outside named, in a narrow walk of more than 128 nodes; at
     * 1,024 it passed (docs/bench-2026-11-25-s30/).
     */
    static final int NARROW_LIMIT = 1024;

    /**
     * How many reachable nodes of a level the build walks from the entry point. On levels up to
     * this size (the top levels of any index, all of a small one) it links in the nodes that link
     * into the walk without being reached, the nodes this build changed that the walk misses,
     * and, in an index of at most this many items, every node the walk misses (moving a deleted
     * entry point, for one, changes what is reachable without changing any node's incoming list).
     * Larger levels rely on the suspects of {@link #linkSuspects}.
     */
    static final int SMALL_LEVEL = 1024;

    /**
     * Rescues per small level and build, one walk each: a graph that leaves more of a level
     * unreachable than this (m far too small for its data) is reported by check(), not mended
     * at the price of a walk per node.
     */
    static final int SMALL_LEVEL_ROUNDS = 64;

    /**
     * Walks of a level in {@link #linkUnreachable} after rescues that dropped links; each finds
     * what those drops cut off (their rescue links are never dropped again, so rounds converge).
     */
    static final int UNREACHABLE_ROUNDS = 8;

    /** Nodes a rescue's walk of {@link #nearby} meets at most, per island member. */
    static final int NEARBY = 256;
    /** How many members of one island look for hosts {@link #NEARBY} (see {@link #rescue}). */
    static final int NEARBY_MEMBERS = 8;

    /** What {@link #linkIn} returns when the node could take no link (ids are unsigned: any int is one). */
    private static final long NO_LINK = Long.MIN_VALUE;

    /** What it returns when the link was added without dropping another. */
    private static final long NONE_DROPPED = -1L;

    /**
     * A rescue's link: the island member now named from outside, and the (unsigned) id that lost
     * a link to make room, or {@link #NONE_DROPPED}.
     */
    private record Linked(int member, long dropped) {}

    /** A link a rescue added: never the one another rescue drops, so two islands cannot trade one link forever. */
    private record Link(int from, int to, int level) {}

    private final Set<Link> rescueLinks = new HashSet<>();

    private final WriteTxn txn;
    private final ItemStore items;
    private final int index;
    private final BuildGraph g;
    private final RoaringBitmap touched;

    IslandRescue(WriteTxn txn, ItemStore items, BuildGraph g, RoaringBitmap touched) {
        this.txn = txn;
        this.items = items;
        this.index = items.index();
        this.g = g;
        this.touched = touched;
    }

    /**
     * A build from scratch holds every list in memory and has just written them all, so it walks
     * each level whole from the entry point (a walk of the lists in memory) and links in every
     * node the walk misses, whatever the size of its island: two-thread builds of 2,000 and 5,000
     * points in 20 tight clusters left islands of 9 and 25 nodes in loaded test runs, beyond
     * {@link #ISLAND_LIMIT}. After each rescue the walk goes on from the node linked in, through
     * the written lists.
     */
    void linkUnreachable() {
        if (!g.hasEntry()) {
            return;
        }
        int[] scratch = new int[64];
        for (int l = g.maxLevel(); l >= 0; l--) {
            RoaringBitmap onLevel = new RoaringBitmap();
            for (int i = 0; i < g.slotCount; i++) {
                if (g.slots[i].level >= l) {
                    onLevel.add(g.slots[i].id);
                }
            }
            RoaringBitmap reached = RoaringBitmap.bitmapOf(g.entryId());
            IntList queue = new IntList();
            queue.add(g.entryId());
            for (int i = 0; i < queue.size; i++) {
                GraphNode n = g.node(queue.a[i]);
                if (n == null) {
                    continue;
                }
                if (scratch.length < n.capacity(l)) {
                    scratch = new int[n.capacity(l)];
                }
                int count = n.copyLinks(l, scratch);
                for (int j = 0; j < count; j++) {
                    if (reached.checkedAdd(scratch[j])) {
                        queue.add(scratch[j]);
                    }
                }
            }
            RoaringBitmap lost = RoaringBitmap.andNot(onLevel, reached);
            for (int round = 0; round < UNREACHABLE_ROUNDS && !lost.isEmpty(); round++) {
                boolean dropped = false;
                while (!lost.isEmpty()) {
                    int[] members = lost.toArray();
                    Linked r = rescue(members, reached::contains, ANY, null, l);
                    if (r == null) {
                        break;
                    }
                    dropped |= r.dropped() != NONE_DROPPED;
                    // A reached node now names the member linked in.
                    extendReach(r.member(), l, reached, Integer.MAX_VALUE);
                    lost.andNot(reached);
                }
                if (!dropped) {
                    break;
                }
                // A link dropped to make room may have been the only way into a group larger than
                // the walk of island() follows (many copies of one vector): walk the level again.
                reached = new RoaringBitmap();
                extendReach(g.entryId(), l, reached, Integer.MAX_VALUE);
                lost = RoaringBitmap.andNot(onLevel, reached);
            }
        }
    }

    /**
     * Adds to {@code reached} what the written lists of {@code level} reach from {@code from},
     * and returns the nodes it added, from first; null, having stopped, once more than
     * {@code limit} were added.
     */
    private IntList extendReach(int from, int level, RoaringBitmap reached, int limit) {
        return extendReach(from, level, reached, limit, from, null);
    }

    /** {@link #extendReach(int, int, RoaringBitmap, int)} as if {@code id}'s list were {@code list} (when not null). */
    private IntList extendReach(int from, int level, RoaringBitmap reached, int limit, int id, int[] list) {
        IntList queue = new IntList();
        reached.add(from);
        queue.add(from);
        for (int i = 0; i < queue.size; i++) {
            if (queue.size > limit) {
                return null;
            }
            int[] out = list != null && queue.a[i] == id ? list : Links.read(txn, index, queue.a[i], level);
            if (out != null) {
                for (int y : out) {
                    if (reached.checkedAdd(y)) {
                        queue.add(y);
                    }
                }
            }
        }
        return queue;
    }

    /**
     * Walks the levels from the top while they have at most {@link #SMALL_LEVEL} nodes, and links
     * in what the walk does not reach. In an index of at most that many items every node of every
     * level is known, so nothing unreachable stays; in a larger one the walk finds the nodes that
     * link to a reached node without being reached, and those of {@code changed} (new, or lost an
     * incoming link in this build) that it does not reach. An island with no link out that this
     * build did not cut off stays unseen (finding it would take a scan).
     */
    void linkSmallLevels(RoaringBitmap after, List<Long> changed) {
        if (!g.hasEntry()) {
            return;
        }
        RoaringBitmap[] levels = after.getLongCardinality() <= SMALL_LEVEL ? levelsOf(after, g.maxLevel()) : null;
        for (int l = g.maxLevel(); l >= 0; l--) {
            RoaringBitmap changedHere = null;
            for (int round = 0; round < SMALL_LEVEL_ROUNDS; round++) {
                RoaringBitmap reached = new RoaringBitmap();
                RoaringBitmap lost = new RoaringBitmap();
                if (!walk(g.entryId(), l, reached, lost)) {
                    return; // this level is large, and so are the ones below it
                }
                if (levels != null) {
                    lost.or(RoaringBitmap.andNot(levels[l], reached));
                } else {
                    // A group that lost its way in and names nothing outside is not among the
                    // nodes that link to the walk; the node that lost the link in this build's
                    // writes, or the entry point a new node replaced, is among these (not one cut
                    // off by a rescue's drop; see ARCHITECTURE.md).
                    // (A backward walk from it can take it as reachable: such a group's members
                    // may name one another many times over; 133 nodes of a level, a fuzzing mix.)
                    if (changedHere == null) {
                        changedHere = stillOnLevel(changed, l);
                    }
                    lost.or(RoaringBitmap.andNot(changedHere, reached));
                }
                if (lost.isEmpty() || rescue(lost.toArray(), reached::contains, ANY, reached.toArray(), l) == null) {
                    break;
                }
            }
        }
    }

    /** The ids of {@code changed} ({@link #suspect}s) on {@code level} that still have a list there. */
    private RoaringBitmap stillOnLevel(List<Long> changed, int level) {
        RoaringBitmap ids = new RoaringBitmap();
        for (long k : changed) {
            int id = (int) (k >>> 8);
            if ((k & 0xFF) == level && !ids.contains(id) && Links.read(txn, index, id, level) != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The nodes on each level 0..top among {@code ids} (a small index: reads every node's lists). */
    private RoaringBitmap[] levelsOf(RoaringBitmap ids, int top) {
        RoaringBitmap[] levels = new RoaringBitmap[top + 1];
        for (int l = 0; l <= top; l++) {
            levels[l] = new RoaringBitmap();
        }
        for (int id : ids) {
            for (int l = 0; l <= top && Links.read(txn, index, id, l) != null; l++) {
                levels[l].add(id);
            }
        }
        return levels;
    }

    /**
     * Collects in {@code reached} what a walk from {@code entry} on {@code level} reaches, and in
     * {@code lost} the nodes that link to a reached node without being reached. Returns false,
     * having stopped, when the level has more than {@link #SMALL_LEVEL} reachable nodes.
     */
    private boolean walk(int entry, int level, RoaringBitmap reached, RoaringBitmap lost) {
        IntList queue = extendReach(entry, level, reached, SMALL_LEVEL);
        if (queue == null) {
            return false;
        }
        for (int i = 0; i < queue.size; i++) {
            int[] in = Links.read(txn, index, queue.a[i], Links.IN | level);
            if (in != null) {
                for (int p : in) {
                    if (!reached.contains(p)) {
                        lost.add(p);
                    }
                }
            }
        }
        return true;
    }

    /**
     * How many nodes the walk from a list's owner queues before it gives up looking for a node the
     * list no longer names ({@link #linkDroppedTargets}): it reads the owner's list and those of
     * its first neighbours, a hop or so, not 256 lists.
     */
    static final int DROPPED_WALK = 256;

    /**
     * For each far link a prune of this build dropped, or a repair passed over
     * ({@code drops}: from, to, level triples; {@link BuildWorker#farDrops}), walks forward from
     * the node that dropped it along the written lists until {@link #DROPPED_WALK} nodes are
     * queued; when the walk does not meet the node dropped, that node gets a link from the nearest
     * of the dropping node and its neighbours, one with room first. A host without room gives up
     * its farthest link that stays reached by the guards of {@link #linkIn}; on a large level those
     * cannot see a cluster cut off (a review helper's case: a host's only link into a 200-node
     * cluster went for a link into a 20-node one), so the link it gave up is checked the same way,
     * within a budget. One check per node and level.
     *
     * <p>A prune keeps a list's closest and most varied neighbours; in tight clusters the few
     * links from one cluster to another look covered by the list's own cluster, and reverse links
     * pruned them away one by one until a whole cluster had no link in on level 0, while its nodes
     * had so many incoming links among themselves that no backward walk took them for an island
     * (m 4, three clusters of 8-d points 0.001 apart, batches of 500 with a fifth deleted now and
     * then: 577-906 nodes of level 0 in 6 of 600 one-thread builds; TightClustersTest). The walk
     * is short, so most links it adds are not needed (a review helper found every target already
     * reachable from the entry point in streams without a cut-off), which costs a link each.
     */
    void linkDroppedTargets(IntList drops, RoaringBitmap inserted) {
        if (!g.hasEntry()) {
            return;
        }
        java.util.Set<Long> checked = new java.util.HashSet<>(); // one check per target and level
        int budget = drops.size / 3 + 64; // checks of links given up to make room
        for (int i = 0; i + 2 < drops.size; i += 3) {
            int from = drops.a[i];
            int to = drops.a[i + 1];
            int level = drops.a[i + 2];
            if (to == g.entryId() || removed(from, inserted) || removed(to, inserted) || !checked.add(suspect(to, level))) {
                continue;
            }
            if (meets(from, to, level) || Links.read(txn, index, to, level) == null) {
                continue;
            }
            // hosts on the dropping side: the node itself and its neighbours (the rescue's walks
            // from `to` would search its own side, which the walk from `from` did not reach)
            int[] out = Links.read(txn, index, from, level);
            if (out == null) {
                out = Links.EMPTY; // no list here any more: linkIn then refuses from as host too
            }
            int[] hosts = Arrays.copyOf(out, out.length + 1);
            hosts[out.length] = from;
            float[] d = new float[hosts.length];
            Integer[] order = nearestFirst(to, hosts, y -> y != to, d);
            long r = NO_LINK;
            int host = -1;
            for (int pass = 0; pass < 2 && r == NO_LINK; pass++) {
                for (int h : order) {
                    if (d[h] == Float.MAX_VALUE) {
                        break;
                    }
                    if (pass == 0) {
                        int[] hl = Links.read(txn, index, hosts[h], level);
                        if (hl == null || hl.length >= g.cap(level)) {
                            continue;
                        }
                    }
                    r = linkIn(hosts[h], to, level);
                    if (r != NO_LINK) {
                        host = hosts[h];
                        break;
                    }
                }
            }
            if (r != NO_LINK && r != NONE_DROPPED && budget-- > 0) {
                int z = (int) r;
                checked.remove(suspect(z, level));
                drops.add(host);
                drops.add(z);
                drops.add(level);
            }
        }
    }

    /** Whether {@code id} is removed by this build and not inserted again. */
    private boolean removed(int id, RoaringBitmap inserted) {
        return g.blocked.contains(id) && !inserted.contains(id);
    }

    /** Whether a breadth-first walk from {@code from} along the written lists of {@code level} meets {@code to} before {@link #DROPPED_WALK} nodes are queued. */
    private boolean meets(int from, int to, int level) {
        IntList queue = new IntList();
        RoaringBitmap reached = RoaringBitmap.bitmapOf(from);
        queue.add(from);
        for (int i = 0; i < queue.size && queue.size < DROPPED_WALK; i++) {
            int[] out = Links.read(txn, index, queue.a[i], level);
            if (out == null) {
                continue;
            }
            for (int y : out) {
                if (y == to) {
                    return true;
                }
                if (reached.checkedAdd(y)) {
                    queue.add(y);
                }
            }
        }
        return false;
    }

    /** A suspect of {@link #linkSuspects}: the (unsigned) id above its level byte. */
    static long suspect(int id, int level) {
        return (Integer.toUnsignedLong(id) << 8) | level;
    }

    /**
     * Finds the islands among the suspects ({@link #suspect}: new nodes, and nodes that lost an
     * incoming link, left with fewer than {@link #ISLAND_LIMIT}) and gives each a link in from
     * outside. Costs a few list reads per suspect in a normal graph, never a scan: a node is in an
     * island when walking its incoming links backwards ends without meeting the entry point,
     * within {@link #ISLAND_LIMIT} nodes or, while the walk stays narrow, {@link #NARROW_LIMIT}.
     */
    void linkSuspects(List<Long> suspects, RoaringBitmap inserted) {
        if (!g.hasEntry()) {
            return;
        }
        ArrayDeque<Long> queue = new ArrayDeque<>(suspects);
        int budget = 4 * suspects.size() + 64; // each rescue re-checks at most a few nodes
        Reachability[] known = new Reachability[Links.MAX_LEVEL + 1];
        while (!queue.isEmpty() && budget-- > 0) {
            long k = queue.poll();
            int x = (int) (k >>> 8);
            int l = (int) (k & 0xFF);
            if (x == g.entryId() || (g.blocked.contains(x) && !inserted.contains(x))) {
                continue;
            }
            int[] island = island(x, l);
            if (island == null) {
                continue;
            }
            // Not every node outside the island is reachable: x's own neighbours may be reached
            // only through x (x had lost its last incoming link, its neighbour only named it back;
            // a rescue from that neighbour closed a ring of three that nothing named, a fuzzing
            // mix's one failing check in 640 builds). So a host must have a way in itself.
            Reachability reach = known[l] != null ? known[l] : (known[l] = new Reachability(l));
            Linked r = rescue(island, y -> !contains(island, y), reach, null, l);
            if (r == null) {
                continue; // nothing could take it; left as it is
            }
            reach.linked(r.dropped() != NONE_DROPPED);
            // Whatever lost a link in the rescue, and the members that still only reach x, go round again.
            if (r.dropped() != NONE_DROPPED) {
                queue.add(suspect((int) r.dropped(), l));
            }
            for (int y : island) {
                if (y != x) {
                    queue.add(suspect(y, l));
                }
            }
        }
    }

    /**
     * Whether a search can reach a node on one level, as rescues ask it of host after host,
     * remembered while the graph allows: a node found cut off takes its whole island with it
     * (a node reached by any of them would be reached itself); a new link may bring cut-off nodes
     * in, so those are forgotten after each rescue, and a link dropped by one may cut reached
     * nodes off, so those are forgotten then too. Asked afresh, the hosts of an island of copies
     * of one vector (m = 2) walked the same rings of up to {@link #NARROW_LIMIT} nodes for every
     * member and each of its neighbours: incremental builds of 1,500 copies took 20-180 s (a
     * review helper's runs).
     */
    private final class Reachability implements IntPredicate {
        private final int level;
        private final RoaringBitmap reached = new RoaringBitmap();
        private final RoaringBitmap cutOff = new RoaringBitmap();

        Reachability(int level) {
            this.level = level;
        }

        @Override
        public boolean test(int y) {
            if (y == g.entryId() || reached.contains(y)) {
                return true;
            }
            if (cutOff.contains(y)) {
                return false;
            }
            int[] island = island(y, level);
            if (island == null) {
                reached.add(y);
                return true;
            }
            cutOff.add(island);
            return false;
        }

        /** A rescue added a link, and when {@code dropped}, took one away. */
        void linked(boolean dropped) {
            cutOff.clear();
            if (dropped) {
                reached.clear();
            }
        }
    }

    /**
     * The nodes that reach {@code x} on {@code level} (x first) when the walk of
     * {@link #island(int, int, int)} finds them all and they exclude the entry point: an island no
     * search enters. Null when x is reachable, or has too many ancestors to tell, which the limits
     * take as reachable.
     */
    private int[] island(int x, int level) {
        return island(x, level, x);
    }

    /**
     * {@link #island(int, int)} as if the link {@code without -> x} were gone. Past
     * {@link #ISLAND_LIMIT} nodes the walk goes on while it stays narrow, having met at most
     * {@link #ISLAND_LIMIT} plus two nodes per incoming list read so far, up to
     * {@link #NARROW_LIMIT}: a run of copies of one vector keeps one copy per list, so its members
     * name each other one or two at a time, and two-thread builds left such rings of 18-50 copies
     * that nothing outside named, about one build in 1,600 of a fuzzing mix
     * (docs/bench-2026-11-25-s30/). A reachable node's walk in a normal graph widens at once (a
     * level-0 node has ~m0/2 incoming links), so it still stops after the same few reads.
     */
    private int[] island(int x, int level, int without) {
        IntList seen = new IntList();
        RoaringBitmap met = RoaringBitmap.bitmapOf(x); // what seen holds: a walk may meet 1,024 nodes
        seen.add(x);
        for (int i = 0; i < seen.size; i++) {
            int[] in = Links.read(txn, index, seen.a[i], Links.IN | level);
            if (in == null) {
                continue;
            }
            for (int p : in) {
                if (i == 0 && p == without) {
                    continue;
                }
                if (p == g.entryId()) {
                    return null;
                }
                if (!met.contains(p)) {
                    if (seen.size >= ISLAND_LIMIT && (seen.size >= NARROW_LIMIT || seen.size >= ISLAND_LIMIT + 2 * (i + 1))) {
                        return null;
                    }
                    seen.add(p);
                    met.add(p);
                }
            }
        }
        return seen.toArray();
    }

    private long itemAddress(int id) {
        ByteBuffer v = items.item(id);
        return v == null ? 0 : NativeMemory.address(v);
    }

    /**
     * Gives an island (nodes no list outside it names at {@code level}: pruning dropped the links
     * into it, or the nodes that held them were deleted) a way in. The member links of the island
     * to nodes {@code outside} accepts are tried from the closest outward: that neighbour takes the
     * member ({@link #linkIn}) if {@code reachable} says a search can reach it (asked only of the
     * hosts tried, as it may walk the graph). When none can, the closest of {@code others} (or the entry point,
     * when null) that can take a link takes the first member. Exact incoming lists make these
     * nodes known without a scan. Returns the link added, or null when none could be.
     */
    private Linked rescue(int[] island, IntPredicate outside, IntPredicate reachable, int[] others, int level) {
        int searchedFurther = 0;
        for (int x : island) {
            int[] out = Links.read(txn, index, x, level);
            if (out == null || out.length == 0) {
                continue;
            }
            float[] d = new float[out.length];
            for (int i : nearestFirst(x, out, outside, d)) {
                if (d[i] == Float.MAX_VALUE) {
                    break;
                }
                long r = reachable.test(out[i]) ? linkIn(out[i], x, level) : NO_LINK;
                if (r != NO_LINK) {
                    return new Linked(x, r);
                }
            }
            // Its own neighbours are full of links they may not drop (many copies of one vector
            // fill them with rescue links): the nearest nodes further out, copies first. For the
            // first few members only: an island of ~1,000 copies whose every nearby host refused
            // walked 256 nodes per member, per rescue, and builds of 1,500 copies took minutes
            // (a review helper's runs). The price: when the fallback below (the entry point) is
            // full too, such an island stays cut off more often (1,385 against 1,214 nodes in
            // 30 such builds at m = 2, which check reports; docs/bench-2026-11-25-s33).
            if (searchedFurther++ >= NEARBY_MEMBERS) {
                continue;
            }
            for (int y : nearby(x, level, outside)) {
                long r = reachable.test(y) ? linkIn(y, x, level) : NO_LINK;
                if (r != NO_LINK) {
                    return new Linked(x, r);
                }
            }
        }
        // No member links out: the closest of the other nodes that can take a link, the entry point at least.
        int[] from = others != null ? others : new int[] {g.entryId()};
        float[] d = new float[from.length];
        for (int i : nearestFirst(island[0], from, y -> true, d)) {
            long r = linkIn(from[i], island[0], level);
            if (r != NO_LINK) {
                return new Linked(island[0], r);
            }
        }
        return null;
    }

    /**
     * The nodes {@code outside} accepts among the {@link #NEARBY} found by a best-first walk from
     * {@code x} along the written lists of {@code level}, nearest to x first. An island of copies
     * of one vector is named by only a few reached copies, whose lists its rescues fill; the walk
     * goes through the copies (distance 0) first and so finds those rescued before.
     */
    private int[] nearby(int x, int level, IntPredicate outside) {
        long xa = itemAddress(x);
        if (xa == 0) {
            return new int[0];
        }
        int[] ids = new int[NEARBY];
        float[] dist = new float[NEARBY];
        boolean[] expanded = new boolean[NEARBY];
        RoaringBitmap seen = RoaringBitmap.bitmapOf(x);
        int n = 0;
        int next = -1; // expand x itself first
        while (true) {
            int[] out = Links.read(txn, index, next < 0 ? x : ids[next], level);
            if (out != null) {
                for (int y : out) {
                    if (n < NEARBY && seen.checkedAdd(y)) {
                        long a = itemAddress(y);
                        ids[n] = y;
                        dist[n] = a == 0 ? Float.MAX_VALUE : g.distance.distance(xa, a);
                        n++;
                    }
                }
            }
            next = -1;
            for (int i = 0; i < n; i++) {
                if (!expanded[i] && dist[i] != Float.MAX_VALUE && (next < 0 || dist[i] < dist[next])) {
                    next = i;
                }
            }
            if (next < 0 || n >= NEARBY) {
                break;
            }
            expanded[next] = true;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(dist[p], dist[q]));
        IntList found = new IntList();
        for (int i : order) {
            if (dist[i] != Float.MAX_VALUE && outside.test(ids[i])) {
                found.add(ids[i]);
            }
        }
        return Arrays.copyOf(found.a, found.size);
    }

    /**
     * Positions in {@code ids}, nearest to item {@code from} first; {@code d} receives the
     * distances, {@link Float#MAX_VALUE} for the ids {@code use} refuses or that have no vector.
     * Measured before the caller writes: write transaction values move when pages change.
     */
    private Integer[] nearestFirst(int from, int[] ids, IntPredicate use, float[] d) {
        long fa = itemAddress(from);
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            long a = use.test(ids[i]) ? itemAddress(ids[i]) : 0;
            d[i] = a == 0 ? Float.MAX_VALUE : g.distance.distance(fa, a);
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(d[p], d[q]));
        return order;
    }

    /**
     * Adds the link {@code y -> x} on {@code level}. When y's list is full it drops its farthest
     * link whose target keeps another incoming link, stays reachable without this one (the walk of
     * {@link #island}) and was not added by a rescue. Returns the (unsigned) id that lost its
     * link, {@link #NONE_DROPPED}, or {@link #NO_LINK} when y could take no link.
     */
    private long linkIn(int y, int x, int level) {
        int[] yl = Links.read(txn, index, y, level);
        if (yl == null || y == x || contains(yl, x)) {
            return NO_LINK;
        }
        int replace = -1;
        int[] replacedIn = null; // the incoming list of yl[replace], read while choosing it
        if (yl.length >= g.cap(level)) {
            Integer[] order = nearestFirst(y, yl, z -> true, new float[yl.length]);
            for (int k = order.length - 1; k >= 0; k--) {
                int i = order[k];
                int z = yl[i];
                int[] zin = Links.read(txn, index, z, Links.IN | level);
                if (zin != null && zin.length >= 2 && !rescueLinks.contains(new Link(y, z, level)) && island(z, level, y) == null
                        && !cutsOff(y, yl, i, x, level)) {
                    replace = i;
                    replacedIn = zin;
                    break;
                }
            }
            if (replace < 0) {
                return NO_LINK;
            }
        }
        int[] now;
        long dropped = NONE_DROPPED;
        if (replace < 0) {
            now = Arrays.copyOf(yl, yl.length + 1);
            now[yl.length] = x;
        } else {
            int z = yl[replace];
            dropped = Integer.toUnsignedLong(z);
            now = yl.clone();
            now[replace] = x;
            int[] left = Arrays.stream(replacedIn).filter(v -> v != y).toArray();
            Links.write(txn, index, z, Links.IN | level, left, left.length);
        }
        Links.write(txn, index, y, level, now, now.length);
        int[] xin = Links.read(txn, index, x, Links.IN | level);
        RoaringBitmap xs = xin == null ? new RoaringBitmap() : RoaringBitmap.bitmapOf(xin);
        xs.add(y);
        int[] xNow = xs.toArray();
        Links.write(txn, index, x, Links.IN | level, xNow, xNow.length);
        touched.add(y);
        rescueLinks.add(new Link(y, x, level));
        return dropped;
    }

    /**
     * Whether y taking x in place of its link {@code yl[i]} would leave that node unreachable, on a
     * level of at most {@link #SMALL_LEVEL} reachable nodes, which a walk from the entry point
     * with y's list as it would be answers exactly. The backward walk of {@link #island} cannot
     * tell: a node named by many nodes that are themselves reached only through y looks wide, and
     * so reachable (IslandRescueTest). On a larger level the walk gives up after that many nodes,
     * once per level and build, and the answer is no.
     */
    private boolean cutsOff(int y, int[] yl, int i, int x, int level) {
        if (largeLevels.contains(level)) {
            return false;
        }
        int[] tried = yl.clone();
        tried[i] = x;
        RoaringBitmap reached = new RoaringBitmap();
        boolean small = extendReach(g.entryId(), level, reached, SMALL_LEVEL, y, tried) != null;
        if (!small) {
            largeLevels.add(level);
            return false;
        }
        return !reached.contains(yl[i]);
    }

    /** Levels on which {@link #cutsOff} found more than {@link #SMALL_LEVEL} reachable nodes. */
    private final RoaringBitmap largeLevels = new RoaringBitmap();

    /** A {@code reachable} test for the callers of {@link #rescue} whose {@code outside} is the reached set itself. */
    private static final IntPredicate ANY = y -> true;

    private static boolean contains(int[] a, int v) {
        return IntList.contains(a, a.length, v);
    }
}
