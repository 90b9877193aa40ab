package io.quiver.storage;

/**
 * The second component of every key. The byte values are part of the file format: never reorder.
 * Keys sort by index, then kind, then id, so everything of one kind in one index is one range.
 */
public enum KeyKind {
    /** Index metadata (distance, dimensions, algorithm state); ids name sub-records. */
    METADATA(0),
    /** Marks an item added, changed or deleted since the last build. */
    UPDATED(1),
    /** A node of a random-projection tree (split plane or descendants), keyed by node id. */
    TREE_NODE(2),
    /** The neighbour list of a graph node at one level; the key carries a trailing level byte. */
    LINKS(3),
    /**
     * A stored vector, keyed by the user's item id. The largest kind, so that loading ascending
     * ids into the last index of a store appends at the end of the B-tree ({@code MDB_APPEND}).
     */
    ITEM(4),
    /**
     * The int8 code of a stored vector (graph traversal reads these, a quarter of the vector's
     * bytes, densely packed in leaf pages), keyed by item id. Written by builds only, so item
     * imports into a fresh index still append: ITEM stays the largest kind until the first build.
     */
    CODE(5);

    private final byte code;

    KeyKind(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static KeyKind fromCode(byte code) {
        for (KeyKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new QuiverException(ErrorKind.CORRUPTED, "unknown key kind " + code);
    }
}
