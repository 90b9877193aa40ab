package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * Incoming lists are rebuilt from sorted arrays; they must come out exactly as a Roaring bitmap of
 * the same ids lists them (unsigned order, no repeats), the form they were always stored in.
 */
class IncomingListMergeTest {
    @Test
    void idsAboveTwoToThe31SortAfterTheOthers() {
        int[] a = {-1, 5, Integer.MIN_VALUE, 5, 0, Integer.MAX_VALUE, -1};
        int n = HnswBuilder.sortUnsignedDistinct(a, a.length);
        assertThat(Arrays.copyOf(a, n)).containsExactly(0, 5, Integer.MAX_VALUE, Integer.MIN_VALUE, -1);
    }

    @Test
    void onlyThePrefixIsSorted() {
        int[] a = {3, 1, 2, 0, -7};
        int n = HnswBuilder.sortUnsignedDistinct(a, 3);
        assertThat(n).isEqualTo(3);
        assertThat(a).containsExactly(1, 2, 3, 0, -7);
    }

    @Property(tries = 300)
    void sameAsARoaringBitmap(@ForAll int[] ids) {
        int[] a = ids.clone();
        int n = HnswBuilder.sortUnsignedDistinct(a, a.length);
        assertThat(Arrays.copyOf(a, n)).containsExactly(RoaringBitmap.bitmapOf(ids).toArray());
    }
}
