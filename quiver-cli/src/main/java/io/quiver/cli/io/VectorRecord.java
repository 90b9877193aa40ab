package io.quiver.cli.io;

/**
 * One vector read from a file.
 *
 * @param line where it came from: the 1-based line for text formats, the 1-based vector number
 *     for binary formats (fvecs, bvecs, npy)
 * @param row 0-based count of vectors read before this one
 * @param id the id given in the file, or {@link #NO_ID} when the file gives none
 * @param vector the components (never null; may be empty)
 */
public record VectorRecord(long line, long row, long id, float[] vector) {
    /** The file gave no id for this vector. */
    public static final long NO_ID = Long.MIN_VALUE;

    public boolean hasId() {
        return id != NO_ID;
    }
}
