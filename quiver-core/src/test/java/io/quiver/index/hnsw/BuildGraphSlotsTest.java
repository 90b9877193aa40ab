package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link BuildGraph#slot} answers the same through each of its three lookups (the hash map, the
 * array by id that {@link BuildGraph#freezeSlots} builds for dense ids, and the subtraction for
 * slots in id order), and {@link BuildGraph#slotVector} holds each slot's address.
 */
class BuildGraphSlotsTest {
    private static final Distance D = DistanceKind.EUCLIDEAN.create(2);

    private static BuildGraph graph() {
        return new BuildGraph(0, D, null, 4, 8, 16, 1.0f, 1, new RoaringBitmap());
    }

    /** Adds slots for {@code ids} in that order, with address 1000 + position; returns id -> slot. */
    private static Map<Integer, Integer> add(BuildGraph g, int... ids) {
        Map<Integer, Integer> expected = new HashMap<>();
        for (int id : ids) {
            expected.put(id, g.slotCount);
            g.addSlot(new GraphNode(id, 0, 1000L + g.slotCount, 0L, g.m, g.m0, null));
        }
        return expected;
    }

    private static void assertSlots(BuildGraph g, Map<Integer, Integer> expected, int... probes) {
        for (int id : probes) {
            assertThat(g.slot(id)).as("slot of %d", id).isEqualTo(expected.getOrDefault(id, -1));
        }
        for (var e : expected.entrySet()) {
            assertThat(g.slot(e.getKey())).as("slot of %d", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void consecutiveIdsInOrderAreFoundBySubtraction() {
        BuildGraph g = graph();
        Map<Integer, Integer> expected = add(g, 500, 501, 502, 503);
        g.freezeSlots();
        assertSlots(g, expected, 0, 499, 504, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
        assertThat(g.slotVector).containsExactly(1000L, 1001L, 1002L, 1003L);
    }

    @Test
    void consecutiveIdsOutOfOrderAreFoundThroughTheArray() {
        BuildGraph g = graph();
        Map<Integer, Integer> expected = add(g, 3, 1, 2, 0);
        g.freezeSlots();
        assertSlots(g, expected, -1, 4, 100);
        assertThat(g.slotVector).containsExactly(1000L, 1001L, 1002L, 1003L);
    }

    @Test
    void idsWithGapsAnswerMissingInsideTheirSpan() {
        BuildGraph g = graph();
        Map<Integer, Integer> expected = add(g, 10, 12, 15, 11);
        g.freezeSlots();
        assertSlots(g, expected, 13, 14, 9, 16);
    }

    @Test
    void sparseAndUnsignedIdsStayWithTheMap() {
        BuildGraph g = graph();
        // ids above Integer.MAX_VALUE as unsigned, spread far beyond four times their number
        Map<Integer, Integer> expected = add(g, -1, 7, -100, 1 << 30);
        g.freezeSlots();
        assertSlots(g, expected, -2, 8, 0, (1 << 30) + 1, -99);
    }

    @Test
    void aSlotAddedAfterFreezingIsFoundAndFreezingAgainIndexesIt() {
        BuildGraph g = graph();
        Map<Integer, Integer> expected = add(g, 0, 1, 2);
        g.freezeSlots();
        expected.putAll(add(g, 3));
        assertThat(g.slotVector).isNull();
        assertSlots(g, expected, 4, -1);
        g.freezeSlots();
        assertSlots(g, expected, 4, -1);
        assertThat(g.slotVector).containsExactly(1000L, 1001L, 1002L, 1003L);
    }

    @Property(tries = 200)
    void everyLookupAgreesWithAPlainMap(@ForAll @Size(min = 1, max = 60) java.util.List<@IntRange(min = 0, max = 200) Integer> raw,
                                        @ForAll @IntRange(min = -5, max = 5) int shift) {
        BuildGraph g = graph();
        Map<Integer, Integer> expected = new HashMap<>();
        for (int r : raw) {
            int id = r + shift * 1_000_000_000; // also ids that are negative as ints (large unsigned)
            if (!expected.containsKey(id)) {
                expected.putAll(add(g, id));
            }
        }
        g.freezeSlots();
        for (int r = -3; r <= 203; r++) {
            int id = r + shift * 1_000_000_000;
            assertThat(g.slot(id)).isEqualTo(expected.getOrDefault(id, -1));
        }
        for (var e : expected.entrySet()) {
            assertThat(g.slotVector[e.getValue()]).isEqualTo(1000L + e.getValue());
        }
    }
}
