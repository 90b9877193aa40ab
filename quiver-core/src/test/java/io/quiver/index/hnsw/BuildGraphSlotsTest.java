package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import java.util.HashMap;
import java.util.List;
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
 * slots in id order), each is taken where it should be, and {@link BuildGraph#slotVector} holds
 * each slot's address.
 */
class BuildGraphSlotsTest {
    private static final Distance D = DistanceKind.EUCLIDEAN.create(2);

    private final BuildGraph g = new BuildGraph(0, D, null, 4, 8, 16, 1.0f, 1, new RoaringBitmap());
    /** id -> slot, as added. */
    private final Map<Integer, Integer> expected = new HashMap<>();

    /** Adds slots for {@code ids} in that order (those not added yet), with address 1000 + slot. */
    private void add(int... ids) {
        for (int id : ids) {
            if (!expected.containsKey(id)) {
                expected.put(id, g.slotCount);
                g.addSlot(new GraphNode(id, 0, 1000L + g.slotCount, 0L, g.m, g.m0, null));
            }
        }
    }

    /** Every added id finds its slot, each probe its slot or -1, and each slot its address. */
    private void assertSlots(int... probes) {
        for (int id : probes) {
            assertThat(g.slot(id)).as("slot of %s", Integer.toUnsignedString(id)).isEqualTo(expected.getOrDefault(id, -1));
        }
        for (var e : expected.entrySet()) {
            assertThat(g.slot(e.getKey())).as("slot of %s", Integer.toUnsignedString(e.getKey())).isEqualTo(e.getValue());
        }
        if (g.slotVector != null) {
            assertThat(g.slotVector).hasSize(expected.size());
            for (int s = 0; s < g.slotVector.length; s++) {
                assertThat(g.slotVector[s]).isEqualTo(1000L + s);
            }
        }
    }

    private void assertFrozen(String lookup, int... probes) {
        g.freezeSlots();
        assertThat(g.slotLookup()).isEqualTo(lookup);
        assertSlots(probes);
    }

    @Test
    void consecutiveIdsInOrderAreFoundBySubtraction() {
        add(500, 501, 502, 503);
        assertFrozen("order", 0, 499, 504, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
    }

    @Test
    void consecutiveUnsignedIdsAcrossTheSignBitAndTheTop() {
        add(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1);
        assertFrozen("order", Integer.MAX_VALUE - 2, Integer.MIN_VALUE + 2, 0, -1);
        BuildGraphSlotsTest top = new BuildGraphSlotsTest();
        top.add(-3, -2, -1);
        top.assertFrozen("order", -4, 0, 1);
    }

    @Test
    void consecutiveIdsOutOfOrderAreFoundThroughTheArray() {
        add(3, 1, 2, 0);
        assertFrozen("array", -1, 4, 100);
    }

    @Test
    void idsWithGapsAnswerMissingInsideTheirSpan() {
        add(10, 12, 15, 11);
        assertFrozen("array", 13, 14, 9, 16);
    }

    @Test
    void theArrayServesSpansUpToFourTimesTheSlotsPlus1024() {
        // five slots: ids 0..3 and the last one at 4·5 + 1023, a span of 4n + 1024
        add(0, 1, 2, 3, 4 * 5 + 1023);
        assertFrozen("array", 4, 1042, 1044);
        BuildGraphSlotsTest wider = new BuildGraphSlotsTest();
        wider.add(0, 1, 2, 3, 4 * 5 + 1024); // a span of 4n + 1025
        wider.assertFrozen("map", 4, 1043, 1045);
    }

    @Test
    void sparseAndUnsignedIdsStayWithTheMap() {
        add(-1, 7, -100, 1 << 30);
        assertFrozen("map", -2, 8, 0, (1 << 30) + 1, -99);
    }

    @Test
    void aSlotAddedAfterFreezingIsFoundAndAGapInsideIsNot() {
        add(0, 1, 2);
        assertFrozen("order");
        add(4);
        // back to the map until frozen again: a stale subtraction would give id 3 slot 3
        assertThat(g.slotVector).isNull();
        assertThat(g.slotLookup()).isEqualTo("map");
        assertSlots(3, 5, -1);
        assertFrozen("array", 3, 5, -1);
    }

    @Test
    void anEmptyGraphFreezesAndTakesWorkers() {
        assertFrozen("map", 0, 1, -1);
        assertThat(g.slotVector).isEmpty();
        new BuildWorker(g, null, new WorkerScratch());
    }

    @Property(tries = 300)
    void everyLookupAgreesWithAPlainMap(@ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 200) Integer> offsets,
                                        @ForAll @IntRange(min = 1, max = 3) int spread,
                                        @ForAll @IntRange(min = -3, max = 3) int base) {
        // spread 1 and 2 stay within the array's reach, 3 (offsets up to 20,000) mostly does not;
        // bases put the ids across the sign bit and the top of the unsigned range
        int scale = spread == 3 ? 100 : spread;
        int origin = base * 1_000_000_000 - 100;
        for (int o : offsets) {
            add(origin + o * scale);
        }
        g.freezeSlots();
        for (int o = -3; o <= 203 * scale; o++) {
            int id = origin + o;
            assertThat(g.slot(id)).isEqualTo(expected.getOrDefault(id, -1));
        }
        assertSlots();
    }
}
