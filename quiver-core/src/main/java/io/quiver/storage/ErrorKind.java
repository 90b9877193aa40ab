package io.quiver.storage;

/**
 * What went wrong, in terms a caller can act on. Every failure Quiver reports carries one, so a
 * program (or the CLI's exit code) can tell a full map from a wrong dimension without parsing text.
 */
public enum ErrorKind {
    /** The LMDB map is full and could not be grown (or growth was disabled). */
    MAP_FULL,
    /** The store directory or its data file does not exist. */
    NOT_FOUND,
    /** The file is not an LMDB environment, or not one written by Quiver. */
    FOREIGN_FILE,
    /** The file was written by an incompatible LMDB or Quiver format version. */
    VERSION_MISMATCH,
    /** The directory or file system does not allow writing. */
    READ_ONLY,
    /** The same store directory is already open in this process. */
    ALREADY_OPEN,
    /** The file system has no space left. */
    DISK_FULL,
    /** The data on disk does not decode: truncated or corrupted value. */
    CORRUPTED,
    /** The index does not exist in the store. */
    UNKNOWN_INDEX,
    /** An index with this number exists but with another distance, dimension count or algorithm. */
    INDEX_MISMATCH,
    /** The index has changes that a {@code build} has not yet applied. */
    NEEDS_BUILD,
    /** A vector has the wrong number of dimensions. */
    WRONG_DIMENSIONS,
    /** A vector holds NaN or infinite values, or is empty. */
    INVALID_VECTOR,
    /** An argument is out of its allowed range (ids, k, tree counts, ...). */
    INVALID_ARGUMENT,
    /** The item id is not in the index. */
    UNKNOWN_ITEM,
    /** A build or search was cancelled by its caller. */
    CANCELLED,
    /** Any other LMDB or I/O failure, with the native message attached. */
    STORAGE
}
