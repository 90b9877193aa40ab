package io.quiver.index;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * The zero vectors of a cosine index (empty or padding embeddings), kept apart so that searches
 * can return them. A zero vector is at distance 1 from every query, so it belongs in the results
 * of a query that fewer than k items lie closer to than 1 (one pointing away from all the data),
 * but no walk is led to it: every node is as close to it as every other, so a walk meets one only
 * by chance. Inserted after the rest, 300 zero vectors among 1,000 items made 2% (HNSW) and 5%
 * (forest) of such queries' top 10, where all of it belonged to them.
 *
 * <p>Each build stores the zero vectors among the items it indexed under
 * {@code [index][METADATA][5]} (absent when there are none), and a search completes its results
 * from that set: see {@link ForReader#complete}. A store written before the set existed lacks
 * its older zero vectors there, and searches meet those only by chance, as before, until the
 * index is built from scratch.
 *
 * <pre>{@code
 * ZeroVectors.update(items, full, inserted, removed, after);            // in a build
 * zeroVectors = new ZeroVectors.ForReader(txn, index, kind);           // a reader, once
 * return zeroVectors.complete(result, options, id -> itemAddress(id));  // each search
 * }</pre>
 */
public final class ZeroVectors {
    /** Sub-record id under {@link KeyKind#METADATA}. */
    public static final int KEY = IndexMetadata.ZEROS;

    private ZeroVectors() {}

    /**
     * The stored zero vectors: those the builds since the set existed indexed (in a store written
     * before, not its older ones); empty when there are none.
     */
    public static RoaringBitmap read(Txn txn, int index) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, KEY);
        return v == null ? new RoaringBitmap() : StoredBitmaps.read(v, "zero-vector set of index " + index);
    }

    /**
     * Brings the stored set up to date at the end of a build: those of {@code inserted} whose
     * vector is zero join it, {@code removed} leave it; a {@code full} build looks at every item
     * of {@code after} instead. Only cosine indexes have zero vectors apart (elsewhere the origin
     * is a point like any other); the cost follows the number of items the build inserts.
     */
    public static void update(ItemStore items, boolean full, RoaringBitmap inserted, RoaringBitmap removed, RoaringBitmap after) {
        WriteTxn w = (WriteTxn) items.txn();
        int index = items.index();
        if (items.distance().kind() != DistanceKind.COSINE) {
            w.delete(index, KeyKind.METADATA, KEY);
            return;
        }
        RoaringBitmap zeros = full ? new RoaringBitmap() : RoaringBitmap.andNot(read(w, index), removed);
        for (int id : full ? after : inserted) {
            ByteBuffer v = items.item(id);
            if (v != null && Distance.header(NativeMemory.address(v)) == 0f) {
                zeros.add(id);
            }
        }
        zeros.and(after);
        if (zeros.isEmpty()) {
            w.delete(index, KeyKind.METADATA, KEY);
            return;
        }
        zeros.runOptimize();
        ByteBuffer out = w.reserve(index, KeyKind.METADATA, KEY, zeros.serializedSizeInBytes());
        zeros.serialize(out);
    }

    /**
     * Reports a stored set that names an id the last build did not index or whose stored vector
     * is not zero, or that a non-cosine index holds. A built zero vector missing from the set is
     * not reported: a store written before the set existed lacks its older ones (see the class
     * comment).
     */
    public static void check(Txn txn, int index, Distance distance, RoaringBitmap built, java.util.function.Consumer<String> report) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, KEY);
        if (v == null) {
            return;
        }
        RoaringBitmap zeros = StoredBitmaps.read(v, "zero-vector set of index " + index);
        if (distance.kind() != DistanceKind.COSINE) {
            report.accept("a " + distance.kind().cliName() + " index holds a zero-vector set (" + zeros.getLongCardinality() + " ids)");
            return;
        }
        int shown = 0;
        for (int id : zeros) {
            String bad;
            ByteBuffer item = built.contains(id) ? txn.get(index, KeyKind.ITEM, id) : null;
            if (!built.contains(id)) {
                bad = "is not a built item";
            } else if (item == null) {
                bad = "has no stored vector";
            } else if (item.remaining() != distance.itemBytes() || Distance.header(NativeMemory.address(item)) != 0f) {
                bad = "does not hold a zero vector";
            } else {
                continue;
            }
            if (shown++ < 5) {
                report.accept("zero-vector set names " + Integer.toUnsignedString(id) + ", which " + bad);
            }
        }
        if (shown > 5) {
            report.accept((shown - 5) + " more id(s) of the zero-vector set are wrong");
        }
    }

    /**
     * What a reader of index {@code index} needs: {@link #complete}, with the set read on first
     * use (once per reader), and nothing at all for distances other than cosine.
     */
    public static final class ForReader {
        private final Txn txn;
        private final int index;
        private final boolean cosine;
        private RoaringBitmap zeros;

        public ForReader(Txn txn, int index, DistanceKind kind) {
            this.txn = txn;
            this.index = index;
            this.cosine = kind == DistanceKind.COSINE;
        }

        /**
         * {@code r} with the zero vectors its walk missed: when fewer than k of its neighbours
         * lie within distance 1, zero vectors that the options' filter allows and that are not
         * among them yet follow those neighbours, at distance 1, before the ones farther than 1.
         * The set is read only then, which a query near the data never needs; and an id is added
         * only when its stored item ({@code itemAddress}: its address, or 0 or less when it has
         * none) is confirmed zero, so that a damaged set cannot put an item at a distance it is
         * not at ({@code check} reports such a set).
         */
        public SearchResult complete(SearchResult r, SearchOptions options, java.util.function.IntToLongFunction itemAddress) {
            if (!cosine) {
                return r;
            }
            int k = options.k();
            List<Neighbor> found = r.neighbors();
            int within = 0;
            while (within < found.size() && found.get(within).distance() <= 1f) {
                within++;
            }
            if (within >= k) {
                return r;
            }
            if (zeros == null) {
                zeros = read(txn, index);
            }
            if (zeros.isEmpty()) {
                return r;
            }
            List<Neighbor> out = new ArrayList<>(Math.min(k, found.size() + zeros.getCardinality()));
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < within; i++) {
                out.add(found.get(i));
                seen.add(found.get(i).id());
            }
            RoaringBitmap filter = options.filter();
            var it = (filter == null ? zeros : RoaringBitmap.and(zeros, filter)).getIntIterator();
            while (out.size() < k && it.hasNext()) {
                int id = it.next();
                long a;
                if (!seen.contains(id) && (a = itemAddress.applyAsLong(id)) > 0 && Distance.header(a) == 0f) {
                    seen.add(id);
                    out.add(new Neighbor(id, 1f));
                }
            }
            for (int i = within; i < found.size() && out.size() < k; i++) {
                if (seen.add(found.get(i).id())) {
                    out.add(found.get(i));
                }
            }
            return new SearchResult(out, r.partial());
        }
    }
}
