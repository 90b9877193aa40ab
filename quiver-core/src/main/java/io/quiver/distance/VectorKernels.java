package io.quiver.distance;

/**
 * The hot loops: arithmetic over vectors read in place from (unaligned, little-endian) native
 * memory. Two implementations exist, {@link PanamaKernels} (the JDK Vector API) and
 * {@link ScalarKernels}; {@link Kernels#get()} picks one once at start-up. They agree to within
 * float rounding (the tests prove it).
 */
public interface VectorKernels {
    /** Sum of a[i]*b[i] over {@code n} floats. */
    float dot(long a, long b, int n);

    /** Sum of (a[i]-b[i])^2 over {@code n} floats. */
    float squaredEuclidean(long a, long b, int n);

    /** Sum of |a[i]-b[i]| over {@code n} floats. */
    float manhattan(long a, long b, int n);

    /**
     * Sum of (q[i]-c[i])^2 where {@code q} is {@code n} floats and {@code c} is {@code n} signed
     * bytes: a float query against an int8 code (see {@link ScalarQuantizer}).
     */
    float squaredEuclideanInt8(long q, long c, int n);

    /**
     * Sum of q[i]*c[i] where {@code q} is {@code n} floats and {@code c} is {@code n} signed bytes:
     * a float query against a forest split's int8 normal.
     */
    float dotInt8(long q, long c, int n);

    /**
     * Codes {@code n} floats at {@code src} as signed bytes at {@code dst}:
     * {@code (byte) ((int) (min(max((x * scale - lo) * inv, 0), 255) + 0.5f) - 128)}, in exactly
     * these float operations (no fused multiply-add), so every implementation gives the same bytes
     * (see {@link ScalarQuantizer}). Returns whether the code is exact: every
     * {@code (x * scale - lo) * inv} was already an integer from 0 to 255.
     */
    boolean quantize(long src, long dst, int n, float scale, float lo, float inv);

    /** Sum of (a[i]-b[i])^2 over {@code n} signed bytes: two int8 codes. */
    float squaredEuclideanBytes(long a, long b, int n);

    /** Number of differing bits over {@code words} 64-bit words. */
    int hamming(long a, long b, int words);

    /** A short name for logs and benchmark tables. */
    String name();
}
