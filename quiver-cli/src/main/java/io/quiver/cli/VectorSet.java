package io.quiver.cli;

import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Vectors encoded in the stored item format in off-heap memory (chunks of 64 Ki items), so that the
 * distance kernels measure them in place: the brute-force side of {@code truth}, {@code bench}
 * and {@code demo}. Heap use is 4 bytes of id per vector.
 */
final class VectorSet implements AutoCloseable {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final Arena arena = Arena.ofShared();
    private final Distance distance;
    private final int itemBytes;
    private final List<MemorySegment> chunks = new ArrayList<>();
    private long[] chunkAddress = new long[4];
    private int[] ids = new int[1024];
    private int size;

    VectorSet(DistanceKind kind, int dims) {
        this.distance = kind.create(dims);
        this.itemBytes = distance.itemBytes();
    }

    Distance distance() {
        return distance;
    }

    int size() {
        return size;
    }

    int id(int i) {
        return ids[i];
    }

    long address(int i) {
        return chunkAddress[i >>> CHUNK_BITS] + (long) (i & (CHUNK - 1)) * itemBytes;
    }

    void add(int id, float[] v) {
        int c = size >>> CHUNK_BITS;
        if (c == chunks.size()) {
            MemorySegment seg = arena.allocate((long) CHUNK * itemBytes, 8);
            chunks.add(seg);
            if (c == chunkAddress.length) {
                chunkAddress = Arrays.copyOf(chunkAddress, c * 2);
            }
            chunkAddress[c] = seg.address();
        }
        MemorySegment slot = chunks.get(c).asSlice((long) (size & (CHUNK - 1)) * itemBytes, itemBytes);
        distance.encode(v, slot.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    float[] vector(int i) {
        return distance.decode(address(i));
    }

    /**
     * Loads a file (validated like an import; ids from the file, else row numbers), at most
     * {@code limit} vectors when {@code limit >= 0}. {@code dims} -1 learns it from the file.
     */
    static VectorSet load(Path file, DistanceKind kind, int dims, long limit, String what) throws IOException {
        if (limit == 0 || limit < -1) {
            throw CliException.usage("a limit on " + what + " vectors must be positive");
        }
        try (VectorReader in = VectorReader.open(file);
                Progress bar = Progress.start("load " + what, Math.max(1, in.totalBytes() >> 20), "MiB", 1)) {
            VectorCheck check = new VectorCheck(in, dims > 0 ? dims : in.declaredDimensions(), dims > 0 ? "expected" : null, 0);
            VectorSet set = null;
            try {
                VectorRecord r;
                while ((r = in.next()) != null) {
                    float[] v = check.vector(r);
                    int id = check.id(r);
                    if (set == null) {
                        set = new VectorSet(kind, v.length);
                    }
                    set.add(id, v);
                    if ((set.size & 1023) == 0) {
                        bar.stepTo(in.bytesRead() >> 20);
                    }
                    if (limit >= 0 && set.size >= limit) {
                        break;
                    }
                }
            } catch (RuntimeException | IOException e) {
                if (set != null) {
                    set.close();
                }
                throw e;
            }
            if (set == null) {
                throw CliException.badInput(file + ": the file holds no vectors");
            }
            bar.stepTo(in.totalBytes() >> 20);
            return set;
        }
    }

    /**
     * The exact {@code k} nearest of each query among this set's vectors, by the ordering distance,
     * ties broken by the smaller id. Returns ids per query.
     */
    int[][] nearest(VectorSet queries, int k, int threads) {
        int nq = queries.size();
        int kk = Math.min(k, size);
        int[][] out = new int[nq][];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        try (Progress bar = Progress.start("exact neighbours", nq)) {
            Runnable work = () -> {
                float[] hd = new float[kk];
                int[] hi = new int[kk];
                while (true) {
                    int q = next.getAndIncrement();
                    if (q >= nq) {
                        return;
                    }
                    out[q] = topK(queries.address(q), kk, hd, hi);
                    long d = done.incrementAndGet();
                    if ((d & 15) == 0) {
                        bar.stepTo(d);
                    }
                }
            };
            runThreads(threads, work);
            bar.stepTo(nq);
        }
        return out;
    }

    /** Runs {@code work} on {@code threads} threads and waits; rethrows the first failure. */
    static void runThreads(int threads, Runnable work) {
        if (threads <= 1) {
            work.run();
            return;
        }
        List<Thread> ts = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    work.run();
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                }
            }, "quiver-worker-" + t);
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.CANCELLED, "interrupted");
            }
        }
        if (failure[0] instanceof RuntimeException re) {
            throw re;
        }
        if (failure[0] instanceof Error er) {
            throw er;
        }
        if (failure[0] != null) {
            throw new RuntimeException(failure[0]);
        }
    }

    /** Bounded max-heap scan: the kk closest (distance, then id) to the encoded query at {@code qa}. */
    private int[] topK(long qa, int kk, float[] hd, int[] hi) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            float d = distance.distance(qa, address(i));
            if (Float.isNaN(d)) {
                d = Float.POSITIVE_INFINITY;
            }
            int id = ids[i];
            if (n < kk) {
                hd[n] = d;
                hi[n] = id;
                siftUp(hd, hi, n++);
            } else if (worse(hd[0], hi[0], d, id)) {
                hd[0] = d;
                hi[0] = id;
                siftDown(hd, hi, n);
            }
        }
        // Pop the heap: worst first, filled from the back.
        int[] res = new int[n];
        for (int m = n; m > 0; m--) {
            res[m - 1] = hi[0];
            hd[0] = hd[m - 1];
            hi[0] = hi[m - 1];
            siftDown(hd, hi, m - 1);
        }
        return res;
    }

    /** Whether (d1, id1) ranks after (d2, id2). */
    private static boolean worse(float d1, int id1, float d2, int id2) {
        return d1 > d2 || (d1 == d2 && Integer.compareUnsigned(id1, id2) > 0);
    }

    private static void siftUp(float[] d, int[] id, int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!worse(d[i], id[i], d[p], id[p])) {
                return;
            }
            swap(d, id, i, p);
            i = p;
        }
    }

    private static void siftDown(float[] d, int[] id, int n) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                return;
            }
            int w = l;
            int r = l + 1;
            if (r < n && worse(d[r], id[r], d[l], id[l])) {
                w = r;
            }
            if (!worse(d[w], id[w], d[i], id[i])) {
                return;
            }
            swap(d, id, i, w);
            i = w;
        }
    }

    private static void swap(float[] d, int[] id, int a, int b) {
        float td = d[a];
        d[a] = d[b];
        d[b] = td;
        int ti = id[a];
        id[a] = id[b];
        id[b] = ti;
    }

    @Override
    public void close() {
        arena.close();
    }
}
