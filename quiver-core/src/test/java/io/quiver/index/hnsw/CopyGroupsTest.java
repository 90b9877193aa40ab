package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CopyGroupsTest {
    @Test
    void countsEachVectorsCopiesApart() {
        CopyGroups g = new CopyGroups();
        assertThat(g.join(10, 11)).isEqualTo(1);
        assertThat(g.join(11, 12)).as("a copy of a copy joins the first one's group").isEqualTo(2);
        assertThat(g.join(20, 21)).as("another vector starts its own count").isEqualTo(1);
        assertThat(g.join(10, 13)).isEqualTo(3);
        assertThat(g.join(21, 22)).isEqualTo(2);
        g.clear();
        assertThat(g.join(12, 10)).as("a new search forgets the groups").isEqualTo(1);
    }

    @Test
    void growsAndTakesUnsignedIds() {
        CopyGroups g = new CopyGroups();
        int first = -1; // id 4294967295
        int n = 0;
        for (int i = 0; i < 5000; i++) {
            n = g.join(i == 0 ? first : -1 - i, -2 - i);
        }
        assertThat(n).as("one chain of copies, through every slot growth").isEqualTo(5000);
        for (int v = 0; v < 1000; v++) {
            assertThat(g.join(1_000_000 + 2 * v, 1_000_001 + 2 * v)).isEqualTo(1);
        }
    }
}
