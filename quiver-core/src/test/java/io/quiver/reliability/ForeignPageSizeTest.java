package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.distance.DistanceKind;
import io.quiver.index.SearchResult;
import io.quiver.index.SearchOptions;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.index.hnsw.HnswBuildOptions;
import io.quiver.index.hnsw.HnswReader;
import io.quiver.index.hnsw.HnswWriter;
import io.quiver.storage.PageCheck;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written where pages are 16 KiB (some ARM64 Linux kernels; LMDB takes the system's page
 * size when it creates a file and keeps it in the meta pages) opens, searches, grows and checks
 * here, on 4 KiB pages. Before, the meta-page check refused it as corrupted, so such a system could
 * not even reopen its own stores. The fixture is made by {@code scripts/fixtures/page16k-store.sh}.
 */
class ForeignPageSizeTest {
    @TempDir
    Path tmp;

    @Test
    void aStoreOf16KiBPagesOpensSearchesGrowsAndChecks() throws IOException {
        Path dir = fixture("page16k");
        PageCheck.Report walked = PageCheck.run(dir);
        assertThat(walked.problems()).isEmpty();
        assertThat(walked.pages()).isEqualTo(16);

        float[][] more = new float[300][8];
        Random r = new Random(7);
        for (float[] v : more) {
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) r.nextGaussian();
            }
        }
        try (Store store = Store.open(dir)) {
            assertThat(store.pageSize()).isEqualTo(16384);
            try (ReadTxn txn = store.read()) {
                HnswReader h = HnswReader.open(txn, 0);
                assertThat(h.size()).isEqualTo(200);
                assertThat(h.check()).isEmpty();
                for (int id = 0; id < 200; id += 17) {
                    SearchResult s = h.searchItem(id, SearchOptions.k(3));
                    assertThat(s.neighbors().get(0).id()).isEqualTo(id);
                    assertThat(s.neighbors().get(0).distance()).isZero();
                }
            }
            store.write(txn -> {
                HnswWriter w = HnswWriter.open(txn, 0);
                for (int i = 0; i < more.length; i++) {
                    w.add(200 + i, more[i]);
                }
                for (int id = 0; id < 20; id++) {
                    w.delete(id);
                }
                w.build(HnswBuildOptions.builder().build());
                ForestWriter f = ForestWriter.create(txn, 1, DistanceKind.COSINE, 8);
                for (int i = 0; i < more.length; i++) {
                    f.add(i, more[i]);
                }
                f.build(ForestBuildOptions.builder().nTrees(4).build());
            });
            try (ReadTxn txn = store.read()) {
                HnswReader h = HnswReader.open(txn, 0);
                assertThat(h.size()).isEqualTo(480);
                assertThat(h.check()).isEmpty();
                assertThat(h.searchItem(250, SearchOptions.k(1)).ids()).containsExactly(250);
                ForestReader f = ForestReader.open(txn, 1);
                assertThat(f.check()).isEmpty();
                assertThat(f.searchItem(42, SearchOptions.k(1)).ids()).containsExactly(42);
            }
        }
        PageCheck.Report after = PageCheck.run(dir);
        assertThat(after.problems()).isEmpty();
        assertThat(after.pages()).isGreaterThan(16);
    }

    @Test
    void aDamagedPageSizeFieldOfA16KiBStoreIsDamageToCheck() throws IOException {
        // Meta page 0 then names no possible size, so the walk reads at 4 KiB and finds no meta
        // page 1 either: still LMDB's file, damaged (check exits 4), not "no store" (a fuzzing
        // helper saw check exit 17 through the open instead).
        Path dir = fixture("page16k-bad");
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(dir.resolve("data.mdb"), java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 131072), 16 + 24);
        }
        PageCheck.Report r = PageCheck.run(dir);
        assertThat(r.problems()).isNotEmpty();
        assertThat(r.pages()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Store.open(dir).close())
                .isInstanceOf(io.quiver.storage.QuiverException.class)
                .hasMessageContaining("page size of 131072");
    }

    @Test
    void pagesOf64KiBAreRefusedBecauseLmdbCannotWriteThem() throws IOException {
        // LMDB caps pages at 32 KiB (16-bit free-space bounds): a 64 KiB system gets 32 KiB pages.
        // A fuzzing helper spread a store's pages 64 KiB apart and set both meta pages to 64 KiB:
        // it read fine, then the first write aborted the JVM in mdb_node_add.
        byte[] pages = Files.readAllBytes(fixture("page16k-source").resolve("data.mdb"));
        int old = 16384;
        int big = 65536;
        byte[] spread = new byte[pages.length / old * big];
        for (int k = 0; k < pages.length / old; k++) {
            System.arraycopy(pages, k * old, spread, k * big, old);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(spread).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(16 + 24, big);
        b.putInt(big + 16 + 24, big);
        Path dir = tmp.resolve("page64k");
        Files.createDirectories(dir);
        Files.write(dir.resolve("data.mdb"), spread);
        assertThat(PageCheck.run(dir).problems()).anySatisfy(p -> assertThat(p).contains("65536"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Store.open(dir).close())
                .isInstanceOf(io.quiver.storage.QuiverException.class)
                .hasMessageContaining("page size of 65536");
    }

    @Test
    void aDamagedPageSizeFieldIsStillRefused() throws IOException {
        // A 4 KiB store whose meta page 0 names 16 KiB: a possible size, but meta page 1 does not
        // start there, and LMDB would read every page at the wrong offset.
        Path dir = tmp.resolve("damaged");
        try (Store store = Store.open(dir)) {
            store.write(txn -> {
                HnswWriter w = HnswWriter.create(txn, 0, DistanceKind.EUCLIDEAN, 8);
                Random r = new Random(1);
                for (int i = 0; i < 300; i++) {
                    float[] v = new float[8];
                    for (int d = 0; d < 8; d++) {
                        v[d] = (float) r.nextGaussian();
                    }
                    w.add(i, v);
                }
                w.build(HnswBuildOptions.builder().build());
            });
        }
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(dir.resolve("data.mdb"), java.nio.file.StandardOpenOption.WRITE)) {
            // the free list's md_pad in meta page 0: page header 16 + magic, version, address, map size 24
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 16384);
            f.write(b, 16 + 24);
        }
        assertThat(PageCheck.run(dir).problems()).isNotEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Store.open(dir).close())
                .isInstanceOf(io.quiver.storage.QuiverException.class)
                .hasMessageContaining("page size of 16384");
    }

    /** A directory holding the 16 KiB-page store of the fixture. */
    private Path fixture(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (InputStream in = new GZIPInputStream(ForeignPageSizeTest.class.getResourceAsStream("/stores/page16k-data.mdb.gz"))) {
            Files.copy(in, dir.resolve("data.mdb"));
        }
        return dir;
    }
}
