package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * A new node's own list and the links other workers add to it while it is being inserted. The
 * interleaving of two workers is set up by hand: another worker's reverse link is appended to the
 * new node's list before its own worker sets that list.
 */
class BuildWorkerTest {
    /** Nodes 0..n-1 at (x, 0) for the given xs, all on level 0, as slots of a fresh graph. */
    private static GraphNode[] line(BuildGraph g, Arena arena, float... xs) {
        GraphNode[] nodes = new GraphNode[xs.length];
        for (int i = 0; i < xs.length; i++) {
            long a = arena.allocate(g.distance.itemBytes(), 64).address();
            g.distance.encode(new float[] {xs[i], 0}, a);
            nodes[i] = new GraphNode(i, 0, a, a, g.m, g.m0, null);
            g.addSlot(nodes[i]);
        }
        g.freezeSlots();
        return nodes;
    }

    @Test
    void aNewNodeKeepsALinkAddedToItBeforeItsOwnList() {
        Distance d = DistanceKind.EUCLIDEAN.create(2);
        BuildGraph g = new BuildGraph(0, d, null, 4, 8, 16, 1.0f, 1, new RoaringBitmap());
        try (Arena arena = Arena.ofConfined()) {
            GraphNode[] n = line(g, arena, 0, 1, 2);
            g.setEntry(0, 0);
            // node 2, inserted by another worker, chose node 1 and appended itself to node 1's list
            assertThat(n[1].tryAppend(0, 2, g.m0)).isTrue();
            new BuildWorker(g, null, new WorkerScratch()).insert(n[1]);
            // node 1's own search found only the entry, node 0; the link from node 2 stays too
            assertThat(n[1].snapshot(0)).containsExactlyInAnyOrder(0, 2);
            assertThat(n[0].snapshot(0)).containsExactly(1);
        }
    }

    @Test
    void linksAddedBeforeItsOwnListArePrunedWithItWhenOverTheCap() {
        Distance d = DistanceKind.EUCLIDEAN.create(2);
        // level-0 lists of at most 2
        BuildGraph g = new BuildGraph(0, d, null, 2, 2, 16, 1.0f, 1, new RoaringBitmap());
        try (Arena arena = Arena.ofConfined()) {
            // node 3 at 0 is inserted; the entry, node 0, lies at -1; nodes 1 and 2, at 10 and -10,
            // linked themselves to node 3 first
            GraphNode[] n = line(g, arena, -1, 10, -10, 0);
            g.setEntry(0, 0);
            assertThat(n[3].tryAppend(0, 1, g.m0)).isTrue();
            assertThat(n[3].tryAppend(0, 2, g.m0)).isTrue();
            new BuildWorker(g, null, new WorkerScratch()).insert(n[3]);
            // {1, 2, 0} is over the cap of 2: the heuristic keeps the nearest, node 0 at -1, and
            // node 1 at +10, which node 0 does not cover; node 2 at -10 lies behind node 0
            assertThat(n[3].snapshot(0)).containsExactlyInAnyOrder(0, 1);
        }
    }
}
