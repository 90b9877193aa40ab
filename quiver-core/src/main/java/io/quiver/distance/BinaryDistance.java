package io.quiver.distance;

import io.quiver.storage.NativeMemory;
import java.nio.ByteBuffer;

/**
 * Distances over bit vectors packed in 64-bit words (1 bit per dimension, 32x smaller than
 * floats). For {@link DistanceKind#HAMMING} the input is a 0/1 vector; the binary-quantised kinds
 * turn each component into +1 (x &gt; 0) or -1, and all of them order by the Hamming distance h:
 * Euclidean of ±1 vectors is {@code 2·sqrt(h)}, Manhattan {@code 2h}, cosine {@code 2h/d}.
 */
public final class BinaryDistance extends Distance {
    private final int words;

    BinaryDistance(DistanceKind kind, int dimensions) {
        super(kind, dimensions);
        this.words = (dimensions + 63) / 64;
    }

    /** Number of 64-bit words of the payload. */
    public int words() {
        return words;
    }

    @Override
    public int itemBytes() {
        return PAYLOAD + 8 * words;
    }

    @Override
    public void encode(float[] vector, ByteBuffer out) {
        out.put(0, ITEM_VERSION);
        out.putFloat(HEADER, 0f);
        for (int w = 0; w < words; w++) {
            long bits = 0;
            for (int b = 0; b < 64; b++) {
                int i = w * 64 + b;
                if (i < dimensions && vector[i] > 0f) {
                    bits |= 1L << b;
                }
            }
            out.putLong(PAYLOAD + 8 * w, bits);
        }
    }

    @Override
    public float[] decode(long address) {
        float[] v = new float[dimensions];
        float off = kind == DistanceKind.HAMMING ? 0f : -1f;
        for (int i = 0; i < dimensions; i++) {
            v[i] = bit(address, i) ? 1f : off;
        }
        return v;
    }

    /** Whether bit {@code i} of an encoded item is set. */
    public static boolean bit(long item, int i) {
        long word = NativeMemory.getLong(item + PAYLOAD + 8L * (i >>> 6));
        return (word & (1L << (i & 63))) != 0;
    }

    @Override
    public float distance(long a, long b) {
        return kernels.hamming(a + PAYLOAD, b + PAYLOAD, words);
    }

    @Override
    public float userDistance(float raw) {
        return switch (kind) {
            case BQ_EUCLIDEAN -> 2f * (float) Math.sqrt(raw);
            case BQ_MANHATTAN -> 2f * raw;
            case BQ_COSINE -> 2f * raw / dimensions;
            default -> raw;
        };
    }
}
