package io.quiver.distance;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import java.nio.ByteBuffer;

/**
 * A distance bound to a dimension count: it encodes vectors into the stored item format and
 * measures distances between encoded items in place.
 *
 * <p>Stored item format: {@code [version u8][header f32][payload]}, little-endian, where the
 * header caches what the distance needs per vector (the norm for cosine, the squared norm for dot)
 * and the payload is {@code dimensions} floats or packed 64-bit words of bits. Queries are encoded
 * the same way into scratch memory, so one kernel serves item-to-item and query-to-item.
 *
 * <pre>{@code
 * Distance d = DistanceKind.COSINE.create(3);
 * float raw = d.distance(addressOfA, addressOfB);   // ordering distance
 * float shown = d.userDistance(raw);                // what users see
 * }</pre>
 */
public abstract sealed class Distance permits FloatDistance, BinaryDistance {
    /** Item format version written in byte 0. */
    public static final byte ITEM_VERSION = 1;
    /** Offset of the header float. */
    public static final int HEADER = 1;
    /** Offset of the payload. */
    public static final int PAYLOAD = 5;

    protected final DistanceKind kind;
    protected final int dimensions;
    protected final VectorKernels kernels = Kernels.get();

    protected Distance(DistanceKind kind, int dimensions) {
        this.kind = kind;
        this.dimensions = dimensions;
    }

    public final DistanceKind kind() {
        return kind;
    }

    public final int dimensions() {
        return dimensions;
    }

    /** Bytes of one encoded item. */
    public abstract int itemBytes();

    /** Bytes of the payload only. */
    public final int payloadBytes() {
        return itemBytes() - PAYLOAD;
    }

    /**
     * Checks a user vector: dimension count, no NaN or infinity, and (float distances) a
     * magnitude whose distances a float holds.
     */
    public final void validate(float[] vector) {
        if (vector == null || vector.length == 0) {
            throw new QuiverException(ErrorKind.INVALID_VECTOR, "empty vector");
        }
        if (vector.length != dimensions) {
            throw new QuiverException(ErrorKind.WRONG_DIMENSIONS, "vector has " + vector.length + " dimensions, index expects " + dimensions);
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new QuiverException(ErrorKind.INVALID_VECTOR, "vector component " + i + " is " + vector[i]);
            }
        }
        String tooLarge = magnitudeProblem(vector);
        if (tooLarge != null) {
            throw new QuiverException(ErrorKind.INVALID_VECTOR, tooLarge);
        }
    }

    /** Why distances to or from {@code vector} could overflow a float, or null when they cannot. */
    public String magnitudeProblem(float[] vector) {
        return null;
    }

    /** Encodes {@code vector} into {@code out} at absolute positions 0..itemBytes. */
    public abstract void encode(float[] vector, ByteBuffer out);

    /** Encodes {@code vector} into native memory at {@code address} (itemBytes bytes). */
    public final void encode(float[] vector, long address) {
        ByteBuffer tmp = ByteBuffer.allocate(itemBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        encode(vector, tmp);
        for (int i = 0; i < itemBytes(); i++) {
            NativeMemory.ALL.set(java.lang.foreign.ValueLayout.JAVA_BYTE, address + i, tmp.get(i));
        }
    }

    /** Decodes an encoded item back to floats (bits become 0/1 for Hamming, -1/+1 when quantised). */
    public abstract float[] decode(long address);

    /** The ordering distance between two encoded items: smaller is closer. */
    public abstract float distance(long a, long b);

    /** Converts an ordering distance into the one shown to users (e.g. the square root for Euclidean). */
    public float userDistance(float raw) {
        return raw;
    }

    /** Checks that a stored value looks like an item of this distance; throws CORRUPTED if not. */
    public final void checkItem(ByteBuffer value, int id) {
        if (value.remaining() != itemBytes() || value.get(0) != ITEM_VERSION) {
            throw new QuiverException(ErrorKind.CORRUPTED, "item " + Integer.toUnsignedString(id) + " has " + value.remaining()
                    + " bytes (version " + (value.remaining() > 0 ? value.get(0) : -1) + "), expected " + itemBytes() + " bytes of version " + ITEM_VERSION);
        }
    }

    /** The header float of an encoded item. */
    public static float header(long address) {
        return NativeMemory.getFloat(address + HEADER);
    }

    @Override
    public String toString() {
        return kind.cliName() + "/" + dimensions;
    }
}
