package io.quiver.distance;

import io.quiver.storage.NativeMemory;

/**
 * Maximum inner product, ordered by {@code -a·b}. The header caches the squared norm, from which the
 * forest derives the extra dimension of Bachrach et al. ({@code sqrt(M^2 - |x|^2)}, M the largest
 * norm) that turns inner-product search into a Euclidean one, so that trees split it correctly.
 */
public final class DotProduct extends FloatDistance {
    DotProduct(int dimensions) {
        super(DistanceKind.DOT, dimensions);
    }

    @Override
    protected float header(float[] vector) {
        return norm2(vector);
    }

    @Override
    public float distance(long a, long b) {
        return -kernels.dot(a + PAYLOAD, b + PAYLOAD, dimensions);
    }

    /** The Bachrach extra component of an item for a maximum squared norm {@code maxNorm2}. */
    public static float extraDimension(long item, float maxNorm2) {
        float n2 = NativeMemory.getFloat(item + HEADER);
        return (float) Math.sqrt(Math.max(0f, maxNorm2 - n2));
    }
}
