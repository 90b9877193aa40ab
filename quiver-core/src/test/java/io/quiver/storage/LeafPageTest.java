package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link LeafPage} reads raw memory in LMDB's page format. Whatever the page holds, it must neither
 * throw nor report an address unless the page gives the asked key the value LMDB returned for it.
 */
class LeafPageTest {
    private static final int SIZE = LeafPage.SIZE;

    /** Random bytes, and random bytes under a plausible header: nothing is ever reported. */
    @Property(tries = 300)
    void garbageIsNeverReported(@ForAll long seed, @ForAll @IntRange(min = 0, max = SIZE - 1) int keyOffset) {
        Random rnd = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(SIZE, SIZE);
            byte[] bytes = new byte[SIZE];
            rnd.nextBytes(bytes);
            if (rnd.nextBoolean()) {
                // a leaf header with a sane offset table, so parsing reaches the nodes
                bytes[10] = 0x02;
                bytes[11] = 0;
                int lower = 16 + 2 * rnd.nextInt(200);
                bytes[12] = (byte) lower;
                bytes[13] = (byte) (lower >>> 8);
            }
            MemorySegment.copy(bytes, 0, page, ValueLayout.JAVA_BYTE, 0, SIZE);
            long key = page.address() + keyOffset;
            long value = page.address() + rnd.nextInt(SIZE);
            List<long[]> seen = new ArrayList<>();
            new LeafPage().visitOverflowValues(key, value, 0, KeyKind.ITEM, 1L << 40, (id, a) -> seen.add(new long[] {id, a}));
            assertThat(seen).isEmpty();
        }
    }

    /**
     * A well-formed page whose asked node names the page LMDB "returned": every other overflow node
     * of the asked index and kind is reported, in order, and nothing else.
     */
    @Property(tries = 200)
    void aConsistentPageReportsItsOtherOverflowValues(@ForAll long seed) {
        Random rnd = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(SIZE, SIZE);
            long base = page.address();
            long pgno = 1000 + rnd.nextInt(1000);
            long mapBase = base - pgno * SIZE;
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, pgno);
            page.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) 0x02);
            int n = 1 + rnd.nextInt(60);
            int upper = SIZE;
            List<long[]> expected = new ArrayList<>();
            long asked = -1;
            long askedValue = 0;
            int askedIndex = rnd.nextInt(n);
            for (int i = 0; i < n; i++) {
                boolean big = i == askedIndex || rnd.nextInt(4) != 0;
                int index = i == askedIndex || rnd.nextInt(5) != 0 ? 7 : 8;
                byte kind = i == askedIndex || rnd.nextInt(5) != 0 ? KeyKind.ITEM.code() : KeyKind.CODE.code();
                int dataSize = big ? 8 : 1 + rnd.nextInt(40);
                int nodeSize = 8 + 7 + dataSize;
                upper -= nodeSize;
                page.set(ValueLayout.JAVA_SHORT_UNALIGNED, 16 + 2 * i, (short) upper);
                page.set(ValueLayout.JAVA_SHORT_UNALIGNED, upper, (short) (big ? 3072 : dataSize));
                page.set(ValueLayout.JAVA_SHORT_UNALIGNED, upper + 4, (short) (big ? 1 : 0));
                page.set(ValueLayout.JAVA_SHORT_UNALIGNED, upper + 6, (short) 7);
                page.set(ValueLayout.JAVA_BYTE, upper + 8, (byte) (index >>> 8));
                page.set(ValueLayout.JAVA_BYTE, upper + 9, (byte) index);
                page.set(ValueLayout.JAVA_BYTE, upper + 10, kind);
                int id = i * 3 + 1;
                page.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), upper + 11, id);
                long valuePage = 5000 + rnd.nextInt(100000);
                if (big) {
                    page.set(ValueLayout.JAVA_LONG_UNALIGNED, upper + 15, valuePage);
                }
                long address = mapBase + valuePage * SIZE + 16;
                if (i == askedIndex) {
                    asked = base + upper + 8;
                    askedValue = address;
                } else if (big && index == 7 && kind == KeyKind.ITEM.code()) {
                    expected.add(new long[] {id, address});
                }
            }
            page.set(ValueLayout.JAVA_SHORT_UNALIGNED, 12, (short) (16 + 2 * n));
            page.set(ValueLayout.JAVA_SHORT_UNALIGNED, 14, (short) upper);
            List<long[]> seen = new ArrayList<>();
            new LeafPage().visitOverflowValues(asked, askedValue, 7, KeyKind.ITEM, 1L << 40, (id, a) -> seen.add(new long[] {id, a}));
            assertThat(seen).containsExactlyElementsOf(expected);
            // The same page with the asked value somewhere else: LMDB and the page disagree.
            List<long[]> none = new ArrayList<>();
            new LeafPage().visitOverflowValues(asked, askedValue + SIZE, 7, KeyKind.ITEM, 1L << 40, (id, a) -> none.add(new long[] {id, a}));
            assertThat(none).isEmpty();
        }
    }
}
