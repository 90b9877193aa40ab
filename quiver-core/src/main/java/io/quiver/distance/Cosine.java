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
