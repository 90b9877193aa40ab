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

    /**
     * The largest squared norm an item or query may have: the squared distance between two such
     * vectors is at most four times it, a dot product at most once, and a Manhattan distance at
     * most 2·sqrt(dimensions) times its root, so a float holds every distance (and every code and
     * split-plane margin computed from them), with a factor of two left for the kernels' float
     * rounding (at a quarter of the float range, opposite vectors summed past it: a review
     * helper's random vectors at the bound measured infinity 196 times in 9,600). Vectors of
     * components near 1e19 took distances to infinity or NaN, ranking an item after every other
     * as its own neighbour, with {@code check} silent.
     */
    static final double MAX_SQUARED_NORM = Float.MAX_VALUE / 8.0;

    @Override
    public final String magnitudeProblem(float[] vector) {
        double n2 = squaredNorm(vector);
        if (n2 <= MAX_SQUARED_NORM) {
            return tooSmall(n2);
        }
        return "vector's squared norm " + String.format(java.util.Locale.ROOT, "%.3g", n2) + " is beyond what " + kind().cliName()
                + " distances hold in a float (at most " + String.format(java.util.Locale.ROOT, "%.3g", MAX_SQUARED_NORM) + "); scale the vectors down";
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

    /**
     * Why a vector of squared norm {@code n2} (within the upper bound) is too small for this
     * distance, or null: only cosine, which divides by norms, has a floor.
     */
    protected String tooSmall(double n2) {
        return null;
    }

    static float norm2(float[] v) {
        return (float) squaredNorm(v);
    }

    /** The squared norm of {@code v}, summed in double. */
    static double squaredNorm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }
}
