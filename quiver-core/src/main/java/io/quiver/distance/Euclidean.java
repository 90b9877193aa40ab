package io.quiver.distance;

/** Euclidean (L2) distance; ordered by the squared distance, shown as its square root. */
public final class Euclidean extends FloatDistance {
    Euclidean(int dimensions) {
        super(DistanceKind.EUCLIDEAN, dimensions);
    }

    @Override
    protected float header(float[] vector) {
        return 0f;
    }

    @Override
    public float distance(long a, long b) {
        return kernels.squaredEuclidean(a + PAYLOAD, b + PAYLOAD, dimensions);
    }

    @Override
    public float userDistance(float raw) {
        return (float) Math.sqrt(Math.max(0f, raw));
    }
}
