package io.quiver.index;

import io.quiver.distance.Distance;
import io.quiver.distance.ScalarQuantizer;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The int8 codes of one index's items ({@link ScalarQuantizer}) as the store keeps them: the range
 * under {@code [index][METADATA][CODES]} as {@code [version u8][lo f32][step f32]}, one code per
 * built item under {@code [index][CODE][id]} ({@link ScalarQuantizer#CODE_EXACT} in its first byte when
 * the code is the vector exactly). Builds maintain them next to the structure; readers traverse
 * with them and re-rank with the exact vectors where codes round.
 *
 * <pre>{@code
 * ScalarQuantizer sq = ItemCodes.fit(txn, index, distance, ids);   // first build
 * ItemCodes.writeRange(txn, index, sq);
 * for (int id : inserted) ItemCodes.put(txn, index, sq, id, false);
 * }</pre>
 */
public final class ItemCodes {
    private static final byte VERSION = 1;
    private static final int BYTES = 9;
    /**
     * Fewer dimensions than this get no codes: a vector of up to 15 floats spans one or two cache
     * lines, so a code saves no memory traffic and only adds rounding (which, on 5-d data, cut
     * links a self-search then missed).
     */
    public static final int MIN_DIMENSIONS = 16;
    /** Items read to find the value range: enough to see the extremes of any real distribution. */
    private static final int SAMPLE = 20_000;

    private ItemCodes() {}

    /** The stored range of {@code index}, or null when it keeps no codes. */
    public static ScalarQuantizer read(Txn txn, int index, Distance distance) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, IndexMetadata.CODES);
        if (v == null) {
            return null;
        }
        if (v.remaining() != BYTES || v.get(0) != VERSION || !ScalarQuantizer.supports(distance.kind())) {
            throw new QuiverException(ErrorKind.CORRUPTED, "int8 code range of index " + index + " is corrupted");
        }
        return new ScalarQuantizer(distance.kind(), distance.dimensions(), v.getFloat(1), v.getFloat(5));
    }

    public static void writeRange(WriteTxn txn, int index, ScalarQuantizer sq) {
        ByteBuffer out = txn.reserve(index, KeyKind.METADATA, IndexMetadata.CODES, BYTES);
        out.put(0, VERSION);
        out.putFloat(1, sq.lo());
        out.putFloat(5, sq.step());
    }

    /**
     * {@link #fit} over vectors already in memory, in {@code parts} parts that {@code parallel}
     * may fit at once: {@code addresses[i]} holds the vector of the i-th of the ids {@link #fit}
     * would read, in the same order, so both give the same range (or both null).
     */
    public static ScalarQuantizer fit(Distance distance, long[] addresses, int parts, java.util.function.BiConsumer<Integer, java.util.function.IntConsumer> parallel) {
        long stride = Math.max(1, addresses.length / SAMPLE);
        int samples = (int) ((addresses.length + stride - 1) / stride);
        ScalarQuantizer.Fitter[] fitters = new ScalarQuantizer.Fitter[parts];
        parallel.accept(parts, p -> {
            ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(distance);
            for (long s = (long) samples * p / parts; s < (long) samples * (p + 1) / parts; s++) {
                f.add(addresses[(int) (s * stride)]);
            }
            fitters[p] = f;
        });
        for (int p = 1; p < parts; p++) {
            fitters[0].merge(fitters[p]);
        }
        return resolving(fitters[0], fitters[0].fit(), null);
    }

    /**
     * {@code q}, or null when its codes would not tell apart the items {@code f} sampled ({@link
     * ScalarQuantizer.Fitter#resolves}), said to {@code note}.
     */
    private static ScalarQuantizer resolving(ScalarQuantizer.Fitter f, ScalarQuantizer q, java.util.function.Consumer<String> note) {
        ScalarQuantizer.Fitter.Judgement judged = f.judge(q);
        if (judged.resolves()) {
            return q;
        }
        if (note != null) {
            note.accept(judged.roundingShare() > ScalarQuantizer.Fitter.MAX_ROUNDING ? leftOff(judged.roundingShare())
                    : leftOffForNeighbours(judged.unresolvedShare()));
        }
        return null;
    }

    /** The progress step that says why an index keeps no codes, when tight groups of items are why. */
    private static String leftOffForNeighbours(double unresolved) {
        return String.format(java.util.Locale.ROOT, "int8 codes left off: for %.0f%% of the sampled items they would lie more than %.0f%% of the distance"
                + " to the item's %dth nearest sampled neighbour from their items (groups of items tighter than the codes' steps), so the vectors serve",
                100 * unresolved, 100 * ScalarQuantizer.Fitter.MAX_NEIGHBOUR_ROUNDING, ScalarQuantizer.Fitter.NEIGHBOUR_RANK);
    }

    /** The progress step that says why an index keeps no codes. */
    private static String leftOff(double share) {
        return String.format(java.util.Locale.ROOT, "int8 codes left off: they would lie %.1f%% of the distance between two items from their items"
                + " (more than %.0f%%: the range is too wide for how close the items are, as when some are far larger than the rest), so the vectors serve",
                100 * share, 100 * ScalarQuantizer.Fitter.MAX_ROUNDING);
    }

    /** Whether a build from scratch of {@code d} keeps codes when they are {@code wanted}. */
    public static boolean used(Distance d, boolean wanted) {
        return wanted && ScalarQuantizer.supports(d.kind()) && d.dimensions() >= MIN_DIMENSIONS;
    }

    /**
     * Replaces every code of the index with {@code encoded}: the codes of {@code ids} (ascending),
     * {@link ScalarQuantizer#codeBytes()} bytes each, coded by {@code sq} (a build from scratch
     * that coded its in-memory copies on its worker threads). Leaves this thread only the puts.
     */
    public static void replaceAll(WriteTxn txn, int index, ScalarQuantizer sq, int[] ids, long encoded) {
        dropAll(txn, index);
        writeRange(txn, index, sq);
        int bytes = sq.codeBytes();
        boolean append = true;
        for (int i = 0; i < ids.length; i++) {
            ByteBuffer out = append ? txn.reserveAppend(index, KeyKind.CODE, ids[i], bytes) : txn.reserve(index, KeyKind.CODE, ids[i], bytes);
            java.lang.foreign.MemorySegment.copy(NativeMemory.ALL, encoded + (long) i * bytes, NativeMemory.ALL, NativeMemory.address(out), bytes);
            append = append && txn.lastReserveAppended();
        }
    }

    /** Fits a range to (an even sample of) the stored vectors of {@code ids}; null when its codes would not tell them apart. */
    public static ScalarQuantizer fit(Txn txn, int index, Distance distance, RoaringBitmap ids) {
        return fit(txn, index, distance, ids, null);
    }

    private static ScalarQuantizer fit(Txn txn, int index, Distance distance, RoaringBitmap ids, java.util.function.Consumer<String> note) {
        ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(distance);
        forEachStored(txn, index, ids, SAMPLE, f::add);
        return resolving(f, f.fit(), note);
    }

    /**
     * Gives the address of the stored vector of about {@code max} of {@code ids}, evenly spaced
     * (every id when there are at most {@code max}), skipping ids with no vector.
     */
    private static void forEachStored(Txn txn, int index, RoaringBitmap ids, long max, java.util.function.LongConsumer vector) {
        long stride = Math.max(1, ids.getLongCardinality() / max);
        long i = 0;
        for (int id : ids) {
            if (i++ % stride != 0) {
                continue;
            }
            ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
            if (v != null) {
                vector.accept(NativeMemory.address(v));
            }
        }
    }

    /**
     * Writes the code of stored item {@code id} (which must exist). With {@code append}, tries
     * LMDB's append mode (ids ascending past the last key) and returns whether it worked, so that a
     * caller stops trying after the first refusal.
     */
    public static boolean put(WriteTxn txn, int index, ScalarQuantizer sq, int id, boolean append) {
        ByteBuffer item = txn.get(index, KeyKind.ITEM, id);
        if (item == null) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " has no vector to code");
        }
        // Coded into scratch before the put: a put may move values of this transaction.
        long a = NativeMemory.address(item);
        ByteBuffer tmp = txn.scratch(sq.codeBytes());
        sq.encodeItem(a, tmp);
        if (append) {
            txn.reserveAppend(index, KeyKind.CODE, id, sq.codeBytes()).put(tmp);
            return txn.lastReserveAppended();
        }
        txn.put(index, KeyKind.CODE, id, tmp);
        return false;
    }

    /**
     * The code range a build uses and stores, or null for none. A build from scratch ({@code full})
     * fits it to the items when codes are {@code wanted} and the distance supports them; an
     * incremental build keeps the stored one, so that new items are coded like the old, unless
     * items it inserts fall outside it ({@link #widened}); an index first built empty fits it when
     * items arrive. A range that differs from the stored one recodes every item
     * ({@link #update}). No range either when its codes would not tell the items apart
     * ({@link ScalarQuantizer.Fitter#resolves}): {@code note} then hears why, and a stored range
     * is dropped with every code.
     */
    public static ScalarQuantizer rangeFor(Txn txn, int index, Distance d, boolean wanted, boolean full, RoaringBitmap after, RoaringBitmap builtBefore,
            RoaringBitmap inserted, java.util.function.Consumer<String> note) {
        if (!full) {
            ScalarQuantizer stored = read(txn, index, d);
            if (stored != null) {
                return widened(txn, index, d, stored, inserted, after, note);
            }
            if (!builtBefore.isEmpty()) {
                return null;
            }
        }
        if (!used(d, wanted) || after.isEmpty()) {
            return null;
        }
        return fit(txn, index, d, after, note);
    }

    /**
     * {@code stored}, or a wider range when the {@code inserted} items lie outside it. Clamped
     * codes all but hide the items from searches: 200 items of integers 300..500 added to an index
     * fitted to integers 0..200 were found by about a third of the queries among them
     * (recall@10 at the default ef), and a build measuring on exact codes linked them on their
     * clamped codes. The range is widened when more than one in {@value #CLAMPED_PER} of the new
     * items' components (of an even sample) lie over {@value #SLACK} steps outside it: a shift of
     * the data. The
     * extremes of a sample, which new items of the same distribution pass by a step or two now and
     * then, do not count (in the tests, 1,000 more items of the same 32-d clusters never widened
     * it). A widened range gets a tenth of its span as headroom on each side that moved, so that
     * data drifting one way widen it a logarithmic number of times. It is never on the integer
     * grid (the old items' largest value is not known, so exact codes could not be promised), and
     * so no build measures on its codes. Widening recodes every item ({@link #update}): a cost of the
     * index's size, paid by the build whose data moved. The check reads up to {@value #CHECKED} of
     * the inserted vectors. A wider range whose codes would no longer tell the items of
     * {@code after} apart (an even sample of {@value #SPACING_SAMPLE}) gives null instead, said to
     * {@code note}: the index then keeps no codes (500 items 100 times larger than 5,000 others took
     * recall@10 of queries among the others from 1.00 to 0.80 at ef 64, and a rebuild kept it
     * there, a review helper's run).
     */
    static ScalarQuantizer widened(Txn txn, int index, Distance d, ScalarQuantizer stored, RoaringBitmap inserted, RoaringBitmap after,
            java.util.function.Consumer<String> note) {
        if (inserted.isEmpty()) {
            return stored;
        }
        float[] scratch = new float[d.dimensions()];
        long[] clamped = new long[2]; // components clamped, components checked
        // An even sample: a shift shows in any part of the batch, and a fresh process's first
        // batch runs this loop before the JIT has compiled it (1,000 items of 768-d took 30-50 ms).
        forEachStored(txn, index, inserted, CHECKED, item -> {
            clamped[0] += stored.clampedBeyond(item, SLACK * stored.step(), scratch);
            clamped[1] += d.dimensions();
        });
        if (clamped[0] * CLAMPED_PER <= clamped[1]) {
            // Inside the range, but a batch at least as large as the index may be what the range
            // does not resolve (a review helper built 500 items 50 times larger first, then 5,000
            // ordinary ones: codes stayed, recall@10 0.32 at ef 10 against 0.99 rebuilt). Judged
            // when the index at least doubles, so the sample costs each item a constant share.
            long before = after.getLongCardinality() - inserted.getLongCardinality();
            return inserted.getLongCardinality() >= before ? resolvingAll(txn, index, d, stored, after, note) : stored;
        }
        ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(d);
        forEachStored(txn, index, inserted, Long.MAX_VALUE, f::add);
        float lo = stored.lo();
        float hi = stored.hi();
        float[] seen = f.range(); // not stretched by a lone outlier among the new items
        float min = Math.min(lo, seen[0]);
        float max = Math.max(hi, seen[1]);
        float span = max - min;
        if (seen[0] < lo) {
            min -= span / 10;
        }
        if (seen[1] > hi) {
            max += span / 10;
        }
        ScalarQuantizer wider = new ScalarQuantizer(stored.kind(), stored.dimensions(), min, (max - min) / 255);
        if (wider.onIntegerGrid()) {
            // Never on the integer grid: a build measures on exact codes only when the range is on
            // it, and the workers of a second build in this transaction would read the committed
            // codes, which are the old range's.
            wider = new ScalarQuantizer(stored.kind(), stored.dimensions(), min, Math.nextUp(wider.step()));
        }
        return resolvingAll(txn, index, d, wider, after, note);
    }

    /** {@link #resolving} over an even sample of {@value #SPACING_SAMPLE} of {@code ids}. */
    private static ScalarQuantizer resolvingAll(Txn txn, int index, Distance d, ScalarQuantizer q, RoaringBitmap ids, java.util.function.Consumer<String> note) {
        ScalarQuantizer.Fitter sample = ScalarQuantizer.fitter(d);
        forEachStored(txn, index, ids, SPACING_SAMPLE, sample::add);
        return resolving(sample, q, note);
    }

    /** Items of the index read to judge whether a widened range still resolves them. */
    static final int SPACING_SAMPLE = 1024;

    /** Inserted items (at most, evenly spaced) whose components are checked against the range. */
    static final int CHECKED = 32;
    /** Code steps a component may lie outside the range without counting as clamped. */
    static final int SLACK = 8;
    /** The range widens when more than one in this many inserted components are clamped. */
    static final int CLAMPED_PER = 1000;

    /**
     * Keeps exactly one code per built item: a new range codes every item of {@code after}, a kept
     * one codes what the build inserted and drops what it removed. Costs the change, not the index,
     * unless the range is new.
     */
    public static void update(WriteTxn txn, int index, Distance d, ScalarQuantizer codes, boolean full, RoaringBitmap inserted, RoaringBitmap removed,
            RoaringBitmap after) {
        ScalarQuantizer stored = full ? null : read(txn, index, d);
        if (full || (stored == null) != (codes == null)) {
            // (a stored range with none now: widening it would not have told the items apart)
            dropAll(txn, index);
        } else if (stored != null) {
            for (int r : removed) {
                txn.delete(index, KeyKind.CODE, r);
            }
        }
        if (codes == null) {
            return;
        }
        RoaringBitmap targets = inserted;
        if (!codes.equals(stored)) {
            writeRange(txn, index, codes);
            targets = after;
        }
        // Codes sort after every item of the index; the last index of a store appends them.
        boolean append = true;
        for (int id : targets) {
            append = put(txn, index, codes, id, append);
        }
    }

    /**
     * Reports unless every {@code built} item has a code of the right size and version (with no
     * range, {@code codes} null, nothing is checked). Point lookups, like the vector checks: a
     * cursor walk over every code would also read the pages around them, and LMDB, which keeps no
     * page checksums, can crash on a corrupted page it walks. Codes left for deleted items are
     * never read by a search; the tests check that builds leave none.
     */
    public static void check(Txn txn, int index, ScalarQuantizer codes, RoaringBitmap built, java.util.function.Consumer<String> report) {
        if (codes == null) {
            return;
        }
        long missing = 0;
        int bad = 0;
        int first = 0;
        for (int id : built) {
            ByteBuffer v = txn.get(index, KeyKind.CODE, id);
            if (v == null) {
                if (missing++ == 0) {
                    first = id;
                }
            } else {
                String problem = codes.codeProblem(v, id);
                if (problem != null && bad++ < 5) {
                    report.accept(problem);
                }
            }
        }
        if (missing > 0) {
            report.accept(missing + " built item(s) have no int8 code, e.g. " + Integer.toUnsignedString(first));
        }
    }

    /**
     * Whether the stored code of {@code id} is what its stored vector codes to with {@code codes}:
     * every component within one step (kernels of other lane widths may round one differently),
     * marked exact only if it is, and as close to its vector as its header states ({@link
     * ScalarQuantizer#boundHolds}: half a step per component for {@link
     * ScalarQuantizer#CODE_BOUNDED}, the stated distance for a {@link
     * ScalarQuantizer#CODE_RESIDUAL_FIRST residual header}). A code that fails this sends the graph walk to the wrong
     * place, or skips the exact re-ranking, while the vector looks sound. True when the item or its
     * code is missing or malformed: {@link #check} and the item decoding report those.
     *
     * <pre>{@code
     * ScalarQuantizer codes = ItemCodes.read(txn, index, distance);
     * boolean sound = codes == null || ItemCodes.matchesItem(txn, index, distance, codes, id);
     * }</pre>
     */
    public static boolean matchesItem(Txn txn, int index, Distance distance, ScalarQuantizer codes, int id) {
        ByteBuffer item = txn.get(index, KeyKind.ITEM, id);
        if (item == null || item.remaining() != distance.itemBytes()) {
            return true;
        }
        // before the next get: a transaction hands out one buffer, pointed at each value it reads
        long itemAddress = NativeMemory.address(item); // LMDB's page stays put while the transaction lives
        ByteBuffer fresh = ByteBuffer.allocateDirect(codes.codeBytes());
        codes.encodeItem(itemAddress, fresh);
        ByteBuffer code = txn.get(index, KeyKind.CODE, id);
        if (code == null || code.remaining() != codes.codeBytes() || !ScalarQuantizer.isCodeHeader(code.get(0))) {
            return true;
        }
        if (code.get(0) == ScalarQuantizer.CODE_ZERO && fresh.get(0) != ScalarQuantizer.CODE_ZERO) {
            // measured as distance 1 from everything: only the code of a zero cosine vector may say
            // so (stores written before CODE_ZERO coded those with headers 1 or 2, still sound)
            return false;
        }
        if (code.get(0) == ScalarQuantizer.CODE_EXACT) {
            // Exact now also means within a small distance in double, and for cosine a unit-length
            // vector; stores written before marked a code exact by its float unit values alone, and
            // such a code is sound if it is still exactly what the kernel makes of its vector.
            int n = codes.codeBytes() - ScalarQuantizer.CODE_PAYLOAD;
            boolean sameBytes = code.slice(ScalarQuantizer.CODE_PAYLOAD, n).mismatch(fresh.slice(ScalarQuantizer.CODE_PAYLOAD, n)) < 0;
            if (fresh.get(0) != ScalarQuantizer.CODE_EXACT && !(codes.quantizesExactly(itemAddress) && sameBytes)) {
                return false;
            }
        } else if (!codes.boundHolds(itemAddress, NativeMemory.address(code))) {
            // A code that states how far it lies from its vector lets searches skip that vector
            // (HnswReader.reranked): the statement is checked exactly, not within the one step allowed below.
            return false;
        }
        for (int i = ScalarQuantizer.CODE_PAYLOAD; i < codes.codeBytes(); i++) {
            if (Math.abs((code.get(i) & 0xFF) - (fresh.get(i) & 0xFF)) > 1) {
                return false;
            }
        }
        return true;
    }

    /** Removes every code and the range (a full rebuild, a conversion, a clear). */
    public static void dropAll(WriteTxn txn, int index) {
        txn.deleteAll(index, KeyKind.CODE);
        txn.delete(index, KeyKind.METADATA, IndexMetadata.CODES);
    }
}
