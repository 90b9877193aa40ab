package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    @Test
    void writesAreInvisibleToReadersUntilCommit() {
        try (Store store = Store.open(dir)) {
            try (WriteTxn w = store.beginWrite()) {
                w.put(1, KeyKind.ITEM, 5, new byte[] {1, 2, 3});
                try (ReadTxn r = store.read()) {
                    assertThat(r.get(1, KeyKind.ITEM, 5)).isNull();
                }
                assertThat(w.get(1, KeyKind.ITEM, 5).remaining()).isEqualTo(3);
                w.commit();
            }
            try (ReadTxn r = store.read()) {
                ByteBuffer v = r.get(1, KeyKind.ITEM, 5);
                assertThat(v.get(2)).isEqualTo((byte) 3);
            }
        }
    }

    @Test
    void recognisesValuesInTheirOwnOverflowPages() {
        try (Store store = Store.open(dir)) {
            store.write(w -> {
                for (int id = 0; id < 50; id++) {
                    w.put(0, KeyKind.ITEM, id, new byte[id % 2 == 0 ? 100 : 3000]);
                    w.put(0, KeyKind.CODE, id, new byte[2000]);
                }
            });
            assertThat(store.pageSize()).isEqualTo(4096);
            try (ReadTxn r = store.read()) {
                for (int id = 0; id < 50; id++) {
                    long item = NativeMemory.address(r.get(0, KeyKind.ITEM, id));
                    assertThat(store.isOverflowValue(item)).as("item %d", id).isEqualTo(id % 2 == 1);
                    // 2,000 bytes still share a leaf (the limit is ~2 KiB with the key) but sit at odd offsets
                    assertThat(store.isOverflowValue(NativeMemory.address(r.get(0, KeyKind.CODE, id)))).isFalse();
                }
            }
            // An overflow page stays put when its neighbours change: only the leaf pointing to it is copied.
            long before;
            try (ReadTxn r = store.read()) {
                before = NativeMemory.address(r.get(0, KeyKind.ITEM, 21));
            }
            store.write(w -> {
                w.put(0, KeyKind.ITEM, 20, new byte[100]);
                w.put(0, KeyKind.ITEM, 22, new byte[3000]);
                w.delete(0, KeyKind.ITEM, 23);
            });
            try (ReadTxn r = store.read()) {
                assertThat(NativeMemory.address(r.get(0, KeyKind.ITEM, 21))).isEqualTo(before);
            }
        }
    }

    @Test
    void leafNeighboursAreTheOverflowValuesLmdbReturnsForThem() {
        try (Store store = Store.open(dir)) {
            store.write(w -> {
                for (int id = 0; id < 3000; id++) {
                    // small values in between, another index on either side, ids with the top bit set
                    w.put(1, KeyKind.ITEM, id, new byte[id % 7 == 3 ? 100 : 3000]);
                    w.put(1, KeyKind.CODE, id, new byte[700]);
                    w.put(0, KeyKind.ITEM, id, new byte[3000]);
                    w.put(2, KeyKind.ITEM, id, new byte[3000]);
                    w.put(1, KeyKind.ITEM, id | 0x8000_0000, new byte[3000]);
                }
            });
            try (ReadTxn r = store.read()) {
                java.util.Map<Integer, Long> seen = new java.util.HashMap<>();
                List<Integer> asked = new ArrayList<>();
                for (int id = 0; id < 3000; id += 37) {
                    asked.add(id);
                    asked.add(id | 0x8000_0000);
                }
                int withNeighbours = 0;
                for (int id : asked) {
                    List<long[]> got = new ArrayList<>();
                    long a = r.getWithLeafNeighbours(1, KeyKind.ITEM, id, (other, address) -> got.add(new long[] {other, address}));
                    if (id >= 0 && id % 7 == 3) {
                        assertThat(a).isEqualTo(NativeMemory.address(r.get(1, KeyKind.ITEM, id)));
                        assertThat(got).as("a leaf value has no neighbours to report").isEmpty();
                        continue;
                    }
                    assertThat(a).isEqualTo(NativeMemory.address(r.get(1, KeyKind.ITEM, id)));
                    withNeighbours += got.isEmpty() ? 0 : 1;
                    long previous = Long.MIN_VALUE;
                    for (long[] g : got) {
                        int other = (int) g[0];
                        assertThat(other).isNotEqualTo(id);
                        assertThat(Integer.toUnsignedLong(other)).isGreaterThan(previous);
                        previous = Integer.toUnsignedLong(other);
                        assertThat(other >= 0 && other % 7 == 3).as("%d: small values stay in the leaf", other).isFalse();
                        assertThat(g[1]).as("address of %d", other).isEqualTo(NativeMemory.address(r.get(1, KeyKind.ITEM, other)));
                        seen.put(other, g[1]);
                    }
                }
                // A 4 KiB leaf holds ~110 of these keys: most asks land amid neighbours of their own kind.
                assertThat(withNeighbours).isGreaterThan(asked.size() * 3 / 4);
                assertThat(seen).hasSizeGreaterThan(3000);
                // Leaf values are answered but have no neighbours to report; absent keys answer 0.
                List<long[]> none = new ArrayList<>();
                assertThat(r.getWithLeafNeighbours(1, KeyKind.CODE, 5, (o, a) -> none.add(new long[] {o, a})))
                        .isEqualTo(NativeMemory.address(r.get(1, KeyKind.CODE, 5)));
                assertThat(r.getWithLeafNeighbours(1, KeyKind.ITEM, 5000, (o, a) -> none.add(new long[] {o, a}))).isZero();
                assertThat(none).isEmpty();
            }
        }
    }

    @Test
    void scanVisitsOneKindOfOneIndexInUnsignedIdOrder() {
        try (Store store = Store.open(dir)) {
            store.write(w -> {
                for (int id : new int[] {7, -1, 3, 0x8000_0000}) {
                    w.put(2, KeyKind.ITEM, id, new byte[] {1});
                    w.put(2, KeyKind.UPDATED, id, new byte[0]);
                }
                w.put(3, KeyKind.ITEM, 1, new byte[] {1});
                w.put(1, KeyKind.ITEM, 99, new byte[] {1});
            });
            try (ReadTxn r = store.read()) {
                List<Integer> ids = new ArrayList<>();
                r.scan(2, KeyKind.ITEM, (id, level, v) -> ids.add(id));
                assertThat(ids).containsExactly(3, 7, 0x8000_0000, -1);
            }
            store.write(w -> assertThat(w.deleteAll(2, KeyKind.UPDATED)).isEqualTo(4));
            try (ReadTxn r = store.read()) {
                int[] n = {0};
                r.scan(2, KeyKind.UPDATED, (id, level, v) -> ++n[0] > 0);
                assertThat(n[0]).isZero();
                assertThat(r.get(2, KeyKind.ITEM, 7)).isNotNull();
            }
        }
    }

    @Test
    void aFullMapGrowsAndTheWriteIsRetried() {
        StoreOptions opts = StoreOptions.builder().initialMapSize(1 << 20).build();
        try (Store store = Store.open(dir, opts)) {
            byte[] big = new byte[64 * 1024];
            store.write(w -> {
                for (int i = 0; i < 200; i++) {
                    w.put(0, KeyKind.ITEM, i, big);
                }
            });
            assertThat(store.resizeCount()).isPositive();
            assertThat(store.mapSize()).isGreaterThan(1 << 20);
            try (ReadTxn r = store.read()) {
                for (int i = 0; i < 200; i++) {
                    assertThat(r.get(0, KeyKind.ITEM, i).remaining()).isEqualTo(big.length);
                }
            }
        }
    }

    @Test
    void openingTwiceInOneProcessIsRefused() {
        try (Store store = Store.open(dir)) {
            assertThatThrownBy(() -> Store.open(dir)).isInstanceOfSatisfying(QuiverException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.ALREADY_OPEN));
        }
        Store.open(dir).close();
    }

    @Test
    void aForeignFileIsRecognised() throws Exception {
        Files.write(dir.resolve("data.mdb"), new byte[8192]);
        assertThatThrownBy(() -> Store.open(dir)).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.FOREIGN_FILE));
    }

    /** LMDB itself failed a read-only open of a zero-byte data.mdb with EBADF (exit 18 in the CLI). */
    @Test
    void aZeroByteDataFileHoldsNoStoreToReadAndBecomesANewOneToWrite() throws Exception {
        Files.write(dir.resolve("data.mdb"), new byte[0]);
        for (StoreOptions o : new StoreOptions[] {StoreOptions.builder().readOnly(true).build(), StoreOptions.builder().create(false).build()}) {
            assertThatThrownBy(() -> Store.open(dir, o)).isInstanceOfSatisfying(QuiverException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
                assertThat(e.getMessage()).contains("data.mdb is empty");
            });
        }
        assertThat(Files.size(dir.resolve("data.mdb"))).isZero();
        try (Store store = Store.open(dir)) {
            store.write(txn -> txn.put(0, KeyKind.METADATA, 7, new byte[] {42}));
        }
        try (Store store = Store.open(dir, StoreOptions.builder().readOnly(true).build()); ReadTxn r = store.read()) {
            assertThat(r.get(0, KeyKind.METADATA, 7).get(0)).isEqualTo((byte) 42);
        }
    }

    @Test
    void aMissingStoreIsNotCreatedWhenCreationIsOff() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Store.open(missing, StoreOptions.builder().create(false).build()))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThat(missing).doesNotExist();
    }

    @Test
    void backupCopiesTheCommittedState() {
        Path copy = dir.resolve("copy");
        try (Store store = Store.open(dir.resolve("db"))) {
            store.write(w -> w.put(0, KeyKind.ITEM, 1, new byte[] {42}));
            try (WriteTxn pending = store.beginWrite()) {
                pending.put(0, KeyKind.ITEM, 2, new byte[] {43});
                // copy runs from another thread: LMDB's writer lock is per thread
                Thread t = Thread.ofPlatform().start(() -> store.copyTo(copy));
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }
        }
        try (Store c = Store.open(copy); ReadTxn r = c.read()) {
            assertThat(r.get(0, KeyKind.ITEM, 1).get(0)).isEqualTo((byte) 42);
            assertThat(r.get(0, KeyKind.ITEM, 2)).isNull();
        }
    }

    @Test
    void ascendingKeysAtTheEndAreAppendedAndOthersInsertedNormally() {
        try (Store store = Store.open(dir)) {
            store.write(w -> {
                w.put(0, KeyKind.ITEM, 50, new byte[] {1});
                ByteBuffer b = w.reserveAppend(1, KeyKind.ITEM, 10, 1);
                b.put(0, (byte) 2);
                assertThat(w.lastReserveAppended()).isTrue();
                b = w.reserveAppend(0, KeyKind.ITEM, 20, 1);
                b.put(0, (byte) 3);
                assertThat(w.lastReserveAppended()).isFalse();
            });
            try (ReadTxn r = store.read()) {
                assertThat(r.get(1, KeyKind.ITEM, 10).get(0)).isEqualTo((byte) 2);
                assertThat(r.get(0, KeyKind.ITEM, 20).get(0)).isEqualTo((byte) 3);
                assertThat(r.get(0, KeyKind.ITEM, 50).get(0)).isEqualTo((byte) 1);
            }
        }
    }
}
