package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The range {@link ScalarQuantizer.Fitter} fits: min to max, unless a few components lie far outside the rest. */
class ScalarQuantizerFitTest {
    private static final int DIMS = 16;
    private final Distance euclidean = DistanceKind.EUCLIDEAN.create(DIMS);
    private final ByteBuffer item = ByteBuffer.allocateDirect(euclidean.itemBytes()).order(ByteOrder.LITTLE_ENDIAN);

    private ScalarQuantizer.Fitter fitted(int n, Supplier<float[]> vectors, float[] extra) {
        ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(euclidean);
        for (int i = 0; i < n; i++) {
            add(f, vectors.get());
        }
        if (extra != null) {
            add(f, extra);
        }
        return f;
    }

    private void add(ScalarQuantizer.Fitter f, float[] v) {
        euclidean.encode(v, item.clear());
        f.add(io.quiver.storage.NativeMemory.address(item));
    }

    private static Supplier<float[]> gaussian(long seed) {
        Random r = new Random(seed);
        return () -> {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = (float) r.nextGaussian();
            }
            return v;
        };
    }

    @Test
    void ordinaryDataKeepTheirMinimumAndMaximum() {
        // Gaussian tails (here 1M components, so beyond 4.8 sigma) and uniform data are no outliers
        ScalarQuantizer.Fitter g = fitted(65_536, gaussian(1), null);
        assertThat(g.range()).containsExactly(g.min(), g.max());
        Random r = new Random(2);
        ScalarQuantizer.Fitter u = fitted(5_000, () -> {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = r.nextFloat();
            }
            return v;
        }, null);
        assertThat(u.range()).containsExactly(u.min(), u.max());
        ScalarQuantizer q = u.fit();
        assertThat(q.lo()).isEqualTo(u.min());
        assertThat(q.hi()).isCloseTo(u.max(), org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void mostlyZeroDataKeepTheirMinimumAndMaximum() {
        // sparse vectors: the central part has no span at all, nothing to tell outliers by
        Random r = new Random(3);
        ScalarQuantizer.Fitter f = fitted(5_000, () -> {
            float[] v = new float[DIMS];
            if (r.nextInt(100) == 0) {
                v[r.nextInt(DIMS)] = 50 * r.nextFloat();
            }
            return v;
        }, null);
        assertThat(f.range()).containsExactly(f.min(), f.max());
    }

    @Test
    void aFewFarComponentsDoNotStretchTheRange() {
        float[] outlier = new float[DIMS];
        outlier[3] = 1e4f;
        ScalarQuantizer.Fitter f = fitted(3_000, gaussian(4), outlier);
        assertThat(f.max()).isEqualTo(1e4f);
        float[] range = f.range();
        assertThat(range[1]).isLessThan(10f).isGreaterThan(3f);
        assertThat(range[0]).isGreaterThan(-10f).isLessThan(-3f);
        ScalarQuantizer q = f.fit();
        assertThat(q.hi()).isCloseTo(range[1], org.assertj.core.data.Offset.offset(1e-3f));
        // the outlier's code is clamped, so it is not marked as bounding its exact distance
        ByteBuffer code = ByteBuffer.allocateDirect(q.codeBytes());
        euclidean.encode(outlier, item.clear());
        q.encodeItem(io.quiver.storage.NativeMemory.address(item), code);
        assertThat(code.get(0)).isEqualTo(ScalarQuantizer.CODE_VERSION);
    }

    @Test
    void integerDataWithAnOutlierAreNotCodedAsExact() {
        Random r = new Random(5);
        float[] outlier = new float[DIMS];
        outlier[0] = 1e6f;
        Supplier<float[]> pixels = () -> {
            float[] v = new float[DIMS];
            for (int j = 0; j < DIMS; j++) {
                v[j] = r.nextInt(256);
            }
            return v;
        };
        assertThat(fitted(2_000, pixels, null).fit().onIntegerGrid()).isTrue();
        ScalarQuantizer q = fitted(2_000, pixels, outlier).fit();
        assertThat(q.onIntegerGrid()).isFalse();
        assertThat(q.hi()).isLessThan(400f);
    }

    @Test
    void mergedPartsFitLikeOneFitter() {
        float[] outlier = new float[DIMS];
        outlier[7] = -5e3f;
        // the part with the outlier has too few components to tell it by itself: the merged sample must
        ScalarQuantizer.Fitter a = fitted(20, gaussian(6), outlier);
        assertThat(a.range()[0]).isEqualTo(-5e3f);
        ScalarQuantizer.Fitter b = fitted(4_000, gaussian(7), null);
        a.merge(b);
        assertThat(a.min()).isEqualTo(-5e3f);
        assertThat(a.range()[0]).isGreaterThan(-10f);
    }

    @ParameterizedTest
    @CsvSource({"128, 7", "128, 8", "768, 77", "768, 64", "100, 3"})
    void aDimensionOfWiderScaleIsNoOutlier(int dims, int wide) {
        // A sample of every n-th component saw only the dimensions n shares a factor with, and took
        // a wider dimension it missed for outliers, clamped in every item (a review helper's probe)
        Distance d = DistanceKind.EUCLIDEAN.create(dims);
        ByteBuffer buf = ByteBuffer.allocateDirect(d.itemBytes()).order(ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(dims + wide);
        ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(d);
        ScalarQuantizer.Fitter g = ScalarQuantizer.fitter(d);
        for (int i = 0; i < 6_000; i++) {
            float[] v = new float[dims];
            for (int j = 0; j < dims; j++) {
                v[j] = r.nextFloat() * (j == wide ? 10 : 1);
            }
            d.encode(v, buf.clear());
            (i % 2 == 0 ? f : g).add(io.quiver.storage.NativeMemory.address(buf));
        }
        f.merge(g);
        assertThat(f.range()).containsExactly(f.min(), f.max());
        assertThat(f.max()).isGreaterThan(9f);
    }
}
