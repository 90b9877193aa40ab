package io.quiver.index.forest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.InterruptedBuild;
import io.quiver.testing.Vectors;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forest build whose thread is interrupted while its workers update the trees must end only after
 * they have stopped: the build frees the memory they read (the working copy of the vectors) as soon
 * as it returns. Before, it stopped waiting at the interrupt.
 */
class ForestBuildInterruptTest {
    private static final int BASE = 3000;
    private static final int ADDED = 1000;
    private static final int DIMS = 24;
    private final float[][] vectors = Vectors.clustered(BASE + ADDED, DIMS, 30, 5);

    @Test
    void anInterruptedBuildWaitsForItsWorkers(@TempDir Path dir) throws Exception {
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                ForestWriter w = ForestWriter.create(txn, 0, DistanceKind.EUCLIDEAN, DIMS);
                for (int id = 0; id < BASE; id++) {
                    w.add(id, vectors[id]);
                }
                w.build(ForestBuildOptions.builder().nTrees(8).splitAfter(32).threads(2).seed(7).build());
            });
            InterruptedBuild ib = new InterruptedBuild("updating the trees");
            ib.runOnNewThread(() -> store.write(txn -> {
                ForestWriter w = ForestWriter.open(txn, 0);
                for (int id = BASE; id < BASE + ADDED; id++) {
                    w.add(id, vectors[id]);
                }
                ib.build(() -> w.build(ForestBuildOptions.builder().nTrees(8).splitAfter(32).threads(2).seed(7).listener(ib).build()));
            }));
            assertThat(ib.interrupted()).isTrue();
            assertThat(ib.workers()).isNotEmpty();
            assertThat(ib.thrown()).isInstanceOf(QuiverException.class);
            assertThat(((QuiverException) ib.thrown()).kind()).isEqualTo(ErrorKind.CANCELLED);
            assertThat(ib.aliveWhenThrown()).as("worker threads alive when the build threw").isEmpty();
            // nothing of the cancelled build was committed, and the index builds on
            store.write(txn -> {
                ForestWriter w = ForestWriter.open(txn, 0);
                for (int id = BASE; id < BASE + ADDED; id++) {
                    w.add(id, vectors[id]);
                }
                w.build(ForestBuildOptions.builder().nTrees(8).splitAfter(32).threads(2).seed(7).build());
            });
            try (ReadTxn r = store.read()) {
                assertThat(ForestReader.open(r, 0).size()).isEqualTo(BASE + ADDED);
            }
        }
    }
}
