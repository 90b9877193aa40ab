package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.ItemStore;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

class IslandRescueTest {
    @TempDir
    Path dir;

    /**
     * A suspect with no incoming link whose only neighbour is reached through it alone: that
     * neighbour must not be the host of its rescue (it was, and the two then named each other and
     * nothing else did; a fuzzing mix of copies and deletes, one failing check in 640 builds).
     */
    @Test
    void aNodeReachedOnlyThroughTheSuspectDoesNotHostItsRescue() {
        int e = 0, r = 1, x = 2, y = 3, z = 4;
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                // x nearest to y, then z, then r: the old rule tried y first
                w.add(e, new float[] {0, 0});
                w.add(r, new float[] {1, 0});
                w.add(x, new float[] {5, 0});
                w.add(y, new float[] {5.1f, 0});
                w.add(z, new float[] {5.3f, 0});
                w.build(HnswBuildOptions.builder().m(4).threads(1).build());
                // the graph of the case, on level 0 only: e <-> r, and x -> y -> z -> r
                for (int id = 0; id < 5; id++) {
                    for (int l = 1; l <= Links.MAX_LEVEL; l++) {
                        txn.delete(0, io.quiver.storage.KeyKind.LINKS, id, l);
                        txn.delete(0, io.quiver.storage.KeyKind.LINKS, id, Links.IN | l);
                    }
                }
                int[][] out = {{r}, {e}, {y}, {z}, {r}};
                int[][] in = {{r}, {e, z}, {}, {x}, {y}};
                for (int id = 0; id < 5; id++) {
                    Links.write(txn, 0, id, 0, out[id], out[id].length);
                    if (in[id].length == 0) {
                        txn.delete(0, io.quiver.storage.KeyKind.LINKS, id, Links.IN);
                    } else {
                        Links.write(txn, 0, id, Links.IN, in[id], in[id].length);
                    }
                }
                HnswMetadata old = HnswMetadata.read(txn, 0);
                new HnswMetadata(true, e, 0, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed()).write(txn, 0);
                ItemStore items = ItemStore.open(txn, 0);
                BuildGraph g = new BuildGraph(0, items.distance(), null, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed(), new RoaringBitmap());
                g.setEntry(e, 0);
                new IslandRescue(txn, items, g, new RoaringBitmap()).linkSuspects(List.of(IslandRescue.suspect(x, 0)), new RoaringBitmap());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
                assertThat(Links.read(txn, 0, y, 0)).containsExactly(z);
            }
        }
    }

    /**
     * A ring of 20 copies of one vector, each naming the next (a full list keeps one copy of its
     * own vector), that nothing outside names any more: more nodes than {@link
     * IslandRescue#ISLAND_LIMIT}, but a narrow walk, which the build follows to the end and links
     * in. The shape of the islands two-thread builds of many copies left, about one in 1,600.
     */
    @Test
    void aNarrowRingOfCopiesLargerThanTheIslandLimitIsLinkedIn() {
        int others = 6;
        int ring = 20;
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                buildLineAndGroup(txn, others, ring, 0);
                int n = others + ring;
                // level 0 only: the others form a ring through the entry point 0; copy c names
                // copy c+1 (the last names the first), and the first copy also names node 2
                int[][] out = new int[n][];
                for (int id = 0; id < others; id++) {
                    out[id] = new int[] {(id + 1) % others, (id + others - 1) % others};
                }
                for (int c = 0; c < ring; c++) {
                    int next = others + (c + 1) % ring;
                    out[others + c] = c == 0 ? new int[] {next, 2} : new int[] {next};
                }
                replaceGraph(txn, out, 0);
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).anySatisfy(p -> assertThat(p).contains("20 node(s) on level 0 are unreachable"));
            }
            store.write(txn -> {
                // the copy that lost the link from outside heads the walk
                rescuer(txn, 0).linkSuspects(List.of(IslandRescue.suspect(others + 5, 0)), new RoaringBitmap());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
        }
    }

    /**
     * A rescue must not make room in a full host by dropping the host's only link into a part of
     * the level: here y's farthest link z leads to 20 nodes that all name z back, so the backward
     * walk from z looks wide and took z as reachable without y; dropping it cut those 21 nodes
     * off. The host drops a link whose target stays reached instead.
     */
    @Test
    void aRescueDoesNotDropAHostsOnlyLinkIntoPartOfTheLevel() {
        int e = 0, y = 8, x = 9, z = 10, firstC = 11, n = 31;
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                w.add(e, new float[] {0, 0});
                for (int r = 1; r <= 7; r++) {
                    w.add(r, new float[] {5, r});
                }
                w.add(y, new float[] {10, 0});
                w.add(x, new float[] {11, 0});
                w.add(z, new float[] {10, 30});
                for (int c = firstC; c < n; c++) {
                    w.add(c, new float[] {10 + 0.1f * (c - firstC), 31});
                }
                w.build(HnswBuildOptions.builder().m(4).threads(1).build()); // m0 8
                // e names r1..r7 and y; y's list is full (r1..r7 and z); z names c1, the c's a ring
                // that also names z; x, the suspect, names y and nothing names it
                int[][] out = new int[n][];
                out[e] = new int[] {1, 2, 3, 4, 5, 6, 7, y};
                for (int r = 1; r <= 7; r++) {
                    out[r] = new int[] {e};
                }
                out[y] = new int[] {1, 2, 3, 4, 5, 6, 7, z};
                out[x] = new int[] {y};
                out[z] = new int[] {firstC};
                for (int c = firstC; c < n; c++) {
                    out[c] = new int[] {c + 1 < n ? c + 1 : firstC, z};
                }
                replaceGraph(txn, out, e);
                rescuer(txn, e).linkSuspects(List.of(IslandRescue.suspect(x, 0)), new RoaringBitmap());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
                assertThat(Links.read(txn, 0, y, 0)).contains(x, z);
            }
        }
    }

    /**
     * A group that this build cut off, whose members name one node of theirs many times over and
     * nothing outside: the node that lost the link has too many incoming links to be a suspect,
     * and no member links to what a walk from the entry point reaches. On a level small enough to
     * walk whole, the nodes that lost an incoming link are checked against the walk (a fuzzing
     * mix left 133 nodes of a level so).
     */
    @Test
    void aGroupCutOffOnASmallLevelIsLinkedInThoughItsWalksLookWide() {
        int others = 6;
        int group = 20;
        int n = others + group;
        int hub = others; // named by every other member
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                buildLineAndGroup(txn, others, group, 0.01f);
                int[][] out = new int[n][];
                for (int id = 0; id < others; id++) {
                    out[id] = new int[] {(id + 1) % others, (id + others - 1) % others};
                }
                out[hub] = new int[] {hub + 1};
                for (int c = hub + 1; c < n; c++) {
                    out[c] = new int[] {c + 1 < n ? c + 1 : hub + 1, hub};
                }
                replaceGraph(txn, out, 0);
            });
            store.write(txn -> {
                IslandRescue islands = rescuer(txn, 0);
                // the hub lost the link that led in; with 19 incoming links it is no suspect of the
                // build, and a backward walk from it looks wide and takes it as reachable
                islands.linkSuspects(List.of(IslandRescue.suspect(hub, 0)), new RoaringBitmap());
                RoaringBitmap manyItems = new RoaringBitmap();
                manyItems.add(0L, 2_000L); // more than SMALL_LEVEL: the level's members are not read
                islands.linkSmallLevels(manyItems, List.of(IslandRescue.suspect(hub, 0)));
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
        }
    }

    /**
     * A new node that takes over as entry point on a level above the old one: on the old top
     * level, nothing named the old entry point (it needed no incoming link) and the rest of that
     * level hung behind it in a chain. The walk of that small level from the new entry point
     * meets only what the new node links to; the nodes that link into that walk are linked in one
     * round at a time, back along the chain to the old entry point (an index of more than
     * {@link IslandRescue#SMALL_LEVEL} items, so the level's members are not listed).
     */
    @Test
    void theChainBehindAReplacedEntryPointIsLinkedIn() {
        int n = 1_100;
        try (Store store = Store.open(dir)) {
            int[] newId = new int[1];
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                for (int id = 0; id < n; id++) {
                    w.add(id, new float[] {id, 0});
                }
                w.build(HnswBuildOptions.builder().m(4).threads(1).build());
                // level 0: a line, linked both ways; level 1: the chain 0 -> 1 -> ... -> 5, entry 0
                int[][] out = new int[n][];
                for (int id = 0; id < n; id++) {
                    out[id] = id == 0 ? new int[] {1} : id == n - 1 ? new int[] {id - 1} : new int[] {id - 1, id + 1};
                }
                replaceGraph(txn, out, 0);
                for (int id = 0; id <= 5; id++) {
                    int[] next = id < 5 ? new int[] {id + 1} : new int[0];
                    Links.write(txn, 0, id, 1, next, next.length);
                    if (id > 0) {
                        Links.write(txn, 0, id, Links.IN | 1, new int[] {id - 1}, 1);
                    }
                }
                HnswMetadata old = HnswMetadata.read(txn, 0);
                new HnswMetadata(true, 0, 1, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed()).write(txn, 0);
                BuildGraph g = new BuildGraph(0, ItemStore.open(txn, 0).distance(), null, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed(), new RoaringBitmap());
                int id = n;
                while (g.randomLevel(id) < 2) {
                    id++;
                }
                newId[0] = id;
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                w.add(newId[0], new float[] {5.4f, 0}); // next to the end of the chain, far from the old entry point
                w.build(HnswBuildOptions.builder().threads(1).build());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswMetadata.read(txn, 0).entry()).isEqualTo(newId[0]);
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
        }
    }

    /**
     * A far drop's target linked back in from a host with no room must not cost another cluster
     * its only way in (a review helper's case): a line of 1,100 nodes whose end names the one node
     * leading into a 200-node cluster, and a 20-node cluster nothing names; every list is full.
     * The link the host gives up is checked as a far drop too, and its target linked in again.
     */
    @Test
    void linkingInADroppedTargetDoesNotCutOffAnotherCluster() {
        int line = 1_100, big = 200, small = 20;
        int end = line - 1, bigFirst = line, smallFirst = line + big;
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
                for (int i = 0; i < line; i++) {
                    w.add(i, new float[] {i, 0});
                }
                for (int k = 0; k < big; k++) {
                    w.add(bigFirst + k, new float[] {-2000 + 0.01f * k, 0});
                }
                for (int k = 0; k < small; k++) {
                    w.add(smallFirst + k, new float[] {line - 1 + 0.01f * k, 300});
                }
                w.build(HnswBuildOptions.builder().m(4).threads(1).build());
                int[][] out = new int[line + big + small][];
                for (int i = 0; i < line; i++) {
                    // its 8 nearest on the line: every list full (m0 8)
                    int from = Math.max(0, Math.min(i - 4, line - 9));
                    IntList l = new IntList();
                    for (int j = from; j <= from + 8; j++) {
                        if (j != i) {
                            l.add(j);
                        }
                    }
                    out[i] = l.toArray();
                }
                out[end] = new int[] {1092, 1093, 1094, 1095, 1096, 1097, 1098, bigFirst};
                java.util.Random r = new java.util.Random(1);
                for (int k = 0; k < big; k++) {
                    out[bigFirst + k] = randomList(r, bigFirst, big, k);
                }
                for (int k = 0; k < small; k++) {
                    out[smallFirst + k] = randomList(r, smallFirst, small, k);
                }
                replaceGraph(txn, out, 0);
            });
            store.write(txn -> {
                IntList drops = new IntList();
                drops.add(end);
                drops.add(smallFirst);
                drops.add(0);
                rescuer(txn, 0).linkDroppedTargets(drops, new RoaringBitmap());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
        }
    }

    /** 8 members of a group of {@code size} from {@code first}, the next one (k + 1) among them, for member k. */
    private static int[] randomList(java.util.Random r, int first, int size, int k) {
        java.util.Set<Integer> s = new java.util.LinkedHashSet<>();
        s.add(first + (k + 1) % size);
        while (s.size() < 8) {
            int j = r.nextInt(size);
            if (j != k) {
                s.add(first + j);
            }
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Builds index 0 (m 4) of {@code others} points on a line, ids from 0, then {@code group}
     * points near (2.5, 3), {@code spread} apart; the tests then replace its lists.
     */
    private static void buildLineAndGroup(io.quiver.storage.WriteTxn txn, int others, int group, float spread) {
        HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 2);
        for (int id = 0; id < others; id++) {
            w.add(id, new float[] {id, 0});
        }
        for (int c = 0; c < group; c++) {
            w.add(others + c, new float[] {2.5f + spread * c, 3});
        }
        w.build(HnswBuildOptions.builder().m(4).threads(1).build());
    }

    /**
     * Replaces the lists of nodes 0..out.length-1 by {@code out} on level 0 (no other level), with
     * their incoming lists as its transpose, and makes {@code entry} the entry point.
     */
    private static void replaceGraph(io.quiver.storage.WriteTxn txn, int[][] out, int entry) {
        for (int id = 0; id < out.length; id++) {
            for (int l = 0; l <= Links.MAX_LEVEL; l++) {
                txn.delete(0, io.quiver.storage.KeyKind.LINKS, id, l);
                txn.delete(0, io.quiver.storage.KeyKind.LINKS, id, Links.IN | l);
            }
        }
        writeWithIncoming(txn, out);
        HnswMetadata old = HnswMetadata.read(txn, 0);
        new HnswMetadata(true, entry, 0, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed()).write(txn, 0);
    }

    /** The island rescue of a build of index 0 whose entry point is {@code entry} on level 0. */
    private static IslandRescue rescuer(io.quiver.storage.WriteTxn txn, int entry) {
        HnswMetadata old = HnswMetadata.read(txn, 0);
        ItemStore items = ItemStore.open(txn, 0);
        BuildGraph g = new BuildGraph(0, items.distance(), null, old.m(), old.m0(), old.efConstruction(), old.alpha(), old.seed(), new RoaringBitmap());
        g.setEntry(entry, 0);
        return new IslandRescue(txn, items, g, new RoaringBitmap());
    }

    /** Writes each node's level-0 list and, as their transpose, the incoming lists. */
    private static void writeWithIncoming(io.quiver.storage.WriteTxn txn, int[][] out) {
        java.util.List<java.util.List<Integer>> in = new java.util.ArrayList<>();
        for (int id = 0; id < out.length; id++) {
            in.add(new java.util.ArrayList<>());
        }
        for (int id = 0; id < out.length; id++) {
            Links.write(txn, 0, id, 0, out[id], out[id].length);
            for (int t : out[id]) {
                in.get(t).add(id);
            }
        }
        for (int id = 0; id < out.length; id++) {
            int[] list = in.get(id).stream().mapToInt(Integer::intValue).sorted().toArray();
            if (list.length > 0) {
                Links.write(txn, 0, id, Links.IN, list, list.length);
            }
        }
    }
}
