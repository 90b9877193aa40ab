package io.quiver.cli;

import io.quiver.storage.ErrorKind;
import io.quiver.storage.QuiverException;

/** A failure the CLI reports as one line on stderr with a chosen exit code. */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    public static CliException badInput(String message) {
        return new CliException(ExitCodes.BAD_INPUT, message);
    }

    /** Prefixes a core failure with where it happened (e.g. {@code file:line}), keeping its exit code. */
    public static CliException at(String where, QuiverException e) {
        return new CliException(ExitCodes.of(e.kind()), where + ": " + e.getMessage(), e);
    }

    public static CliException of(ErrorKind kind, String message) {
        return new CliException(ExitCodes.of(kind), message);
    }
}
