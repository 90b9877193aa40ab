package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class InsertOrderTest {
    /** Nodes with ids 0..items-1 whose item bytes are the given ints (one int per item, in {@code arena}). */
    private static GraphNode[] nodes(Arena arena, int... items) {
        GraphNode[] nodes = new GraphNode[items.length];
        for (int i = 0; i < items.length; i++) {
            MemorySegment s = arena.allocate(12, 8);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, items[i]);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 7);
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, -items[i]);
            nodes[i] = new GraphNode(i, 0, s.address(), s.address(), 4, 8, null);
        }
        return nodes;
    }

    @Test
    void copiesComeAfterTheFirstOfEachItemInSlotOrder() {
        try (Arena arena = Arena.ofConfined()) {
            GraphNode[] n = nodes(arena, 5, 9, 5, 1, 9, 5, 2);
            InsertOrder o = InsertOrder.copiesLast(n, 0, n.length, 12, false);
            assertThat(o.firsts()).isEqualTo(4);
            assertThat(o.slots()).containsExactly(0, 1, 3, 6, 2, 4, 5);
        }
    }

    @Test
    void onlyTheGivenSlotsAreOrdered() {
        try (Arena arena = Arena.ofConfined()) {
            // slot 0 (an old node of the build) holds the same bytes as slot 2: not a copy among slots 1..4
            GraphNode[] n = nodes(arena, 3, 4, 3, 4, 6);
            InsertOrder o = InsertOrder.copiesLast(n, 1, 5, 12, false);
            assertThat(o.firsts()).isEqualTo(3);
            assertThat(o.slots()).containsExactly(1, 2, 4, 3);
        }
    }

    @Test
    void distinctItemsKeepTheirOrder() {
        try (Arena arena = Arena.ofConfined()) {
            int[] items = new int[500];
            for (int i = 0; i < items.length; i++) {
                items[i] = i * 7919;
            }
            GraphNode[] n = nodes(arena, items);
            InsertOrder o = InsertOrder.copiesLast(n, 0, n.length, 12, false);
            assertThat(o.firsts()).isEqualTo(500);
            for (int i = 0; i < 500; i++) {
                assertThat(o.slots()[i]).isEqualTo(i);
            }
        }
    }

    @Test
    void floatItemsWhoseZerosDifferInSignAreCopies() {
        try (Arena arena = Arena.ofConfined()) {
            // a version byte and three floats each: (1, 0, 2), (1, -0, 2), (1, 0, -2), (1, -0, 2)
            float[][] items = {{1, 0, 2}, {1, -0f, 2}, {1, 0, -2}, {1, -0f, 2}};
            GraphNode[] n = new GraphNode[items.length];
            for (int i = 0; i < items.length; i++) {
                MemorySegment s = arena.allocate(13, 8);
                s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                for (int j = 0; j < 3; j++) {
                    s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 1 + 4L * j, items[i][j]);
                }
                n[i] = new GraphNode(i, 0, s.address(), s.address(), 4, 8, null);
            }
            InsertOrder o = InsertOrder.copiesLast(n, 0, 4, 13, true);
            assertThat(o.firsts()).isEqualTo(2);
            assertThat(o.slots()).containsExactly(0, 2, 1, 3);
            // as bytes, the signs make them differ
            assertThat(InsertOrder.copiesLast(n, 0, 4, 13, false).firsts()).isEqualTo(3);
        }
    }

    @Test
    void itemsThatDifferInTheirLastByteAreNotCopies() {
        try (Arena arena = Arena.ofConfined()) {
            GraphNode[] n = nodes(arena, 1, 1, 1);
            MemorySegment.ofAddress(n[1].item).reinterpret(12).set(ValueLayout.JAVA_BYTE, 11, (byte) 0x55);
            InsertOrder o = InsertOrder.copiesLast(n, 0, 3, 12, false);
            assertThat(o.firsts()).isEqualTo(2);
            assertThat(o.slots()).containsExactly(0, 1, 2);
        }
    }
}
