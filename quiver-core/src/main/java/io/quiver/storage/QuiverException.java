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

    public ErrorKind kind() {
        return kind;
    }
}
