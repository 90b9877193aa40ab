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
