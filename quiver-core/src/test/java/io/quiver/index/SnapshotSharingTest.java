package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.Vectors;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readers share what they found where only with readers of the same snapshot
 * ({@link SnapshotAddresses}): after every vector of the index changes, readers of the new
 * snapshot and of the old one, opened in any order and used in turns, each find their own
 * snapshot's vectors, at distance 0 from themselves.
 */
class SnapshotSharingTest {
    private static final int DIMS = 24;
    private static final int N = 1_500;

    @TempDir
    Path dir;

    private static void write(Store store, String family, float[][] v, boolean create) {
        store.write(txn -> {
            if (family.equals("hnsw")) {
                HnswWriter w = create ? HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : HnswWriter.open(txn, 0);
                for (int i = 0; i < v.length; i++) {
                    w.add(i, v[i]);
                }
                w.build(HnswBuildOptions.builder().threads(1).build());
            } else {
                ForestWriter w = create ? ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS) : ForestWriter.open(txn, 0);
                for (int i = 0; i < v.length; i++) {
                    w.add(i, v[i]);
                }
                w.build(ForestBuildOptions.builder().threads(1).build());
            }
        });
    }

    private static IndexReader reader(String family, ReadTxn txn) {
        return family.equals("hnsw") ? HnswReader.open(txn, 0) : ForestReader.open(txn, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void readersOfAnOldAndANewSnapshotEachFindTheirOwnVectors(String family) {
        float[][] before = Vectors.clustered(N, DIMS, 10, 1);
        float[][] after = Vectors.clustered(N, DIMS, 10, 2);
        try (Store store = Store.open(dir)) {
            write(store, family, before, true);
            try (ReadTxn old = store.read()) {
                IndexReader early = reader(family, old);
                assertThat(self(early, before, 1)).isTrue(); // fills the old snapshot's table
                write(store, family, after, false);
                try (ReadTxn fresh = store.read(); ReadTxn fresh2 = store.read()) {
                    IndexReader now = reader(family, fresh);
                    IndexReader late = reader(family, old); // opened after the newer table exists
                    IndexReader now2 = reader(family, fresh2); // shares the newer table with `now`
                    int found = 0;
                    for (int id = 0; id < N; id += 30) {
                        found += (self(now, after, id) ? 1 : 0) + (self(early, before, id) ? 1 : 0)
                                + (self(late, before, id) ? 1 : 0) + (self(now2, after, id) ? 1 : 0);
                    }
                    assertThat(found).isGreaterThanOrEqualTo(4 * 50 - 4);
                }
            }
            try (ReadTxn txn = store.read()) {
                assertThat(reader(family, txn).vector(7)).isEqualTo(after[7]);
            }
        }
    }

    /**
     * A resize remaps the file, so the same snapshot, read again after it, sits at new addresses:
     * its readers must not take the table filled before the resize (the map generation is part of
     * the table's key). Without a commit in between, the snapshot id alone cannot tell them apart.
     */
    @ParameterizedTest
    @ValueSource(strings = {"hnsw", "forest"})
    void aResizeWithoutACommitStartsANewTable(String family) {
        float[][] v = Vectors.clustered(N, DIMS, 10, 3);
        try (Store store = Store.open(dir)) {
            write(store, family, v, true);
            long snapshot;
            try (ReadTxn txn = store.read()) {
                snapshot = txn.snapshotId();
                IndexReader r = reader(family, txn);
                for (int id = 0; id < N; id += 7) {
                    self(r, v, id); // fills the snapshot's table with addresses in the first mapping
                }
            }
            int generation = store.mapGeneration();
            store.grow(store.mapSize());
            assertThat(store.mapGeneration()).isEqualTo(generation + 1);
            try (ReadTxn txn = store.read()) {
                assertThat(txn.snapshotId()).isEqualTo(snapshot);
                IndexReader r = reader(family, txn);
                int found = 0;
                for (int id = 0; id < N; id += 7) {
                    found += self(r, v, id) ? 1 : 0;
                    assertThat(r.vector(id)).isEqualTo(v[id]);
                }
                assertThat(found).isGreaterThanOrEqualTo(N / 7 - 2);
            }
        }
    }

    /** Whether searching {@code v[id]} finds {@code id} first; when it does, its distance must be 0 (its vector in this snapshot). */
    private static boolean self(IndexReader r, float[][] v, int id) {
        Neighbor n = r.search(v[id], SearchOptions.builder().k(1).ef(64).searchK(3_000).build()).neighbors().get(0);
        if (n.id() != id) {
            return false;
        }
        assertThat(n.distance()).as("distance of %d to its own vector", id).isZero();
        return true;
    }
}
