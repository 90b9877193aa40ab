package io.quiver.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.index.Neighbor;
import io.quiver.index.SearchOptions;
import io.quiver.index.SearchResult;
import io.quiver.index.forest.ForestBuildOptions;
import io.quiver.index.forest.ForestReader;
import io.quiver.index.forest.ForestWriter;
import io.quiver.storage.ReadTxn;
import io.quiver.storage.Store;
import io.quiver.testing.Vectors;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * Eight reader threads in this JVM and a reader process ({@link ReaderProcess}) search without
 * pause while a writer adds, deletes and builds in a loop, every change built in the transaction
 * that makes it. No reader may ever see an error (a half-built index would show as NEEDS_BUILD or
 * a corrupt node), and none may see an id deleted by a commit that finished before its snapshot
 * began: deletions are recorded with their commit sequence number, readers note the last
 * committed sequence number before they open their snapshot.
 */
class ConcurrencyTest {
    private static final int DIMS = 16;

    @TempDir
    Path tmp;

    @Test
    void readersNeverSeeHalfBuiltIndexesOrDeletedItems() throws Exception {
        run(10_000);
    }

    @Test
    @Tag("slow")
    void readersNeverSeeHalfBuiltIndexesOrDeletedItemsForAMinute() throws Exception {
        run(60_000);
    }

    private void run(long millis) throws Exception {
        Path db = tmp.resolve("db");
        Path log = tmp.resolve("deletions.log");
        Path stopFile = tmp.resolve("stop");
        Files.createFile(log);
        Random rnd = new Random(1);
        float[][] initial = Vectors.clustered(3000, DIMS, 10, 2);
        RoaringBitmap live = new RoaringBitmap();
        live.add(0L, initial.length);
        ConcurrentHashMap<Integer, Long> deletedAt = new ConcurrentHashMap<>();
        AtomicLong committedSeq = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicLong searches = new AtomicLong();

        try (Store store = Store.open(db)) {
            Rel.buildForest(store, initial, 10);
            Process child = new ProcessBuilder(Rel.java(ReaderProcess.class, db.toString(), log.toString(), stopFile.toString(), Integer.toString(DIMS)))
                    .redirectErrorStream(true).start();
            List<String> childOut = new CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            Thread pump = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        childOut.add(line);
                        if (line.equals("READY")) {
                            ready.countDown();
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child ended
                }
            });
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                readers.add(Thread.ofPlatform().name("reader-" + t).start(() -> readLoop(store, seed, committedSeq, deletedAt, stop, errors, searches)));
            }
            try {
                assertThat(ready.await(60, TimeUnit.SECONDS)).as("reader process started: %s", childOut).isTrue();
                long deadline = System.nanoTime() + millis * 1_000_000L;
                int nextId = initial.length;
                long seq = 0;
                while (System.nanoTime() < deadline && errors.isEmpty()) {
                    // decide the change first: store.write may run the lambda again after growing the map
                    float[][] added = Vectors.clustered(100, DIMS, 10, rnd.nextLong());
                    int firstAdded = nextId;
                    int[] removed = new int[50];
                    for (int i = 0; i < removed.length; i++) {
                        removed[i] = live.select(rnd.nextInt(live.getCardinality()));
                    }
                    long thisSeq = ++seq;
                    for (int id : removed) {
                        deletedAt.putIfAbsent(id, thisSeq);
                    }
                    store.write(txn -> {
                        ForestWriter w = ForestWriter.open(txn, 0);
                        for (int i = 0; i < added.length; i++) {
                            w.add(firstAdded + i, added[i]);
                        }
                        for (int id : removed) {
                            w.delete(id);
                        }
                        w.build(ForestBuildOptions.builder().threads(2).build());
                    });
                    committedSeq.set(thisSeq);
                    StringBuilder line = new StringBuilder().append(thisSeq);
                    for (int id : removed) {
                        line.append(' ').append(id);
                        live.remove(id);
                    }
                    Files.writeString(log, line.append('\n'), StandardOpenOption.APPEND);
                    live.add((long) firstAdded, (long) firstAdded + added.length);
                    nextId += added.length;
                }
            } finally {
                stop.set(true);
                for (Thread t : readers) {
                    t.join(60_000);
                }
                Files.createFile(stopFile);
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
                pump.join(10_000);
            }
            assertThat(errors).as("errors of the reader threads").isEmpty();
            String done = childOut.stream().filter(l -> l.startsWith("DONE")).findFirst().orElse(null);
            assertThat(childOut.stream().filter(l -> l.startsWith("ERROR")).toList()).as("errors of the reader process").isEmpty();
            assertThat(done).as("reader process output: %s", childOut).isNotNull().contains("errors=0");
            assertThat(Long.parseLong(done.replaceAll(".*searches=(\\d+).*", "$1"))).as(done).isPositive();
            assertThat(child.exitValue()).isZero();
            assertThat(committedSeq.get()).as("commits").isGreaterThanOrEqualTo(3);
            assertThat(searches.get()).as("searches by the reader threads").isGreaterThan(100);
            try (ReadTxn txn = store.read()) {
                ForestReader r = ForestReader.open(txn, 0);
                assertThat(r.ids()).isEqualTo(live);
                assertThat(r.check()).isEmpty();
            }
            System.out.printf("commits=%d, searches in-process=%d, reader process: %s%n", committedSeq.get(), searches.get(), done);
        }
    }

    private static void readLoop(Store store, long seed, AtomicLong committedSeq, ConcurrentHashMap<Integer, Long> deletedAt, AtomicBoolean stop,
            List<String> errors, AtomicLong searches) {
        Random rnd = new Random(seed);
        float[] q = new float[DIMS];
        while (!stop.get() && errors.size() < 20) {
            long seen = committedSeq.get(); // read before the snapshot begins
            try (ReadTxn txn = store.read()) {
                ForestReader reader = ForestReader.open(txn, 0);
                RoaringBitmap ids = reader.ids();
                for (int i = 0; i < 3; i++) {
                    for (int d = 0; d < DIMS; d++) {
                        q[d] = (float) (rnd.nextGaussian() * 4);
                    }
                    SearchResult r = reader.search(q, SearchOptions.k(10));
                    searches.incrementAndGet();
                    if (r.size() != Math.min(10, ids.getCardinality())) {
                        errors.add("search returned " + r.size() + " results from " + ids.getCardinality() + " items");
                    }
                    for (Neighbor n : r.neighbors()) {
                        Long at = deletedAt.get(n.id());
                        if (at != null && at <= seen) {
                            errors.add("id " + n.id() + " deleted by commit " + at + " was returned by a snapshot begun after commit " + seen);
                        }
                        if (!ids.contains(n.id())) {
                            errors.add("id " + n.id() + " is not in the snapshot's item set");
                        }
                    }
                }
                for (Integer id : deletedAt.keySet()) {
                    Long at = deletedAt.get(id);
                    if (at != null && at <= seen && ids.contains(id)) {
                        errors.add("the snapshot begun after commit " + seen + " still holds id " + id + " deleted by commit " + at);
                        break;
                    }
                }
            } catch (RuntimeException e) {
                errors.add(Thread.currentThread().getName() + ": " + e);
            }
        }
    }
}
