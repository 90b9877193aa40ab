package io.quiver.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import org.junit.jupiter.api.Test;

/** The graph parameters a build accepts, and the defaults it fills in. */
class HnswBuildOptionsTest {
    private static void refused(Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
                .hasMessageContaining(message);
    }

    @Test
    void aBeamNarrowerThanMIsRefused() {
        // a beam of 1 left most of 3,000 items unreachable, at m 4 as at m 16
        refused(() -> HnswBuildOptions.builder().m(4).efConstruction(1).build(), "efConstruction must be at least m (4), got 1");
        refused(() -> HnswBuildOptions.builder().m(300).efConstruction(250).build(), "efConstruction must be at least m (300), got 250");
        refused(() -> HnswBuildOptions.builder().efConstruction(-5).build(), "efConstruction must be at least m (16), got -5");
        assertThat(HnswBuildOptions.builder().m(4).efConstruction(4).build().efConstruction()).isEqualTo(4);
    }

    @Test
    void theDefaultBeamIs200OrMWhenLarger() {
        assertThat(HnswBuildOptions.defaults().efConstruction()).isEqualTo(200);
        assertThat(HnswBuildOptions.builder().m(300).build().efConstruction()).isEqualTo(300);
        assertThat(HnswBuildOptions.builder().m(300).efConstruction(0).build().efConstruction()).isEqualTo(300);
    }

    @Test
    void otherParametersOutOfRange() {
        refused(() -> HnswBuildOptions.builder().m(1).build(), "m must be in 2..1024, got 1");
        refused(() -> HnswBuildOptions.builder().m(2000).build(), "m must be in 2..1024, got 2000");
        refused(() -> HnswBuildOptions.builder().m(16).m0(8).build(), "m0 must be in m..4096, got 8");
        refused(() -> HnswBuildOptions.builder().alpha(0.5).build(), "alpha must be at least 1.0 and finite, got 0.5");
        refused(() -> HnswBuildOptions.builder().alpha(Double.POSITIVE_INFINITY).build(), "alpha must be at least 1.0 and finite, got Infinity");
        refused(() -> HnswBuildOptions.builder().alpha(Double.NaN).build(), "alpha must be at least 1.0 and finite, got NaN");
    }
    /**
     * A graph stored before options refused a narrow beam (efConstruction 4 at m 16) can still be
     * described and built on: its parameters report the beam builds use (m), and an incremental
     * build runs (a review helper's run: every CLI build of such a store failed with the options'
     * message about a value the user never typed).
     */
    @Test
    void aGraphStoredWithABeamNarrowerThanMCanStillBeDescribedAndBuilt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        float[][] v = HnswTestSupport.clustered(600, 24, 6, 3);
        try (io.quiver.storage.Store store = io.quiver.storage.Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, io.quiver.distance.DistanceKind.EUCLIDEAN, 24);
                for (int i = 0; i < 500; i++) {
                    w.add(i, v[i]);
                }
                w.build(HnswBuildOptions.builder().m(16).threads(1).build());
                HnswMetadata hm = HnswMetadata.read(txn, 0);
                new HnswMetadata(hm.hasEntry(), hm.entry(), hm.maxLevel(), hm.m(), hm.m0(), 4, hm.alpha(), hm.seed()).write(txn, 0);
            });
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                assertThat(w.keptParameters().efConstruction()).isEqualTo(16);
                for (int i = 500; i < 600; i++) {
                    w.add(i, v[i]);
                }
                w.build(HnswBuildOptions.builder().m(16).threads(1).build());
            });
            try (io.quiver.storage.ReadTxn txn = store.read()) {
                HnswReader r = HnswReader.open(txn, 0);
                assertThat(r.parameters().m()).isEqualTo(16);
                assertThat(r.parameters().efConstruction()).isEqualTo(16);
                assertThat(r.check()).isEmpty();
                assertThat(r.size()).isEqualTo(600);
            }
        }
    }
}
