package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir
    Path dir;

    private static final long MAP = 1L << 20;

    private static CatalogOptions tight(int open) {
        return new CatalogOptions(StoreOptions.builder().initialMapSize(MAP).build(), open * MAP, 5_000);
    }

    @Test
    void twoThousandStoresWithRoomForThirtyOpen() throws Exception {
        int stores = 2000;
        try (Catalog catalog = Catalog.open(dir, tight(30))) {
            assertThat(catalog.maxOpen()).isEqualTo(30);
            // two threads create and write, so that eviction races with use
            List<Thread> threads = new ArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            for (int t = 0; t < 2; t++) {
                int offset = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = offset; i < stores; i += 2) {
                            String name = "store-" + i;
                            catalog.create(name);
                            try (Catalog.Lease lease = catalog.acquire(name)) {
                                lease.store().write(txn -> txn.put(0, KeyKind.ITEM, 1, ByteBuffer.allocate(4).putInt(0, 7 * Integer.parseInt(name.substring(6)))));
                            }
                            assertThat(catalog.openStores().size()).isLessThanOrEqualTo(30);
                        }
                    } catch (Throwable e) {
                        failures.incrementAndGet();
                        e.printStackTrace();
                    }
                }));
            }
            for (Thread th : threads) {
                th.join();
            }
            assertThat(failures).hasValue(0);
            assertThat(catalog.list()).hasSize(stores);
            for (int i = 0; i < stores; i++) {
                try (Catalog.Lease lease = catalog.acquire("store-" + i); ReadTxn r = lease.store().read()) {
                    assertThat(r.get(0, KeyKind.ITEM, 1).order(java.nio.ByteOrder.BIG_ENDIAN).getInt(0)).isEqualTo(7 * i);
                }
            }
            assertThat(catalog.counters().get("evictions")).isGreaterThan(3000L);
        }
    }

    @Test
    void aLeasedStoreIsNeverClosedAndBlocksRenameAndDelete() {
        try (Catalog catalog = Catalog.open(dir, tight(2))) {
            catalog.create("a");
            catalog.create("b");
            catalog.create("c");
            try (Catalog.Lease a = catalog.acquire("a"); Catalog.Lease b = catalog.acquire("b")) {
                assertThatThrownBy(() -> catalog.acquire("c")).isInstanceOfSatisfying(QuiverException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.MAP_FULL));
                assertThatThrownBy(() -> catalog.delete("a")).isInstanceOfSatisfying(QuiverException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.ALREADY_OPEN));
                a.store().write(txn -> txn.put(0, KeyKind.ITEM, 1, new byte[] {1}));
            }
            catalog.rename("a", "renamed");
            assertThat(catalog.list()).containsExactly("b", "c", "renamed");
            try (Catalog.Lease r = catalog.acquire("renamed"); ReadTxn t = r.store().read()) {
                assertThat(t.get(0, KeyKind.ITEM, 1)).isNotNull();
            }
            catalog.delete("renamed");
            assertThat(catalog.list()).containsExactly("b", "c");
            assertThatThrownBy(() -> catalog.acquire("renamed")).isInstanceOfSatisfying(QuiverException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
            assertThatThrownBy(() -> catalog.create("../evil")).isInstanceOfSatisfying(QuiverException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
        }
    }

    @Test
    void theBudgetIsMeasuredOrObviouslyLarge() {
        long budget = AddressSpace.measure();
        assertThat(budget).isGreaterThan(1L << 30);
        // the dichotomic search itself, below an artificial upper bound
        long found = AddressSpace.largestOpenableMap(8L << 30);
        assertThat(found).isBetween(7L << 30, 8L << 30);
    }
}
