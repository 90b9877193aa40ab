package io.quiver.storage;

/**
 * The one exception type Quiver throws for failures a caller may want to handle. The
 * {@link #kind()} says what happened; the message says it in words, naming the file, index or id.
 * LMDB's native return codes never escape: they are translated here (see {@link LmdbErrors}).
 */
public class QuiverException extends RuntimeException {
    private final ErrorKind kind;

    public QuiverException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public QuiverException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /**
     * This failure with {@code where} put before its message (such as {@code "index 0, item 7: "}),
     * of the same kind, with this one as its cause: for a layer that knows what was being done.
     *
     * <pre>{@code
     * catch (QuiverException e) { throw e.at("index " + index + ", query: "); }
     * }</pre>
     */
    public QuiverException at(String where) {
        return new QuiverException(kind, where + getMessage(), this);
    }

    public ErrorKind kind() {
        return kind;
    }
}
