package io.quiver.distance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Vectors so large that their distances leave the float range are refused, and every pair of
 * vectors that is accepted has a finite distance: the two opposite vectors of the largest accepted
 * magnitude, spread over every component or put in one.
 */
class VectorMagnitudeTest {
    private static final int DIMS = 96;

    @ParameterizedTest
    @EnumSource(value = DistanceKind.class, names = {"EUCLIDEAN", "COSINE", "DOT", "MANHATTAN"})
    void theLargestAcceptedVectorsHaveFiniteDistancesAndLargerOnesAreRefused(DistanceKind kind) {
        Distance d = kind.create(DIMS);
        for (boolean spread : new boolean[] {true, false}) {
            float[] big = atLimit(kind, spread, 0.999);
            float[] opposite = big.clone();
            for (int i = 0; i < DIMS; i++) {
                opposite[i] = -opposite[i];
            }
            d.validate(big);
            d.validate(opposite);
            try (Arena arena = Arena.ofConfined()) {
                long a = arena.allocate(d.itemBytes()).address();
                long b = arena.allocate(d.itemBytes()).address();
                d.encode(big, a);
                d.encode(opposite, b);
                for (float raw : new float[] {d.distance(a, b), d.distance(a, a), d.distance(b, a)}) {
                    assertThat(raw).as("%s, spread %s", kind, spread).isFinite();
                    assertThat(d.userDistance(raw)).isFinite();
                }
            }
            float[] tooBig = atLimit(kind, spread, 1.01);
            assertThatThrownBy(() -> d.validate(tooBig))
                    .isInstanceOf(QuiverException.class)
                    .satisfies(e -> assertThat(((QuiverException) e).kind()).isEqualTo(ErrorKind.INVALID_VECTOR))
                    .hasMessageContaining("scale the vectors down");
        }
    }

    /** Random directions at the bound (after float rounding of their components), opposite or equal pairs: finite. */
    @ParameterizedTest
    @EnumSource(value = DistanceKind.class, names = {"EUCLIDEAN", "COSINE", "DOT", "MANHATTAN"})
    void randomVectorsAtTheBoundHaveFiniteDistances(DistanceKind kind) {
        java.util.Random rnd = new java.util.Random(1);
        for (int dims : new int[] {1, 2, 3, 5, 7, 8, 16, 17, 33, 100, 128, 768}) {
            Distance d = kind.create(dims);
            try (Arena arena = Arena.ofConfined()) {
                long a = arena.allocate(d.itemBytes()).address();
                long b = arena.allocate(d.itemBytes()).address();
                for (int trial = 0; trial < 200; trial++) {
                    float[] v = new float[dims];
                    double n2 = 0;
                    for (int i = 0; i < dims; i++) {
                        v[i] = (float) (rnd.nextDouble() + 0.01);
                        n2 += (double) v[i] * v[i];
                    }
                    double scale = Math.sqrt(FloatDistance.MAX_SQUARED_NORM / n2);
                    for (int i = 0; i < dims; i++) {
                        v[i] = (float) (v[i] * scale);
                    }
                    while (d.magnitudeProblem(v) != null) {
                        for (int i = 0; i < dims; i++) {
                            v[i] = Math.nextDown(v[i]);
                        }
                    }
                    float[] w = v.clone();
                    if (kind != DistanceKind.DOT) {
                        for (int i = 0; i < dims; i++) {
                            w[i] = -w[i];
                        }
                    }
                    d.encode(v, a);
                    d.encode(w, b);
                    assertThat(d.distance(a, b)).as("%s, %d dimensions, trial %d", kind, dims, trial).isFinite();
                }
            }
        }
    }

    /**
     * Cosine vectors whose norm rounds to nothing in a float are refused (they were taken for zero
     * vectors, at distance 1 from everything), a zero vector and the smallest accepted are not,
     * and the smallest accepted still rank right: a unit direction scaled down keeps its distances.
     */
    @org.junit.jupiter.api.Test
    void cosineVectorsTooSmallToNormaliseAreRefused() {
        Distance d = DistanceKind.COSINE.create(DIMS);
        float[] tiny = new float[DIMS];
        tiny[0] = 1e-23f;
        assertThatThrownBy(() -> d.validate(tiny)).isInstanceOf(QuiverException.class).hasMessageContaining("scale the vectors up");
        d.validate(new float[DIMS]);
        float s = (float) Math.sqrt(Cosine.MIN_SQUARED_NORM) * 1.001f;
        float[] x = new float[DIMS];
        float[] y = new float[DIMS];
        float[] minusX = new float[DIMS];
        x[0] = s;
        y[1] = s;
        minusX[0] = -s;
        try (Arena arena = Arena.ofConfined()) {
            long[] at = new long[3];
            float[][] vs = {x, y, minusX};
            for (int i = 0; i < 3; i++) {
                d.validate(vs[i]);
                at[i] = arena.allocate(d.itemBytes()).address();
                d.encode(vs[i], at[i]);
            }
            assertThat(d.distance(at[0], at[0])).isCloseTo(0f, org.assertj.core.api.Assertions.within(1e-5f));
            assertThat(d.distance(at[0], at[1])).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
            assertThat(d.distance(at[0], at[2])).isCloseTo(2f, org.assertj.core.api.Assertions.within(1e-5f));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DistanceKind.class, names = {"BQ_EUCLIDEAN", "BQ_COSINE", "BQ_MANHATTAN", "HAMMING"})
    void binaryDistancesTakeAnyFiniteMagnitude(DistanceKind kind) {
        float[] v = new float[DIMS];
        java.util.Arrays.fill(v, 1e38f);
        v[3] = -1e38f;
        kind.create(DIMS).validate(v);
    }

    /** A vector whose squared norm is {@code share} of what the float distances accept. */
    private static float[] atLimit(DistanceKind kind, boolean spread, double share) {
        float[] v = new float[DIMS];
        int n = spread ? DIMS : 1;
        double component = Math.sqrt(share * FloatDistance.MAX_SQUARED_NORM / n);
        for (int i = 0; i < n; i++) {
            v[i] = (float) component;
        }
        return v;
    }
}
