package io.quiver.index;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;

/** Which structure an index is built into. Byte codes are part of the file format. */
public enum Algorithm {
    /** Items stored, never built. */
    NONE(0),
    /** Random-projection trees ({@code index.forest}). */
    FOREST(1),
    /** Hierarchical navigable small-world graph ({@code index.hnsw}). */
    HNSW(2);

    private final byte code;

    Algorithm(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Algorithm fromCode(byte code) {
        for (Algorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new QuiverException(ErrorKind.CORRUPTED, "unknown algorithm code " + code);
    }

    public static Algorithm parse(String s) {
        for (Algorithm a : values()) {
            if (a.cliName().equalsIgnoreCase(s.trim())) {
                return a;
            }
        }
        throw new QuiverException(ErrorKind.INVALID_ARGUMENT, "unknown algorithm '" + s + "'; expected forest or hnsw");
    }
}
