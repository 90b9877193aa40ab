package io.quiver.distance;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.NativeMemory;
import io.quiver.storage.QuiverException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Int8 codes of float vectors, a quarter of their size, for ranking candidates before the exact
 * distance decides: one global range {@code [lo, lo + 255·step]} maps every component to a byte
 * (values outside it are clamped). With one scale for all components, the squared Euclidean
 * distance between codes is proportional to the one between the decoded vectors, so the codes
 * rank like the vectors up to rounding. Cosine vectors are normalised before coding, where
 * Euclidean order equals angular order.
 *
 * <p>Queries are not rounded: they are mapped into code units as floats and compared with
 * {@link VectorKernels#squaredEuclideanInt8}, which halves the rounding error.
 *
 * <pre>{@code
 * ScalarQuantizer.Fitter f = ScalarQuantizer.fitter(distance);
 * for (long item : sample) f.add(item);
 * ScalarQuantizer sq = f.fit();
 * sq.encodeItem(itemAddress, out);            // [version][dimensions bytes]
 * sq.encodeQuery(query, scratch);             // dimensions floats
 * float approx = sq.distance(scratch, code);  // ranks like distance.distance
 * }</pre>
 *
 * @param lo the value coded as byte -128
 * @param step the value of one code unit
 */
public record ScalarQuantizer(DistanceKind kind, int dimensions, float lo, float step) {
    /** Version byte at offset 0 of a stored code. */
    public static final byte CODE_VERSION = 1;
    /**
     * The same layout, for a code that is its item exactly (integer data coded with step 1): its
     * distance to a query orders like the item's own, so a search need not re-rank it.
     */
    public static final byte CODE_EXACT = 2;
    /**
     * The same layout, for a code whose every component is within half a step of its item's (no
     * component clamped by more than rounding, and for cosine a non-zero vector): its exact
     * distance to a query is bounded by {@link #lowerBound} with a residual of {@code
     * sqrt(dimensions)/2} units. Written before {@link #CODE_RESIDUAL_FIRST} existed; still read.
     */
    public static final byte CODE_BOUNDED = 3;
    /**
     * The code of a zero cosine vector, which is at distance 1 from everything: measured on its
     * payload (the origin's code), it ranked at the distance of a unit query from the origin,
     * about 0.5, ahead of every item truly farther than that. A search measuring codes gives it
     * distance 1 instead (an adversarial helper's 500 zero vectors among 50 items: recall@10 of
     * 0.15 and 0.26, with {@code check} silent).
     */
    public static final byte CODE_ZERO = 4;
    /**
     * The first of the headers (64 to 255, read unsigned) that carry how far the code is from its
     * item: header {@code h} says the item, in code units, is within {@link #residualBound
     * (h - 63)·sqrt(dimensions)/256} of the code (for cosine, of a unit-length scaling). Half a
     * step per component, the worst rounding, is {@code sqrt(dimensions)/2} (header 191); rounding
     * errors spread evenly over a step give about {@code sqrt(dimensions/12)} (header ~137), so
     * the stored residual bounds a distance by 42% less slack than {@link #CODE_BOUNDED} does. On
     * 500k clustered 768-d vectors a search at ef 200 then skips 82 of 200 beam entries instead of
     * 1 (docs/BENCHMARKS.md, twenty-third session). An item clamped a little beyond the range
     * still gets a header up to 1.5 times the worst rounding; past that, and for cosine items that
     * do not scale to unit length, {@link #CODE_VERSION}.
     */
    public static final int CODE_RESIDUAL_FIRST = 64;
    /** Offset of the first code byte in a stored code. */
    public static final int CODE_PAYLOAD = 1;
    private static final VectorKernels KERNELS = Kernels.get();

    public ScalarQuantizer {
        if (!supports(kind)) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "int8 codes are for euclidean and cosine indexes, not " + kind.cliName());
        }
        if (!(step > 0) || !Float.isFinite(step) || !Float.isFinite(lo)) {
            throw new QuiverException(ErrorKind.CORRUPTED, "int8 code range lo=" + lo + " step=" + step + " is invalid");
        }
    }

    /**
     * Whether codes serve this distance. Manhattan and dot product are left out: per-component
     * scaling keeps their order only approximately and the dot product's transform needs the norm
     * bound; binary distances are already one bit per component.
     */
    public static boolean supports(DistanceKind kind) {
        return kind == DistanceKind.EUCLIDEAN || kind == DistanceKind.COSINE;
    }

    /** Bytes of one stored code. */
    public int codeBytes() {
        return CODE_PAYLOAD + dimensions;
    }

    /** Bytes of one encoded query (floats in code units). */
    public int queryBytes() {
        return 4 * dimensions;
    }

    /** What the components of the encoded item at {@code item} are multiplied by before coding: 1, or 1/norm for cosine. */
    private static float scale(DistanceKind kind, long item) {
        if (kind != DistanceKind.COSINE) {
            return 1f;
        }
        float norm = Distance.header(item);
        return norm == 0f ? 0f : 1f / norm;
    }

    /** Whether an item scaled by {@code scale} (from {@link #scale}) is a zero cosine vector, coded as {@link #CODE_ZERO}. */
    private static boolean zeroCosine(DistanceKind kind, float scale) {
        return kind == DistanceKind.COSINE && scale == 0f;
    }

    /** Writes the code of the encoded item at {@code item} into {@code out} at absolute positions. */
    public void encodeItem(long item, ByteBuffer out) {
        encodeItem(item, NativeMemory.address(out));
    }

    /** Writes the code of the encoded item at {@code item} into native memory at {@code out} ({@link #codeBytes()}). */
    public void encodeItem(long item, long out) {
        // Clamp, then round half up by truncation: no branches, no Math.round (see the kernel).
        float scale = scale(kind, item);
        float inv = 1f / step;
        boolean exact = KERNELS.quantize(item + Distance.PAYLOAD, out + CODE_PAYLOAD, dimensions, scale, lo, inv);
        byte header = zeroCosine(kind, scale) ? CODE_ZERO : residualHeader(item, scale, out, exact);
        NativeMemory.ALL.set(ValueLayout.JAVA_BYTE, out, header);
    }

    /**
     * The header that states how far the code at {@code code} (written, header not yet) is from
     * the encoded item at {@code item}: the smallest {@link #CODE_RESIDUAL_FIRST residual header}
     * at or above the distance, summed in double from the item's own float components, plus a
     * margin for that sum's rounding; {@link #CODE_VERSION} when none fits or cosine's geometry
     * does not hold.
     */
    private byte residualHeader(long item, float scale, long code, boolean exactInFloat) {
        double r = residualUnits(item, scale, code);
        // Every component's float unit value was an integer; true for the item itself (pixels on
        // a grid of step 1) unless the range is narrower than the floats' own spacing.
        if (exactInFloat && r <= exactResidual()) {
            return CODE_EXACT;
        }
        // NaN (never for validated items) falls through to the unbounded header with the rest
        if (!(r <= residualBound(0xFF))) {
            return CODE_VERSION;
        }
        double safe = r * (1 + 1e-6) + 1e-4;
        long h = 63 + (long) Math.ceil(safe * 256 / Math.sqrt(dimensions));
        return h > 0xFF ? CODE_VERSION : (byte) Math.max(CODE_RESIDUAL_FIRST, h);
    }

    /**
     * The distance in code units between the encoded item at {@code item}, scaled by {@code scale},
     * and the code at {@code code}; infinity when a cosine item does not scale to unit length.
     */
    private double residualUnits(long item, float scale, long code) {
        long p = item + Distance.PAYLOAD;
        long c = code + CODE_PAYLOAD;
        double n2 = 0;
        double r2 = 0;
        double inv = 1.0 / step; // rounded once in double: far below the margins of residualHeader
        for (int i = 0; i < dimensions; i++) {
            float x = NativeMemory.getFloat(p + 4L * i);
            n2 += (double) x * x;
            double t = ((double) x * scale - lo) * inv;
            double e = t - (NativeMemory.getByte(c + i) + 128);
            r2 += e * e;
        }
        return geometric(n2, scale) ? Math.sqrt(r2) : Double.POSITIVE_INFINITY;
    }

    /**
     * The distance in code units within which a code with header {@code header} (read unsigned)
     * lies from its item: {@code sqrt(dimensions)/2} for {@link #CODE_EXACT} and {@link
     * #CODE_BOUNDED}, {@code (header - 63)·sqrt(dimensions)/256} for the residual headers, and
     * infinity for any other header (no bound).
     */
    public double residualBound(int header) {
        int h = header & 0xFF;
        if (h >= CODE_RESIDUAL_FIRST) {
            return (h - 63) * Math.sqrt(dimensions) / 256;
        }
        // Exact codes keep the half-step bound: stores written before the twenty-third session
        // marked a code exact from its float unit values alone, which in a range narrower than the
        // floats' own spacing can be units away from its item.
        return h == CODE_EXACT || h == CODE_BOUNDED ? 0.5 * Math.sqrt(dimensions) : Double.POSITIVE_INFINITY;
    }

    /**
     * The most a code newly marked {@link #CODE_EXACT} may lie from its item, in code units: the
     * float arithmetic that found every unit value whole rounds each by up to about {@code
     * 256·2^-22} units, so grid data at 65,536 dimensions (values k/10 with a step of 0.1) lie
     * 0.01 units from their codes by double arithmetic and are still exact (a review found them
     * losing header 2 with an absolute 0.001).
     */
    private double exactResidual() {
        return 1e-3 + Math.sqrt(dimensions) * 256 * 0x1p-22;
    }

    /**
     * Whether the quantize kernel finds every unit value of the encoded item at {@code item} whole:
     * the rule by which stores written before the twenty-third session marked a code {@link
     * #CODE_EXACT} (whatever its distance in double, and for cosine zero vectors too), which
     * {@code quiver check} accepts for them.
     */
    public boolean quantizesExactly(long item) {
        ByteBuffer scratch = ByteBuffer.allocateDirect(dimensions);
        boolean exact = KERNELS.quantize(item + Distance.PAYLOAD, NativeMemory.address(scratch), dimensions, scale(kind, item), lo, 1f / step);
        java.lang.ref.Reference.reachabilityFence(scratch);
        return exact;
    }

    /**
     * Whether distances of a vector of squared norm {@code n2}, scaled by {@code scale} into code
     * space, are the geometry {@link #lowerBound} assumes: always for Euclidean; for cosine, when
     * the vector is not zero (its distance is 1 by definition) and scales to unit length.
     */
    private boolean geometric(double n2, float scale) {
        return kind != DistanceKind.COSINE || (scale != 0f && unitLength(n2, scale));
    }

    /**
     * Whether a cosine vector of squared norm {@code n2} (summed in double) scales to unit length
     * by {@code scale}, the reciprocal of the float norm its distance uses, and that norm was
     * rounded as a normal float. The bound takes a cosine distance for half the squared distance
     * of unit vectors; a squared norm below {@link Float#MIN_NORMAL} or above the float range is
     * stored coarsely or as infinity, and the vector then does not scale to unit length (found by a
     * review: an item of norm 4.4e-23 scaled to length 1.18 and lost its place as nearest).
     */
    private static boolean unitLength(double n2, float scale) {
        float f = (float) n2;
        return f >= Float.MIN_NORMAL && f <= Float.MAX_VALUE && Math.abs(n2 * scale * scale - 1) <= 1e-5;
    }

    /**
     * Whether the stored code {@code code} (its header byte first) is as close to the encoded item
     * at {@code item} as its header promises, and for cosine of a unit-length scaling: what {@link
     * #lowerBound} relies on ({@code quiver check}). A {@link #CODE_BOUNDED} code must be within
     * half a step in every component; the distance of an exact code or one with a residual header
     * is checked exactly; other headers promise nothing.
     */
    public boolean boundHolds(long item, long code) {
        int header = NativeMemory.getByte(code) & 0xFF;
        if (header >= CODE_RESIDUAL_FIRST || header == CODE_EXACT) {
            return residualUnits(item, scale(kind, item), code) <= residualBound(header);
        }
        if (header != CODE_BOUNDED) {
            return true;
        }
        float scale = scale(kind, item);
        float inv = 1f / step;
        long p = item + Distance.PAYLOAD;
        double n2 = 0;
        for (int i = 0; i < dimensions; i++) {
            float x = NativeMemory.getFloat(p + 4L * i);
            n2 += (double) x * x;
            float t = (x * scale - lo) * inv;
            int c = NativeMemory.getByte(code + CODE_PAYLOAD + i) + 128;
            if (!(Math.abs(t - c) <= 0.5f + 1e-3f)) {
                return false;
            }
        }
        return geometric(n2, scale);
    }

    /** Whether the stored code at {@code code} is its item exactly ({@link #CODE_EXACT}). */
    public static boolean isExact(long code) {
        return NativeMemory.ALL.get(ValueLayout.JAVA_BYTE, code) == CODE_EXACT;
    }

    /**
     * Whether the stored code at {@code code} says how far it is from its item ({@link
     * #CODE_EXACT}, {@link #CODE_BOUNDED} or a {@link #CODE_RESIDUAL_FIRST residual header}), so
     * that {@link #lowerBound} holds for it.
     */
    public static boolean isBounded(long code) {
        byte b = NativeMemory.ALL.get(ValueLayout.JAVA_BYTE, code);
        return b == CODE_BOUNDED || b == CODE_EXACT || (b & 0xFF) >= CODE_RESIDUAL_FIRST;
    }

    /**
     * A lower bound of the exact ordering distance between a query and the item of the {@link
     * #isBounded bounded} code at {@code code}, from their {@link #distance}. The header puts the
     * item within {@link #residualBound} units of its code, so by the triangle inequality the item
     * is at least {@code sqrt(codeDistance) - residual} units from the query; a unit is {@code
     * step} long; a cosine distance is half the squared distance of the normalised vectors.
     * The code distance is lowered by what its float sum may have gained ({@code (dimensions +
     * 8)·2^-23} of it), the residual raised by 0.01%, by 0.01 units and by the float error of the
     * query's units ({@link #queryUnitsError}); the result is lowered by what the float
     * computation of the exact distance may lose: a share of it (0.1%, more from 8,000
     * dimensions), and for cosine {@code (dimensions + 16)·2^-23} more ({@code 1 - cos} of near
     * neighbours is a small difference of numbers near 1, rounded in absolute terms).
     */
    public float lowerBound(float codeDistance, long code) {
        return lowerBound(codeDistance, residualBound(NativeMemory.getByte(code)));
    }

    /**
     * A lower bound that holds for every bounded code at code distance {@code codeDistance},
     * whatever its header ({@link #lowerBound(float, long)} with the largest residual a header
     * can state): once it passes the k-th exact distance, no bounded code farther out can enter.
     */
    public float loosestLowerBound(float codeDistance) {
        return lowerBound(codeDistance, residualBound(0xFF));
    }

    private float lowerBound(float codeDistance, double residual) {
        if (!Float.isFinite(codeDistance) || !(residual < Double.POSITIVE_INFINITY)) {
            return 0f; // overflowed (a query far outside the range), or no bound
        }
        // The code distance is a float sum too, which may lie above the true one by up to about one
        // rounding per term when the kernel sums sequentially (the scalar kernels, or vector lanes
        // too narrow for the int8 path); a second review found searches at 65,536 and 131,072
        // dimensions that skipped their nearest item without this share.
        double codeShare = (dimensions + 8) * 0x1p-23;
        double slack = residual * 1.0001 + 0.01 + queryUnitsError();
        double units = Math.sqrt(Math.max(0f, codeDistance) * Math.max(0, 1 - codeShare)) - slack;
        if (units <= 0) {
            return 0f;
        }
        // The search compares with the exact distance as the kernels compute it, a float sum over
        // the dimensions, which may lie below the true one: for Euclidean by a share of it (positive
        // terms: up to about one rounding per term), plus absolute rounding where the squares are
        // subnormal; for cosine by an absolute amount, since 1 - cos is a small difference of a dot
        // product near 1 whose terms each round (a review built a 4096-d item and query whose
        // float distance lay 3.6e-6 below the true one, which a bound of 1e-6 slack passed).
        double relative = Math.max(1e-3, (dimensions + 8) * 0x1p-23);
        double d = units * units * step * step * (1 - relative);
        d = kind == DistanceKind.COSINE ? d / 2 - (dimensions + 16) * 0x1p-23 : d - dimensions * 0x1p-148;
        return (float) Math.max(0, d);
    }

    /**
     * How far a query's units as {@link #encodeQuery} computes them in float may lie from their
     * exact values, beyond what the relative shave of {@link #lowerBound} covers. Per component:
     * the subtraction of {@code lo} and the multiplication by {@code 1/step} each round by half an
     * ulp of at most the unit value (a query far outside the range: its code distance grows as
     * fast, and the shave covers it; within the range, 256 units), and for cosine the scaling to
     * unit length by half an ulp of a component of at most 1, which in units is {@code 2^-24/step}
     * (a Euclidean query's scale is 1, exact). Doubled for the square root of the dimensions of
     * such errors: 0.002 units at 768-d for Euclidean, 0.008 for cosine with steps of 0.001.
     */
    private double queryUnitsError() {
        double perComponent = 256 + (kind == DistanceKind.COSINE ? 1 / (double) step : 0);
        return Math.sqrt(dimensions) * perComponent * 0x1p-22;
    }

    /**
     * Codes the encoded items at {@code items[from..to)} into native memory from {@code out}, one
     * {@link #codeBytes()} code after the other.
     */
    public void encodeItems(long[] items, int from, int to, long out) {
        long at = out;
        for (int i = from; i < to; i++) {
            encodeItem(items[i], at);
            at += codeBytes();
        }
    }

    /**
     * Writes {@code vector} in code units ({@code dimensions} floats) at {@code out}; returns whether
     * {@link #lowerBound} holds for it (false for a zero cosine query).
     */
    public boolean encodeQuery(float[] vector, long out) {
        double n2 = FloatDistance.squaredNorm(vector);
        float s = kind != DistanceKind.COSINE ? 1f : n2 == 0 ? 0f : (float) (1 / Math.sqrt(n2));
        toUnits(vector, s, out);
        // The exact distance takes the query's float norm, which a squared norm outside the normal
        // float range rounds badly or overflows (unitLength): then the units are not that query scaled.
        return geometric(n2, s);
    }

    /** As {@link #encodeQuery}, for the encoded item at {@code item}. */
    public boolean encodeQueryFromItem(long item, long out) {
        float[] x = new float[dimensions];
        MemorySegment.copy(NativeMemory.ALL, NativeMemory.FLOAT, item + Distance.PAYLOAD, x, 0, dimensions);
        float s = scale(kind, item);
        toUnits(x, s, out);
        return geometric(FloatDistance.squaredNorm(x), s);
    }

    /** {@code x} scaled by {@code s}, in code units, to native memory (array loop, then one bulk copy). */
    private void toUnits(float[] x, float s, long out) {
        float inv = 1f / step;
        float[] u = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            u[i] = (x[i] * s - lo) * inv - 128f;
        }
        MemorySegment.copy(u, 0, NativeMemory.ALL, NativeMemory.FLOAT, out, dimensions);
    }

    /**
     * Whether the codes are the integers from an integer {@code lo}: data of integers in that range
     * (pixels, counts) are coded without rounding, so measuring on codes loses nothing.
     */
    public boolean onIntegerGrid() {
        return step == 1f && lo == Math.rint(lo);
    }

    /** The value coded as the highest byte: values above it are clamped to it. */
    public float hi() {
        return lo + 255 * step;
    }

    /**
     * How many components of the encoded item at {@code item} (after the distance's scaling) lie
     * more than {@code margin} below {@link #lo()} or above {@link #hi()}: what its code clamps by
     * more than rounding. {@code scratch} holds {@link #dimensions()} floats.
     */
    public int clampedBeyond(long item, float margin, float[] scratch) {
        float s = scale(kind, item);
        if (zeroCosine(kind, s)) {
            return 0; // coded as CODE_ZERO, whatever the range
        }
        // one bulk copy, then a heap loop, as in Fitter.add
        MemorySegment.copy(NativeMemory.ALL, NativeMemory.FLOAT, item + Distance.PAYLOAD, scratch, 0, dimensions);
        float below = lo - margin;
        float above = hi() + margin;
        int n = 0;
        for (int i = 0; i < dimensions; i++) {
            float x = scratch[i] * s;
            n += x < below || x > above ? 1 : 0;
        }
        return n;
    }

    /** Whether {@code b} is the first byte of a stored code. */
    public static boolean isCodeHeader(byte b) {
        return b == CODE_VERSION || b == CODE_EXACT || b == CODE_BOUNDED || b == CODE_ZERO || (b & 0xFF) >= CODE_RESIDUAL_FIRST;
    }

    /**
     * Approximate ordering distance between an encoded query and a stored code (its address); for
     * a {@link #CODE_ZERO} code, cosine distance 1 in code units.
     */
    public float distance(long query, long code) {
        if (NativeMemory.getByte(code) == CODE_ZERO) {
            return zeroCodeDistance();
        }
        return KERNELS.squaredEuclideanInt8(query, code + CODE_PAYLOAD, dimensions);
    }

    /** Approximate ordering distance between two stored codes (addresses): both sides rounded. */
    public float codeDistance(long a, long b) {
        if (NativeMemory.getByte(a) == CODE_ZERO || NativeMemory.getByte(b) == CODE_ZERO) {
            return zeroCodeDistance();
        }
        return KERNELS.squaredEuclideanBytes(a + CODE_PAYLOAD, b + CODE_PAYLOAD, dimensions);
    }

    /**
     * Cosine distance 1 as a squared distance in code units: unit vectors at cosine distance 1
     * lie sqrt(2) apart.
     */
    private float zeroCodeDistance() {
        return 2f / (step * step);
    }

    /** Checks a stored value's size and version; throws CORRUPTED if it is not a code of this quantizer. */
    public void checkCode(ByteBuffer value, int id) {
        String problem = codeProblem(value, id);
        if (problem != null) {
            throw new QuiverException(ErrorKind.CORRUPTED, problem);
        }
    }

    /**
     * What is wrong with the stored value {@code value} of item {@code id} as a code of this
     * quantizer (its size, or a header this version does not know), or null when nothing is.
     */
    public String codeProblem(ByteBuffer value, int id) {
        if (value.remaining() == codeBytes() && isCodeHeader(value.get(0))) {
            return null;
        }
        String header = value.remaining() == 0 ? "none" : Integer.toString(value.get(0) & 0xFF);
        return "int8 code of item " + Integer.toUnsignedString(id) + " has " + value.remaining() + " bytes and header " + header
                + ", expected " + codeBytes() + " bytes and a header this version knows";
    }

    public static Fitter fitter(Distance distance) {
        return new Fitter(distance);
    }

    /** Collects the value range of sample items (encoded item addresses). */
    public static final class Fitter {
        /** Most components {@link #range} sorts (1 MiB), and whole items at least one. */
        static final int SAMPLE_CAP = 1 << 18;
        /** Fewer sampled components than this keep min and max: too few for the {@link #TAIL} quantiles. */
        static final int MIN_SAMPLE = 10_000;
        /** The share of components in each tail beyond the central part of {@link #range}. */
        static final double TAIL = 1e-4;
        /** How many times the central part's span the extremes may span before they count as outliers. */
        static final int OUTLIER_SPAN = 4;
        private final Distance distance;
        private float min = Float.POSITIVE_INFINITY;
        private float max = Float.NEGATIVE_INFINITY;
        private boolean integers = true;
        private final float[] scratch;
        /**
         * The components (after scaling) of every {@link #stride}-th item added, whole, for the
         * quantiles of {@link #range}: at most {@link #SAMPLE_CAP} floats; when full, every other
         * item is dropped and the stride doubles. Whole items, so that every dimension is in it as
         * often as in the data: a sample of every n-th component saw only the dimensions n shares a
         * factor with (12 of 768 at a stride of 64), and a dimension of wider scale left out of it
         * was clamped in every item (a review helper's probe: recall@10 0.50 against 0.91).
         */
        private float[] sample = new float[1024];
        /** Floats in {@link #sample}: a whole number of items. */
        private int sampled;
        private int stride = 1;
        /** Items to pass before the next one sampled. */
        private int skip = 1;

        private Fitter(Distance distance) {
            if (!supports(distance.kind())) {
                throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "int8 codes are for euclidean and cosine indexes, not " + distance.kind().cliName());
            }
            this.distance = distance;
            this.scratch = new float[distance.dimensions()];
        }

        public void add(long item) {
            float s = scale(distance.kind(), item);
            if (zeroCosine(distance.kind(), s)) {
                // a zero vector's code is never measured (CODE_ZERO): its zeros would only widen the
                // range and, paired at distance 1 with every other item, make any range look fine
                return;
            }
            // One bulk copy, then a loop over a heap array: element-wise native reads are slow
            // until the JIT has compiled them, and a build fits its range first thing.
            MemorySegment.copy(NativeMemory.ALL, NativeMemory.FLOAT, item + Distance.PAYLOAD, scratch, 0, scratch.length);
            float lo = min;
            float hi = max;
            boolean whole = integers;
            for (float v : scratch) {
                float x = v * s;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
                whole &= x == Math.rint(x);
            }
            min = lo;
            max = hi;
            integers = whole;
            if (--skip == 0) {
                keep(scratch, 0, s);
                skip = stride;
            }
        }

        /** Appends the item at {@code from} of {@code values}, times {@code scale}, to the sample. */
        private void keep(float[] values, int from, float scale) {
            int dims = scratch.length;
            if (sampled + dims > sample.length) {
                if (sample.length < SAMPLE_CAP) {
                    sample = java.util.Arrays.copyOf(sample, Math.max(sample.length * 2, sampled + dims));
                } else {
                    int items = sampled / dims;
                    for (int i = 0; i < items / 2; i++) {
                        System.arraycopy(sample, 2 * i * dims, sample, i * dims, dims);
                    }
                    sampled = items / 2 * dims;
                    stride *= 2;
                }
            }
            for (int j = 0; j < dims; j++) {
                sample[sampled + j] = values[from + j] * scale;
            }
            sampled += dims;
        }

        /** The smallest component seen (after the distance's scaling), +infinity before any. */
        public float min() {
            return min;
        }

        /** The largest component seen, -infinity before any. */
        public float max() {
            return max;
        }

        /** Adds what {@code other} saw (fitters of parts of one sample, merged: the same range as one fitter). */
        public void merge(Fitter other) {
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            integers &= other.integers;
            // the parts' samples joined: their strides may differ by a factor of two, close enough
            // for quantiles
            for (int i = 0; i < other.sampled; i += scratch.length) {
                keep(other.sample, i, 1f);
            }
        }

        /**
         * The range {@link #fit} codes: from {@link #min} to {@link #max}, unless a few components
         * lie far outside the others. One finite outlier (a component of 1e4 among values in
         * [0, 1), 3,000 items of 16-d) then squeezed every other item into a code value or two, and
         * recall@10 fell from 1.0 to 0.02 with nothing reported. So when the extremes span more
         * than {@value #OUTLIER_SPAN} times the central part (from the {@value #TAIL} quantile to
         * the 1 - {@value #TAIL} one, of a sample of whole items, at least {@value #MIN_SAMPLE}
         * components), the range is that part with a quarter of
         * its span added on each side. Components beyond it are clamped; their items' codes then
         * state the larger distance from their vectors, or no bound at all when it passes what a
         * header can state, and searches re-rank them by that. Gaussian data span about
         * 1.4 times their central part, uniform data 1.0; data that are mostly one value (sparse
         * vectors) have no central span and keep min and max.
         *
         * @return {low, high}
         */
        public float[] range() {
            if (sampled >= MIN_SAMPLE && max - min > 0) {
                float[] sorted = java.util.Arrays.copyOf(sample, sampled);
                java.util.Arrays.sort(sorted);
                int tail = (int) (sampled * TAIL);
                float qlo = sorted[tail];
                float qhi = sorted[sampled - 1 - tail];
                float central = qhi - qlo;
                if (central > 0 && (double) max - min > OUTLIER_SPAN * (double) central) {
                    return new float[] {Math.max(min, qlo - central / 4), Math.min(max, qhi + central / 4)};
                }
            }
            return new float[] {min, max};
        }

        /**
         * Whether codes of {@code q} still tell the sampled items apart: for pairs of sampled items
         * (each paired with another drawn at random, after scaling), how far the difference of their
         * codes lies from the difference of their vectors, at most {@value #MAX_ROUNDING} of how far
         * apart the items are (medians of both). A wide range for a few of the items leaves the rest
         * on a code value or two: 500 items 50 times larger than 5,000 clustered 32-d ones made
         * that share 0.40, and recall@10 of queries among the small items fell to 0.91 at ef 64 and
         * 0.28 at ef 10, against 1.00 and 0.96 on the vectors (10 times larger: 0.080, recall 0.66
         * at ef 10; 5 times: 0.040, kept, 0.81). Ordinary data sit at 0.002-0.017
         * (docs/BENCHMARKS.md, twenty-fourth session). Differences, because rounding common to
         * both items cancels in their distance: zeros of sparse vectors all round by the same
         * amount (4096-d cosine with 8 non-zeros: 0.046 counted per item, 0.007 as differences,
         * and recall the same with codes as without); random partners, because ids in import
         * order (a catalogue embedded twice, one half after the other) made a fixed offset pair
         * each item with its near copy. Codes on the integer grid are exact, and fewer than
         * {@value #MIN_JUDGED} sampled items say too little (a first build of 5 items turned codes
         * off for good): both resolve. Random pairs miss tight groups inside a wide range, so the
         * codes must also resolve most items from their neighbours ({@link #unresolvedShare} at
         * most {@value #MAX_UNRESOLVED}).
         */
        public boolean resolves(ScalarQuantizer q) {
            return judge(q).resolves();
        }

        /**
         * Both measures of {@link #resolves}, each taken once: {@link #unresolvedShare} takes 10-35 ms
         * in a warm process and up to a quarter of a second in a new one, still interpreted, so it
         * is skipped (NaN) when the random pairs already refuse the codes.
         */
        public record Judgement(double roundingShare, double unresolvedShare) {
            /** Whether the codes resolve the items: neither share past its bound (NaN passes). */
            public boolean resolves() {
                return !(roundingShare > MAX_ROUNDING) && !(unresolvedShare > MAX_UNRESOLVED);
            }
        }

        /** {@link #roundingShare} and, when that passes, {@link #unresolvedShare} of {@code q}. */
        public Judgement judge(ScalarQuantizer q) {
            double random = roundingShare(q);
            return new Judgement(random, random > MAX_ROUNDING ? Double.NaN : unresolvedShare(q));
        }

        /**
         * The share of judged items whose codes cannot tell them from their {@value #NEIGHBOUR_RANK}th
         * nearest sampled neighbour: the codes' rounding of the pair's difference is more than
         * {@value #MAX_NEIGHBOUR_ROUNDING} of the pair's distance. {@link #roundingShare} measures
         * against random pairs, so tight groups inside a wide range passed it: 4,000 32-d items
         * of spread 0.01 among 4,000 of spread 1,000 measured 0.014 and kept codes that put every
         * small item on one code, recall@10 0.003 / 0.024 at ef 10 / 64 against 0.69 / 0.98 on the
         * vectors (a review helper's case); clusters of spread 0.3 around centres of spread 50, 0.28 /
         * 0.78 against 0.99 / 1.00. Those measure 1.0 and 1.6 as a median of this pair share;
         * ordinary data (Fashion-MNIST's cosine copy, Gaussian, clustered 32-d and 768-d sets,
         * sparse vectors) 0.01-0.05, and 500 items 5 times larger than 5,000 (recall kept: 1.00
         * at ef 64) 0.24 (docs/BENCHMARKS.md, thirty-second session). The fifth neighbour, so that
         * an item's own near copy (a catalogue embedded twice) does not count; NaN when nothing
         * is judged (exact codes, fewer than {@value #MIN_JUDGED} sampled items).
         */
        public double unresolvedShare(ScalarQuantizer q) {
            double[] shares = neighbourShares(q, NEIGHBOUR_RANK);
            if (shares.length == 0) {
                return Double.NaN;
            }
            int above = 0;
            for (double x : shares) {
                if (x > MAX_NEIGHBOUR_ROUNDING) {
                    above++;
                }
            }
            return (double) above / shares.length;
        }

        /** Which neighbour of an item {@link #unresolvedShare} pairs it with. */
        public static final int NEIGHBOUR_RANK = 5;
        /** The rounding, as a share of the distance to that neighbour, past which an item counts as unresolved. */
        public static final double MAX_NEIGHBOUR_ROUNDING = 0.5;
        /** The most items {@link #resolves} lets be unresolved. */
        public static final double MAX_UNRESOLVED = 0.1;

        /** The most rounding {@link #resolves} allows, as a share of the items' median distance. */
        public static final double MAX_ROUNDING = 0.05;
        /** Sampled items below which {@link #resolves} does not judge. */
        static final int MIN_JUDGED = 16;
        /** Items of the sample {@link #roundingShare} measures. */
        static final int JUDGED = 512;

        /** How far {@code x} lies from its code value in the range {@code lo}, {@code step}. */
        private static double roundingOf(double x, double lo, double step) {
            double c = Math.min(255, Math.max(0, Math.rint((x - lo) / step)));
            return x - (lo + c * step);
        }

        /** The share {@link #resolves} compares with {@link #MAX_ROUNDING}: 0 for exact codes, NaN when the sample cannot tell. */
        public double roundingShare(ScalarQuantizer q) {
            if (q.onIntegerGrid()) {
                return 0;
            }
            int dims = scratch.length;
            int items = sampled / dims;
            if (items < MIN_JUDGED) {
                return Double.NaN;
            }
            int n = Math.min(items, JUDGED);
            double[] spacing = new double[n];
            double[] rounding = new double[n];
            int pairs = 0;
            java.util.SplittableRandom random = new java.util.SplittableRandom(items);
            double lo = q.lo();
            double step = q.step();
            for (int i = 0; i < n; i++) {
                int a = (int) ((long) i * items / n);
                int b = random.nextInt(items - 1);
                if (b >= a) {
                    b++;
                }
                double d = 0;
                double r = 0;
                for (int j = 0; j < dims; j++) {
                    double x = sample[a * dims + j];
                    double y = sample[b * dims + j];
                    d += (x - y) * (x - y);
                    double e = roundingOf(x, lo, step) - roundingOf(y, lo, step);
                    r += e * e;
                }
                if (d > 0) {
                    // copies of one vector say nothing about spacing (a sample mostly of copies
                    // had a median distance of 0 and was not judged: a review helper's run)
                    spacing[pairs] = Math.sqrt(d);
                    rounding[pairs++] = Math.sqrt(r);
                }
            }
            if (pairs == 0) {
                return Double.NaN;
            }
            java.util.Arrays.sort(spacing, 0, pairs);
            java.util.Arrays.sort(rounding, 0, pairs);
            return rounding[pairs / 2] / spacing[pairs / 2];
        }

        /** Items of the sample {@link #neighbourShares} judges. */
        static final int NEIGHBOUR_JUDGED = 256;
        /** Components {@link #neighbourShares} compares at most (10-35 ms warm), with at least {@code 4 * MIN_JUDGED} candidates. */
        static final long NEIGHBOUR_WORK = 1L << 24;

        /**
         * For sampled items, how far the difference of the codes of an item and of its
         * {@code rank}-th nearest sampled neighbour lies from the difference of their vectors, as a
         * share of their distance; ascending. Empty when exact codes or too few items leave
         * nothing to judge.
         */
        double[] neighbourShares(ScalarQuantizer q, int rank) {
            int dims = scratch.length;
            int items = sampled / dims;
            if (q.onIntegerGrid() || items < MIN_JUDGED) {
                return new double[0];
            }
            int n = Math.min(items, NEIGHBOUR_JUDGED);
            int c = (int) Math.min(items, Math.max(MIN_JUDGED * 4L, NEIGHBOUR_WORK / ((long) n * dims)));
            double lo = q.lo();
            double step = q.step();
            double[] shares = new double[n];
            double[] nearD = new double[rank];
            int[] near = new int[rank];
            int m = 0;
            for (int i = 0; i < n; i++) {
                int a = (int) ((long) i * items / n);
                java.util.Arrays.fill(nearD, Double.POSITIVE_INFINITY);
                java.util.Arrays.fill(near, -1);
                for (int k = 0; k < c; k++) {
                    int b = (int) ((long) k * items / c);
                    if (b == a) {
                        continue;
                    }
                    double bound = nearD[rank - 1];
                    double d = 0;
                    for (int j = 0; j < dims && d < bound; j++) {
                        double e = sample[a * dims + j] - sample[b * dims + j];
                        d += e * e;
                    }
                    if (d > 0 && d < bound) {
                        int at = rank - 1;
                        while (at > 0 && nearD[at - 1] > d) {
                            nearD[at] = nearD[at - 1];
                            near[at] = near[at - 1];
                            at--;
                        }
                        nearD[at] = d;
                        near[at] = b;
                    }
                }
                int best = near[rank - 1];
                if (best < 0) {
                    continue;
                }
                double r = 0;
                for (int j = 0; j < dims; j++) {
                    double e = roundingOf(sample[a * dims + j], lo, step) - roundingOf(sample[best * dims + j], lo, step);
                    r += e * e;
                }
                shares[m++] = Math.sqrt(r / nearD[rank - 1]);
            }
            double[] out = java.util.Arrays.copyOf(shares, m);
            java.util.Arrays.sort(out);
            return out;
        }

        /**
         * The quantizer for the range seen: integers spanning at most 256 values get step 1 from
         * the smallest, which codes them exactly ({@link #onIntegerGrid()}); other data get 255
         * steps from min to max (a unit range around 0 when nothing or one value was seen).
         */
        public ScalarQuantizer fit() {
            if (integers && Float.isFinite(min) && max - min <= 255) {
                return new ScalarQuantizer(distance.kind(), distance.dimensions(), min, 1f);
            }
            if (!(max > min)) {
                float c = Float.isFinite(min) ? min : 0f;
                return new ScalarQuantizer(distance.kind(), distance.dimensions(), c - 0.5f, 1f / 255);
            }
            float[] r = range();
            ScalarQuantizer q = new ScalarQuantizer(distance.kind(), distance.dimensions(), r[0], (r[1] - r[0]) / 255);
            if (q.onIntegerGrid()) {
                // a range cut short of the outliers never codes every item exactly
                q = new ScalarQuantizer(distance.kind(), distance.dimensions(), r[0], Math.nextUp(q.step()));
            }
            return q;
        }
    }
}
