package io.quiver.distance;

/**
 * Angular distance {@code 1 - cos(a, b)}, in [0, 2]. The norm is cached in the item header so a
 * distance costs one dot product. A zero vector is at distance 1 from everything.
 */
public final class Cosine extends FloatDistance {
    Cosine(int dimensions) {
        super(DistanceKind.COSINE, dimensions);
    }

    @Override
    protected float header(float[] vector) {
        return (float) Math.sqrt(norm2(vector));
    }

    /**
     * The smallest squared norm of a cosine vector other than zero: the norms, their products and
     * the dot products of such vectors stay normal floats. Below it a norm rounded to 0 and the
     * vector was taken for a zero vector, at distance 1 from everything (an adversarial helper's
     * 16-d data scaled by 1e-23: recall@10 0.07, with {@code check} silent).
     */
    static final double MIN_SQUARED_NORM = 1e-30;

    @Override
    protected String tooSmall(double n2) {
        if (n2 == 0 || n2 >= MIN_SQUARED_NORM) {
            return null;
        }
        return "vector's squared norm " + String.format(java.util.Locale.ROOT, "%.3g", n2) + " is too small for cosine distances in a float (at least "
                + String.format(java.util.Locale.ROOT, "%.3g", MIN_SQUARED_NORM) + ", or exactly zero for a vector at distance 1 from everything); scale the vectors up";
    }

    @Override
    public float distance(long a, long b) {
        float na = header(a);
        float nb = header(b);
        if (na == 0f || nb == 0f) {
            return 1f;
        }
        float cos = kernels.dot(a + PAYLOAD, b + PAYLOAD, dimensions) / (na * nb);
        return 1f - Math.max(-1f, Math.min(1f, cos));
    }
}
