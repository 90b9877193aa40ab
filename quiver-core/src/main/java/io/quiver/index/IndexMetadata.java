package io.quiver.index;

import io.quiver.distance.Distance;
import io.quiver.distance.DistanceKind;
import io.quiver.storage.ErrorKind;
import io.quiver.storage.KeyKind;
import io.quiver.storage.QuiverException;
import io.quiver.storage.Txn;
import io.quiver.storage.WriteTxn;
import java.nio.ByteBuffer;

/**
 * What is fixed when an index is created (distance, dimensions) and what its last build left
 * (algorithm, largest squared norm seen for dot-product indexes). Stored under
 * {@code [index][METADATA][0]} as {@code [version u8][distance u8][dimensions u32][algorithm u8][maxNorm2 f32]}.
 */
public record IndexMetadata(int index, DistanceKind distanceKind, int dimensions, Algorithm algorithm, float maxNorm2) {
    /** Sub-record ids under {@link KeyKind#METADATA}. */
    public static final int MAIN = 0;
    public static final int ITEMS = 1;
    public static final int FOREST = 2;
    public static final int HNSW = 3;
    public static final int CODES = 4;
    /** The zero vectors of a cosine index ({@link ZeroVectors}). */
    public static final int ZEROS = 5;

    /** The most dimensions an index may have (4 MiB float vectors); larger counts in metadata mean corruption. */
    public static final int MAX_DIMENSIONS = 1 << 20;

    private static final byte VERSION = 1;
    private static final int BYTES = 11;

    public Distance distance() {
        return distanceKind.create(dimensions);
    }

    public IndexMetadata withAlgorithm(Algorithm a) {
        return new IndexMetadata(index, distanceKind, dimensions, a, maxNorm2);
    }

    public IndexMetadata withMaxNorm2(float n) {
        return new IndexMetadata(index, distanceKind, dimensions, algorithm, n);
    }

    /** Reads the metadata of {@code index}, or null when the index does not exist. */
    public static IndexMetadata read(Txn txn, int index) {
        ByteBuffer v = txn.get(index, KeyKind.METADATA, MAIN);
        if (v == null) {
            return null;
        }
        if (v.remaining() != BYTES || v.get(0) != VERSION) {
            throw new QuiverException(ErrorKind.CORRUPTED, "metadata of index " + index + " is corrupted (" + v.remaining() + " bytes, version " + (v.remaining() > 0 ? v.get(0) : -1) + ")");
        }
        DistanceKind kind = DistanceKind.fromCode(v.get(1));
        int dims = v.getInt(2);
        if (dims <= 0 || dims > MAX_DIMENSIONS) {
            throw new QuiverException(ErrorKind.CORRUPTED, "metadata of index " + index + " has " + dims + " dimensions");
        }
        return new IndexMetadata(index, kind, dims, Algorithm.fromCode(v.get(6)), v.getFloat(7));
    }

    /** Reads the metadata or fails with {@link ErrorKind#UNKNOWN_INDEX}. */
    public static IndexMetadata require(Txn txn, int index) {
        IndexMetadata m = read(txn, index);
        if (m == null) {
            throw new QuiverException(ErrorKind.UNKNOWN_INDEX, "index " + index + " does not exist in " + txn.store().directory());
        }
        return m;
    }

    public void write(WriteTxn txn) {
        txn.metadataChanged();
        ByteBuffer out = txn.reserve(index, KeyKind.METADATA, MAIN, BYTES);
        out.put(0, VERSION);
        out.put(1, distanceKind.code());
        out.putInt(2, dimensions);
        out.put(6, algorithm.code());
        out.putFloat(7, maxNorm2);
    }
}
