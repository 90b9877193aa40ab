package io.quiver.distance;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The distances Quiver supports, with the names the CLI and the file format use. */
public enum DistanceKind {
    EUCLIDEAN("euclidean", 0, false),
    MANHATTAN("manhattan", 1, false),
    /** Angular distance, {@code 1 - cos(a, b)}. */
    COSINE("cosine", 2, false),
    /** Inner product, reported as {@code -a·b} so that smaller is closer. */
    DOT("dot", 3, false),
    /** Bit vectors, one bit per component (above 0 is 1; 0 and negative values are 0): number of differing bits. */
    HAMMING("hamming", 4, true),
    /** Euclidean distance after 1-bit quantisation (x &gt; 0 becomes +1, else -1). */
    BQ_EUCLIDEAN("bq-euclidean", 5, true),
    /** Cosine distance after 1-bit quantisation. */
    BQ_COSINE("bq-cosine", 6, true),
    /** Manhattan distance after 1-bit quantisation. */
    BQ_MANHATTAN("bq-manhattan", 7, true);

    private final String cliName;
    private final byte code;
    private final boolean binary;

    DistanceKind(String cliName, int code, boolean binary) {
        this.cliName = cliName;
        this.code = (byte) code;
        this.binary = binary;
    }

    /** The name used on the command line and in stats, e.g. {@code bq-cosine}. */
    public String cliName() {
        return cliName;
    }

    /** Stable byte stored in index metadata. */
    public byte code() {
        return code;
    }

    /** Whether vectors are stored as packed bits. */
    public boolean isBinary() {
        return binary;
    }

    /** Whether stored vectors lose precision (search candidates should be oversampled). */
    public boolean isQuantized() {
        return this == BQ_COSINE || this == BQ_EUCLIDEAN || this == BQ_MANHATTAN;
    }

    /** The distance object for vectors of {@code dimensions} components. */
    public Distance create(int dimensions) {
        if (dimensions <= 0) {
            throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "dimensions must be positive, got " + dimensions);
        }
        return switch (this) {
            case EUCLIDEAN -> new Euclidean(dimensions);
            case MANHATTAN -> new Manhattan(dimensions);
            case COSINE -> new Cosine(dimensions);
            case DOT -> new DotProduct(dimensions);
            case HAMMING, BQ_EUCLIDEAN, BQ_COSINE, BQ_MANHATTAN -> new BinaryDistance(this, dimensions);
        };
    }

    public static DistanceKind fromCode(byte code) {
        for (DistanceKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new QuiverException(ErrorKind.CORRUPTED, "unknown distance code " + code);
    }

    /** Parses a CLI name such as {@code euclidean} or {@code bq-cosine} (case-insensitive). */
    public static DistanceKind parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (DistanceKind k : values()) {
            if (k.cliName.equals(n)) {
                return k;
            }
        }
        if (n.equals("angular")) {
            return COSINE;
        }
        if (n.equals("l2")) {
            return EUCLIDEAN;
        }
        throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "unknown distance '" + name + "'; expected one of "
                + Arrays.stream(values()).map(DistanceKind::cliName).collect(Collectors.joining(", ")));
    }
}
