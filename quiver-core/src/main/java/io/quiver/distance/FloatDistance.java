package io.quiver.distance;

import io.quiver.storage.NativeMemory;
import java.nio.ByteBuffer;

/** Distances over float vectors stored as little-endian floats. */
public abstract sealed class FloatDistance extends Distance permits Euclidean, Manhattan, Cosine, DotProduct {
    protected FloatDistance(DistanceKind kind, int dimensions) {
        super(kind, dimensions);
    }

    @Override
    public final int itemBytes() {
        return PAYLOAD + 4 * dimensions;
    }

    /** The value cached in the header for this vector. */
    protected abstract float header(float[] vector);

    @Override
    public final void encode(float[] vector, ByteBuffer out) {
        out.put(0, ITEM_VERSION);
        out.putFloat(HEADER, header(vector));
        for (int i = 0; i < dimensions; i++) {
            out.putFloat(PAYLOAD + 4 * i, vector[i]);
        }
    }

    @Override
    public final float[] decode(long address) {
        float[] v = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            v[i] = NativeMemory.getFloat(address + PAYLOAD + 4L * i);
        }
        return v;
    }

    /** Dot product of two payloads (item addresses). */
    public final float dot(long a, long b) {
        return kernels.dot(a + PAYLOAD, b + PAYLOAD, dimensions);
    }

    static float norm2(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return (float) s;
    }
}
