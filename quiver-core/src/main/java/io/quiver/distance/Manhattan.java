package io.quiver.distance;

/** Manhattan (L1) distance. */
public final class Manhattan extends FloatDistance {
    Manhattan(int dimensions) {
        super(DistanceKind.MANHATTAN, dimensions);
    }

    @Override
    protected float header(float[] vector) {
        return 0f;
    }

    @Override
    public float distance(long a, long b) {
        return kernels.manhattan(a + PAYLOAD, b + PAYLOAD, dimensions);
    }
}
