package io.quiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java example of README.md, verbatim, so the README cannot drift from the code. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAndFindsItemOne() {
        SearchResult[] out = new SearchResult[1];
        try (Store store = Store.open(dir.resolve("vectors"))) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.COSINE, 3);
                w.add(1, new float[] {0.1f, 0.9f, 0.0f});
                w.add(2, new float[] {0.8f, 0.1f, 0.3f});
                w.build(HnswBuildOptions.defaults());
            });
            try (ReadTxn txn = store.read()) {
                SearchResult r = HnswReader.open(txn, 0).search(new float[] {0.2f, 0.8f, 0.1f}, SearchOptions.k(1));
                out[0] = r;
            }
        }
        assertThat(out[0].ids()).containsExactly(1);
        double cos = (0.02 + 0.72 + 0.0) / (Math.sqrt(0.01 + 0.81) * Math.sqrt(0.04 + 0.64 + 0.01));
        assertThat(out[0].neighbors().get(0).distance()).isCloseTo((float) (1 - cos), within(1e-5f));
        assertThat(out[0].neighbors().toString()).startsWith("[1:0.0162");
    }
}
