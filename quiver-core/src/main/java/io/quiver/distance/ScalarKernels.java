package io.quiver.distance;

import static io.quiver.storage.NativeMemory.getFloat;
import static io.quiver.storage.NativeMemory.getLong;

import io.quiver.storage.NativeMemory;

/** Plain loops, for JVMs without the Vector API module (or with {@code -Dquiver.simd=false}). */
public final class ScalarKernels implements VectorKernels {
    @Override
    public float dot(long a, long b, int n) {
        // Four partial sums let the CPU overlap the dependent additions.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            long o = (long) i * 4;
            s0 += getFloat(a + o) * getFloat(b + o);
            s1 += getFloat(a + o + 4) * getFloat(b + o + 4);
            s2 += getFloat(a + o + 8) * getFloat(b + o + 8);
            s3 += getFloat(a + o + 12) * getFloat(b + o + 12);
        }
        for (; i < n; i++) {
            s0 += getFloat(a + i * 4L) * getFloat(b + i * 4L);
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float squaredEuclidean(long a, long b, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            long o = (long) i * 4;
            float d0 = getFloat(a + o) - getFloat(b + o);
            float d1 = getFloat(a + o + 4) - getFloat(b + o + 4);
            float d2 = getFloat(a + o + 8) - getFloat(b + o + 8);
            float d3 = getFloat(a + o + 12) - getFloat(b + o + 12);
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            float d = getFloat(a + i * 4L) - getFloat(b + i * 4L);
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float squaredEuclideanInt8(long q, long c, int n) {
        float s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            float d0 = getFloat(q + 4L * i) - NativeMemory.getByte(c + i);
            float d1 = getFloat(q + 4L * i + 4) - NativeMemory.getByte(c + i + 1);
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i < n; i++) {
            float d = getFloat(q + 4L * i) - NativeMemory.getByte(c + i);
            s0 += d * d;
        }
        return s0 + s1;
    }

    @Override
    public float dotInt8(long q, long c, int n) {
        float s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += getFloat(q + 4L * i) * NativeMemory.getByte(c + i);
            s1 += getFloat(q + 4L * i + 4) * NativeMemory.getByte(c + i + 1);
        }
        for (; i < n; i++) {
            s0 += getFloat(q + 4L * i) * NativeMemory.getByte(c + i);
        }
        return s0 + s1;
    }

    @Override
    public boolean quantize(long src, long dst, int n, float scale, float lo, float inv) {
        boolean exact = true;
        for (int i = 0; i < n; i++) {
            float t = (getFloat(src + 4L * i) * scale - lo) * inv;
            int c = (int) (Math.min(Math.max(t, 0f), 255f) + 0.5f);
            exact &= c == t;
            NativeMemory.ALL.set(java.lang.foreign.ValueLayout.JAVA_BYTE, dst + i, (byte) (c - 128));
        }
        return exact;
    }

    @Override
    public float squaredEuclideanBytes(long a, long b, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            int d = NativeMemory.getByte(a + i) - NativeMemory.getByte(b + i);
            s += d * d;
        }
        return s;
    }

    @Override
    public float manhattan(long a, long b, int n) {
        float s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long o = (long) i * 4;
            s0 += Math.abs(getFloat(a + o) - getFloat(b + o));
            s1 += Math.abs(getFloat(a + o + 4) - getFloat(b + o + 4));
        }
        for (; i < n; i++) {
            s0 += Math.abs(getFloat(a + i * 4L) - getFloat(b + i * 4L));
        }
        return s0 + s1;
    }

    @Override
    public int hamming(long a, long b, int words) {
        int d = 0;
        for (int i = 0; i < words; i++) {
            d += Long.bitCount(getLong(a + i * 8L) ^ getLong(b + i * 8L));
        }
        return d;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
