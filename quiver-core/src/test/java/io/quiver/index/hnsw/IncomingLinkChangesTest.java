package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link IncomingLinkChanges} against the bookkeeping it replaced: a map from (target, level) to
 * the sources added and dropped, visited in key order, and each list merged in a Roaring bitmap
 * as {@code (current - drops) ∪ adds}.
 */
class IncomingLinkChangesTest {

    /** A key of the reference: target (unsigned) then level, the store's key order. */
    private record Key(int target, int level) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Integer.compareUnsigned(target, o.target);
            return c != 0 ? c : Integer.compare(level, o.level);
        }
    }

    @Property(tries = 300)
    void visitsEveryChangedListInKeyOrderAndMergesLikeABitmap(@ForAll long seed) {
        Random rnd = new Random(seed);
        // small id ranges make repeats and shared targets likely; some ids are above 2^31
        int span = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 2000);
        int levels = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? Links.MAX_LEVEL + 1 : 4);
        IncomingLinkChanges changes = new IncomingLinkChanges();
        TreeMap<Key, List<Integer>> adds = new TreeMap<>();
        TreeMap<Key, List<Integer>> drops = new TreeMap<>();
        // now and then enough changes to grow the arrays past their first 256 entries
        int n = rnd.nextInt(rnd.nextInt(4) == 0 ? 3000 : 400);
        for (int i = 0; i < n; i++) {
            int target = id(rnd, span);
            int level = rnd.nextInt(levels);
            int source = id(rnd, span);
            if (rnd.nextInt(3) == 0) {
                changes.drop(target, level, source);
                drops.computeIfAbsent(new Key(target, level), k -> new ArrayList<>()).add(source);
            } else {
                changes.add(target, level, source);
                adds.computeIfAbsent(new Key(target, level), k -> new ArrayList<>()).add(source);
            }
        }
        Map<Key, int[]> stored = new HashMap<>();
        changes.sort();

        TreeMap<Key, Boolean> expectedKeys = new TreeMap<>();
        adds.keySet().forEach(k -> expectedKeys.put(k, true));
        drops.keySet().forEach(k -> expectedKeys.put(k, true));
        List<Key> visited = new ArrayList<>();
        int[][] out = {new int[1]};
        int[] count = new int[1];
        changes.forEachList((target, level, a, a0, a1, d, d0, d1) -> {
            Key k = new Key(target, level);
            visited.add(k);
            assertThat(d1 > d0).isEqualTo(drops.containsKey(k));
            int[] current = storedList(rnd, span, stored, k);
            out[0] = IncomingLinkChanges.apply(current, a, a0, a1, d, d0, d1, out[0], count);

            RoaringBitmap set = new RoaringBitmap();
            if (current != null) {
                set.add(current);
            }
            drops.getOrDefault(k, List.of()).forEach(set::remove);
            adds.getOrDefault(k, List.of()).forEach(set::add);
            assertThat(Arrays.copyOf(out[0], count[0])).isEqualTo(set.toArray());
        });
        assertThat(visited).containsExactlyElementsOf(expectedKeys.keySet());

        for (Key k : adds.keySet()) {
            assertThat(changes.hasAdds(k.target(), k.level())).isTrue();
        }
        for (Key k : drops.keySet()) {
            assertThat(changes.hasAdds(k.target(), k.level())).isEqualTo(adds.containsKey(k));
        }
        for (int i = 0; i < 50; i++) {
            Key k = new Key(id(rnd, span), rnd.nextInt(Links.MAX_LEVEL + 1));
            assertThat(changes.hasAdds(k.target(), k.level())).isEqualTo(adds.containsKey(k));
        }
    }

    @Test
    void readingBeforeSortingIsRefused() {
        IncomingLinkChanges changes = new IncomingLinkChanges();
        changes.add(1, 0, 2);
        assertThatThrownBy(() -> changes.hasAdds(1, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> changes.forEachList((t, l, a, a0, a1, d, d0, d1) -> {})).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDroppedSourceThatIsAddedAgainStays() {
        IncomingLinkChanges changes = new IncomingLinkChanges();
        changes.drop(5, 0, 7);
        changes.add(5, 0, 7);
        changes.drop(5, 0, 9);
        changes.sort();
        int[] count = new int[1];
        int[][] got = new int[1][];
        changes.forEachList((t, l, a, a0, a1, d, d0, d1) -> got[0] = Arrays.copyOf(
                IncomingLinkChanges.apply(new int[] {3, 7, 9}, a, a0, a1, d, d0, d1, new int[0], count), count[0]));
        assertThat(got[0]).containsExactly(3, 7);
    }

    /** An id, now and then one above 2^31 (negative as an int), which must order after the others. */
    private static int id(Random rnd, int span) {
        int x = rnd.nextInt(span);
        return rnd.nextInt(10) == 0 ? x | Integer.MIN_VALUE : x;
    }

    /**
     * The stored incoming list of {@code k}: absent, empty, or ascending without repeats as the
     * writer leaves it, and now and then ascending with repeats, or in no order with repeats (it
     * must still merge right).
     */
    private static int[] storedList(Random rnd, int span, Map<Key, int[]> stored, Key k) {
        return stored.computeIfAbsent(k, key -> {
            int kind = rnd.nextInt(7);
            if (kind == 0) {
                return null;
            }
            int[] ids = new int[kind == 1 ? 0 : rnd.nextInt(40)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = id(rnd, span);
            }
            if (kind == 6) {
                // ascending as unsigned ids, each id possibly twice
                int[] sorted = RoaringBitmap.bitmapOf(ids).toArray();
                int[] twice = new int[2 * sorted.length];
                int n = 0;
                for (int x : sorted) {
                    twice[n++] = x;
                    if (rnd.nextBoolean()) {
                        twice[n++] = x;
                    }
                }
                return Arrays.copyOf(twice, n);
            }
            if (kind != 5) {
                ids = RoaringBitmap.bitmapOf(ids).toArray();
            }
            return ids;
        });
    }
}
