package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SnapshotAddresses;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers of one snapshot share where values sit ({@link SnapshotAddresses}); readers of other snapshots never use it. */
class SnapshotAddressesTest {
    static final int DIMS = HnswIndexTest.DIMS;
    static final int N = 2_000;

    @TempDir
    Path dir;

    private static void write(Store store, Map<Integer, float[]> d, boolean create) {
        store.write(txn -> {
            HnswWriter w = create ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : HnswWriter.open(txn, 0);
            d.forEach(w::add);
            w.build(HnswIndexTest.opts());
        });
    }

    @Test
    void readersOfOneSnapshotShareATableAndANewCommitStartsAnother() {
        Map<Integer, float[]> d = HnswIndexTest.data(N, 3);
        try (Store store = Store.open(dir)) {
            write(store, d, true);
            SnapshotAddresses shared = SnapshotAddresses.of(store, "hnsw/0");
            SnapshotAddresses.Table first;
            try (ReadTxn a = store.read(); ReadTxn b = store.read()) {
                first = shared.table(a, N, N, 3);
                assertThat(first).isNotNull().isSameAs(shared.table(b, N, N, 3));
                Neighbor top = HnswReader.open(a, 0).search(d.get(17), SearchOptions.k(1)).neighbors().get(0);
                assertThat(top.id()).isEqualTo(17);
                // what reader A looked up is there for reader B
                assertThat(first.get(17, 0)).isPositive();
                assertThat(first.get(17, 2)).isPositive();
                assertThat(first.get(17, 1)).isNotZero();
                assertThat(HnswReader.open(b, 0).search(d.get(17), SearchOptions.k(1)).neighbors().get(0)).isEqualTo(top);
                try (ReadTxn old = store.read()) {
                    write(store, Map.of(N, d.get(0)), false);
                    try (ReadTxn c = store.read()) {
                        SnapshotAddresses.Table next = shared.table(c, N + 1, N + 1, 3);
                        assertThat(next).isNotNull().isNotSameAs(first);
                        assertThat(next.get(17, 0)).isZero();
                        // a reader of the older snapshot keeps to its own addresses
                        assertThat(shared.table(old, N, N, 3)).isNull();
                    }
                }
            }
        }
    }

    @Test
    void readersOfAnOldAndANewSnapshotEachFindTheirOwnVectors() {
        Map<Integer, float[]> before = HnswIndexTest.data(N, 4);
        Map<Integer, float[]> after = HnswIndexTest.data(N, 5); // every id gets another vector
        try (Store store = Store.open(dir)) {
            write(store, before, true);
            try (ReadTxn old = store.read()) {
                HnswReader early = HnswReader.open(old, 0);
                early.search(before.get(1), SearchOptions.k(1)); // fills the shared table of the old snapshot
                write(store, after, false);
                try (ReadTxn fresh = store.read()) {
                    HnswReader now = HnswReader.open(fresh, 0);
                    HnswReader late = HnswReader.open(old, 0); // opened after the new table exists
                    int foundNow = 0;
                    int foundEarly = 0;
                    int foundLate = 0;
                    for (int id = 0; id < N; id += 40) {
                        foundNow += self(now, after.get(id), id);
                        foundEarly += self(early, before.get(id), id);
                        foundLate += self(late, before.get(id), id);
                    }
                    assertThat(foundNow).isGreaterThanOrEqualTo(48);
                    assertThat(foundEarly).isGreaterThanOrEqualTo(48);
                    assertThat(foundLate).isGreaterThanOrEqualTo(48);
                }
            }
        }
    }

    @Test
    void aReaderThatMetMoreThan16kNodesAnswersAsFreshReadersDo() {
        // past 16,384 ordinals a reader moves from its hash map to id pages (HnswReader.switchToPages)
        Map<Integer, float[]> d = HnswIndexTest.data(24_000, 6);
        try (Store store = Store.open(dir)) {
            write(store, d, true);
            float[][] queries = HnswTestSupport.clustered(600, DIMS, 20, 7);
            try (ReadTxn txn = store.read()) {
                HnswReader kept = HnswReader.open(txn, 0);
                for (float[] q : queries) {
                    SearchOptions opts = SearchOptions.builder().k(20).ef(160).build();
                    int[] a = kept.search(q, opts).ids();
                    try (ReadTxn own = store.read()) {
                        assertThat(a).containsExactly(HnswReader.open(own, 0).search(q, opts).ids());
                    }
                    assertThat(a).doesNotHaveDuplicates();
                }
                int met = kept.ordinalsMet();
                assertThat(met).isGreaterThan(16_384);
                // the same queries again meet no node it does not know: the pages hold every id
                // it met before them
                for (float[] q : queries) {
                    kept.search(q, SearchOptions.builder().k(20).ef(160).build());
                }
                assertThat(kept.ordinalsMet()).isEqualTo(met);
            }
        }
    }

    /** 1 when searching {@code v} finds {@code id} first at distance 0 (its exact vector in this snapshot), else 0. */
    private static int self(HnswReader r, float[] v, int id) {
        Neighbor n = r.search(v, SearchOptions.builder().k(1).ef(64).build()).neighbors().get(0);
        if (n.id() != id) {
            return 0;
        }
        assertThat(n.distance()).as("distance of %d to its own vector", id).isZero();
        return 1;
    }
}
