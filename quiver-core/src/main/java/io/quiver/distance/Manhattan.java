package io.quiver.distance;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;

/** Manhattan (L1) distance. */
public final class Manhattan extends FloatDistance {
    Manhattan(int dimensions) {
        super(DistanceKind.MANHATTAN, dimensions);
    }

    @Override
    protected float header(float[] vector) {
        return 0f;
    }

    /** The largest sum of absolute components: an L1 distance between two such vectors is at most twice it. */
    static final double MAX_ABSOLUTE_SUM = Float.MAX_VALUE / 2.0;

    @Override
    protected void checkMagnitude(float[] vector) {
        double sum = 0;
        for (float x : vector) {
            sum += Math.abs(x);
        }
        if (sum > MAX_ABSOLUTE_SUM) {
            throw new QuiverException(ErrorKind.INVALID_VECTOR, "vector's components sum in absolute value to " + String.format(java.util.Locale.ROOT, "%.3g", sum)
                    + ", beyond what manhattan distances hold in a float (at most " + String.format(java.util.Locale.ROOT, "%.3g", MAX_ABSOLUTE_SUM)
                    + "); scale the vectors down");
        }
    }

    @Override
    public float distance(long a, long b) {
        return kernels.manhattan(a + PAYLOAD, b + PAYLOAD, dimensions);
    }
}
