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
 * built item under {@code [index][CODE][id]}. Builds maintain them next to the structure; readers
 * traverse with them and re-rank with the exact vectors.
 *
 * <pre>{@code
 * ScalarQuantizer sq = ItemCodes.fit(txn, index, distance, ids);   // first build
 * ItemCodes.writeRange(txn, index, sq);
 * for (int id : inserted) ItemCodes.put(txn, index, sq, id);
 * }</pre>
 */
public final class ItemCodes {
    private static final byte VERSION = 1;
    private static final int BYTES = 9;
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

    /** Fits a range to (an even sample of) the stored vectors of {@code ids}. */
    public static ScalarQuantizer fit(Txn txn, int index, Distance distance, RoaringBitmap ids) {
        ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(distance);
        long n = ids.getLongCardinality();
        long stride = Math.max(1, n / SAMPLE);
        long i = 0;
        for (int id : ids) {
            if (i++ % stride != 0) {
                continue;
            }
            ByteBuffer v = txn.get(index, KeyKind.ITEM, id);
            if (v != null) {
                f.add(NativeMemory.address(v));
            }
        }
        return f.fit();
    }

    /** Writes the code of stored item {@code id} (which must exist). */
    public static void put(WriteTxn txn, int index, ScalarQuantizer sq, int id) {
        ByteBuffer item = txn.get(index, KeyKind.ITEM, id);
        if (item == null) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " of index " + index + " has no vector to code");
        }
        // Coded into scratch before the put: a put may move values of this transaction.
        long a = NativeMemory.address(item);
        ByteBuffer tmp = txn.scratch(sq.codeBytes());
        sq.encodeItem(a, tmp);
        txn.put(index, KeyKind.CODE, id, tmp);
    }

    /** Removes every code and the range (a full rebuild, a conversion, a clear). */
    public static void dropAll(WriteTxn txn, int index) {
        txn.deleteAll(index, KeyKind.CODE);
        txn.delete(index, KeyKind.METADATA, IndexMetadata.CODES);
    }
}
