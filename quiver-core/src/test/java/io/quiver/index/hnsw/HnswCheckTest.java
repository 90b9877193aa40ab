package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HnswReader#check()} (what {@code quiver check} runs) finds damaged links. */
class HnswCheckTest {
    @TempDir
    Path dir;

    @Test
    void aSoundGraphPassesAndALinkToAMissingItemIsReported() {
        float[][] v = HnswTestSupport.clustered(300, 8, 5, 1);
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 8);
                for (int i = 0; i < v.length; i++) {
                    w.add(i, v[i]);
                }
                w.build(HnswBuildOptions.builder().m(8).efConstruction(40).threads(2).build());
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check()).isEmpty();
            }
            store.write(txn -> {
                ByteBuffer links = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1).putInt(4, 999_999);
                txn.put(0, KeyKind.LINKS, 0, 0, links);
            });
            try (ReadTxn txn = store.read()) {
                assertThat(HnswReader.open(txn, 0).check())
                        .anyMatch(p -> p.contains("0 -> 999999") && p.contains("deleted or missing"));
            }
        }
    }
}
