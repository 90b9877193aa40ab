package io.quiver.index.hnsw;

import io.quiver.index.ItemStore;
import io.quiver.storage.KeyKind;
import io.quiver.storage.WriteTxn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * The write phase of a build, on the writer thread once the workers have ended: writes every
 * changed outgoing list, keeps the incoming lists their transpose by diffing each changed list
 * against what it was, then links in the islands the changes may have cut off.
 *
 * <p>{@link #write} holds no loop of its own; each step's loop sits in a small method. A process
 * runs the write phase once per batch, so the JIT compiles it through on-stack replacement, which
 * compiles the rest of a method from its hot loop on, with everything inlined into it. When one
 * method held every step, each of its loops in turn set off such a compilation of all the steps
 * after it, six times in a process's first eight 500k batches, much of it while the next batch's
 * workers needed the cores (docs/BENCHMARKS.md, thirteenth session).
 *
 * <pre>{@code
 * RoaringBitmap touched = new LinkWriter(txn, items, graph, inserted).write(removedTop, after, full, farDrops, entryBefore);
 * }</pre>
 */
final class LinkWriter {
    private final WriteTxn txn;
    private final ItemStore items;
    private final int index;
    private final BuildGraph g;
    private final RoaringBitmap inserted;
    private final IncomingLinkChanges changes = new IncomingLinkChanges();
    // Lists that may have become unreachable: a node with few incoming links that lost one (or
    // that is new) heads the check for a small island; see IslandRescue.
    private final List<Long> suspects = new ArrayList<>();
    // Every node that is new or lost an incoming link, whatever its number of incoming links: on
    // a level small enough to walk whole, any of them the walk misses is cut off (IslandRescue).
    private final List<Long> changed = new ArrayList<>();
    private int[] now = new int[64];
    private int[] was = new int[64];
    private int[] merged = new int[64];
    private final int[] count = new int[1];

    LinkWriter(WriteTxn txn, ItemStore items, BuildGraph g, RoaringBitmap inserted) {
        this.txn = txn;
        this.items = items;
        this.index = items.index();
        this.g = g;
        this.inserted = inserted;
    }

    /**
     * Writes the changed lists and their incoming lists, deletes those of the removed nodes (id →
     * top level), and links in islands. Returns the ids of the dirty nodes (their lists written, or
     * left alone when unchanged) and of the hosts the island rescue gave a link.
     */
    RoaringBitmap write(Map<Integer, Integer> removedTop, RoaringBitmap after, boolean full, IntList farDrops, long entryBefore) {
        // no loop here: each step's loop is in a method of its own (see the class comment)
        deleteRemovedLists(removedTop);
        GraphNode[] dirty = dirtyInIdOrder(g);
        RoaringBitmap touched = writeOutgoingLists(dirty);
        noteRemovedLinks(removedTop);
        changes.sort();
        noteUnlinkedNewNodes(dirty);
        changes.forEachList(this::writeIncoming);
        IslandRescue islands = new IslandRescue(txn, items, g, touched);
        if (full) {
            islands.linkUnreachable();
        }
        noteFormerEntry(entryBefore);
        islands.linkSuspects(suspects, inserted);
        if (!full) { // a build from scratch walks every level whole (linkUnreachable)
            islands.linkDroppedTargets(farDrops, inserted);
        }
        islands.linkSmallLevels(after, changed);
        return touched;
    }

    private void deleteRemovedLists(Map<Integer, Integer> removedTop) {
        for (Map.Entry<Integer, Integer> e : removedTop.entrySet()) {
            int removed = e.getKey();
            for (int l = 0; l <= e.getValue(); l++) {
                txn.delete(index, KeyKind.LINKS, removed, l);
                txn.delete(index, KeyKind.LINKS, removed, Links.IN | l);
            }
        }
    }

    private RoaringBitmap writeOutgoingLists(GraphNode[] dirty) {
        RoaringBitmap touched = new RoaringBitmap();
        for (GraphNode n : dirty) {
            touched.add(n.id);
            writeOutgoing(n);
        }
        return touched;
    }

    private void writeOutgoing(GraphNode n) {
        for (int l = 0; l <= n.level; l++) {
            writeOutgoing(n, l);
        }
    }

    /**
     * Writes n's list at level l and notes, for the incoming lists, the links it gained and lost.
     * A list whose links are those it had is left alone, in whatever order: a full list that a
     * reverse link was offered to often prunes it away again, and rewriting it would only dirty its
     * page (about one old list in nine per 1,000 inserts, at 50k and at 500k items).
     */
    private void writeOutgoing(GraphNode n, int l) {
        int[] list = n.snapshot(l);
        int[] old = n.original != null && l < n.original.length ? n.original[l] : Links.EMPTY;
        if (now.length < list.length) {
            now = new int[Math.max(list.length, 2 * now.length)];
        }
        if (was.length < old.length) {
            was = new int[Math.max(old.length, 2 * was.length)];
        }
        System.arraycopy(list, 0, now, 0, list.length);
        int a = list.length;
        int b = 0;
        for (int x : old) {
            // A deleted id may come back as a new item (changed vector): its old links are gone,
            // so a link to it is new even when the old list named it too.
            if (g.blocked.isEmpty() || !g.blocked.contains(x)) {
                was[b++] = x;
            }
        }
        Arrays.sort(now, 0, a);
        Arrays.sort(was, 0, b);
        // (an empty list is written all the same: a node that had none is given {EMPTY} as its original)
        if (a > 0 && n.original != null && l < n.original.length && b == old.length && Arrays.equals(now, 0, a, was, 0, b)) {
            return;
        }
        Links.write(txn, index, n.id, l, list, list.length);
        int i = 0;
        int j = 0;
        while (i < a || j < b) {
            if (j >= b || (i < a && now[i] < was[j])) {
                changes.add(now[i++], l, n.id);
            } else if (i >= a || was[j] < now[i]) {
                changes.drop(was[j++], l, n.id);
            } else {
                i++;
                j++;
            }
        }
    }

    /** The links the removed nodes had are gone from their targets' incoming lists. */
    private void noteRemovedLinks(Map<Integer, Integer> removedTop) {
        for (Map.Entry<Integer, Integer> e : removedTop.entrySet()) {
            int removed = e.getKey();
            for (int l = 0; l <= e.getValue(); l++) {
                for (int x : g.removedLinks.get(((long) removed << 8) | l)) {
                    if (!g.blocked.contains(x)) {
                        changes.drop(x, l, removed);
                    }
                }
            }
        }
    }

    /**
     * An entry point that a new node replaced is a suspect on each of its levels: it needed no
     * incoming link, and may have none (a two-thread fuzzing mix of tight clusters left a former
     * entry point alone on a level of more than 1,024 nodes, which no walk of a small level sees).
     */
    private void noteFormerEntry(long entryBefore) {
        if (entryBefore < 0 || !g.hasEntry() || (int) entryBefore == g.entryId() || g.blocked.contains((int) entryBefore)) {
            return;
        }
        int id = (int) entryBefore;
        for (int l = 0; l <= (int) (entryBefore >>> 32); l++) {
            suspects.add(IslandRescue.suspect(id, l));
            changed.add(IslandRescue.suspect(id, l));
        }
    }

    /** A new node that no list links to on some level is a suspect there. */
    private void noteUnlinkedNewNodes(GraphNode[] dirty) {
        for (GraphNode n : dirty) {
            if (n.original != null) {
                continue;
            }
            for (int l = 0; l <= n.level; l++) {
                if (!changes.hasAdds(n.id, l)) {
                    suspects.add(IslandRescue.suspect(n.id, l));
                    changed.add(IslandRescue.suspect(n.id, l));
                }
            }
        }
    }

    private void writeIncoming(int x, int l, long[] adds, int a0, int a1, long[] drops, int d0, int d1) {
        if (g.blocked.contains(x) && !inserted.contains(x)) {
            return;
        }
        int[] cur = Links.read(txn, index, x, Links.IN | l);
        merged = IncomingLinkChanges.apply(cur, adds, a0, a1, drops, d0, d1, merged, count);
        int n = count[0];
        if (n == 0) {
            txn.delete(index, KeyKind.LINKS, x, Links.IN | l);
        } else {
            Links.write(txn, index, x, Links.IN | l, merged, n);
        }
        // A node that was reachable and only gained incoming links stays reachable unless a link
        // on its way in was dropped, and the target of that link is a suspect itself.
        if (d1 > d0 || inserted.contains(x)) {
            changed.add(IslandRescue.suspect(x, l));
            if (n < IslandRescue.ISLAND_LIMIT) {
                suspects.add(IslandRescue.suspect(x, l));
            }
        }
    }

    /** The nodes whose lists a build writes (changed, or new), ascending by id as unsigned: key order. */
    private static GraphNode[] dirtyInIdOrder(BuildGraph g) {
        GraphNode[] found = new GraphNode[g.slotCount + g.loaded.size()];
        int n = 0;
        for (int i = 0; i < g.slotCount; i++) {
            if (g.slots[i].isDirty() || g.slots[i].original == null) {
                found[n++] = g.slots[i];
            }
        }
        for (GraphNode x : g.loaded.values()) {
            if (x.isDirty()) {
                found[n++] = x;
            }
        }
        // sorted as longs (id above, position below) rather than by a comparator, which a fresh
        // process would run interpreted ~200k times per batch
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = IncomingLinkChanges.pack(found[i].id, i);
        }
        Arrays.sort(keys);
        GraphNode[] sorted = new GraphNode[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = found[(int) keys[i]];
        }
        return sorted;
    }
}
