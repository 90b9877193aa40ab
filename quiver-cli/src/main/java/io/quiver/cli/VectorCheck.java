package io.quiver.cli;

import io.quiver.cli.io.VectorReader;
import io.quiver.cli.io.VectorRecord;
import io.quiver.storage.ErrorKind;
import org.roaringbitmap.RoaringBitmap;

/**
 * Validates the vectors of one file as they stream by: same dimension count throughout (or the
 * expected one), no empty vector, no NaN or infinity; and, for item files, ids within u32 and not
 * repeated. Errors name {@code file:line}.
 */
final class VectorCheck {
    private final VectorReader reader;
    private final String expectedFrom;
    private int dims;
    private final long firstId;
    private final RoaringBitmap seen = new RoaringBitmap();

    /**
     * @param dims the expected dimension count, or -1 to learn it from the first vector
     * @param expectedFrom what fixed {@code dims}, for messages (e.g. "index 0 has")
     */
    VectorCheck(VectorReader reader, int dims, String expectedFrom, long firstId) {
        this.reader = reader;
        this.dims = dims;
        this.expectedFrom = expectedFrom;
        this.firstId = firstId;
    }

    int dims() {
        return dims;
    }

    /** Checks the vector; returns it. */
    float[] vector(VectorRecord r) {
        float[] v = r.vector();
        String where = reader.where(r.line());
        if (v.length == 0) {
            throw CliException.of(ErrorKind.INVALID_VECTOR, where + ": empty vector");
        }
        if (dims < 0) {
            dims = v.length;
        } else if (v.length != dims) {
            String exp = expectedFrom != null ? expectedFrom + " " + dims : "earlier vectors have " + dims;
            throw CliException.of(ErrorKind.WRONG_DIMENSIONS, where + ": vector has " + v.length + " dimensions, " + exp);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw CliException.of(ErrorKind.INVALID_VECTOR, where + ": component " + i + " is " + v[i]);
            }
        }
        return v;
    }

    /** Whether the file's vectors give ids, once the first has been read. */
    private Boolean withIds;

    /** The id of the record (given in the file, or its row number + first id), checked. */
    int id(VectorRecord r) {
        String where = reader.where(r.line());
        if (withIds == null) {
            withIds = r.hasId();
        } else if (withIds != r.hasId()) {
            // row numbers would then collide with the ids given
            throw CliException.badInput(where + ": " + (r.hasId() ? "gives an id, while earlier vectors have none" : "gives no id, while earlier vectors have one")
                    + " (give every vector an id, or none)");
        }
        long id;
        if (r.hasId()) {
            if (firstId != 0) {
                throw CliException.usage(where + ": the file gives ids, so --first-id " + firstId + " would be ignored; leave it out");
            }
            id = r.id();
            if (id < 0 || id > Ranges.MAX_ID) {
                throw CliException.badInput(where + ": id " + (id == Long.MAX_VALUE ? "(too large)" : Long.toString(id)) + " is outside 0.." + Ranges.MAX_ID);
            }
        } else {
            id = firstId + r.row();
            if (id > Ranges.MAX_ID) {
                throw CliException.badInput(where + ": id " + id + " (row " + r.row() + " + first id " + firstId + ") is beyond " + Ranges.MAX_ID);
            }
        }
        if (!seen.checkedAdd((int) id)) {
            throw CliException.badInput(where + ": duplicate id " + id + " (already given earlier in " + reader.name() + ")");
        }
        return (int) id;
    }
}
