package io.quiver.cli;

import io.quiver.storage.ErrorKind;

/**
 * The exit codes of {@code quiver}: one per kind of failure, so that scripts can react without
 * parsing messages. Listed in {@code quiver --help}.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** An unexpected failure (a bug): the message names the exception; {@code --debug} prints the stack. */
    public static final int INTERNAL = 1;
    /** Bad command line: unknown option, missing argument, value out of range. */
    public static final int USAGE = 2;
    /** An input file is malformed, of an unsupported type, or holds an invalid or duplicate id. */
    public static final int BAD_INPUT = 3;
    /** {@code quiver check} found problems. */
    public static final int CHECK_FAILED = 4;
    /** An input or output file cannot be read or written. */
    public static final int IO = 5;
    public static final int NOT_FOUND = 10;
    public static final int FOREIGN_FILE = 11;
    public static final int VERSION_MISMATCH = 12;
    public static final int READ_ONLY = 13;
    public static final int ALREADY_OPEN = 14;
    public static final int MAP_FULL = 15;
    public static final int DISK_FULL = 16;
    public static final int CORRUPTED = 17;
    public static final int STORAGE = 18;
    public static final int UNKNOWN_INDEX = 20;
    public static final int INDEX_MISMATCH = 21;
    public static final int NEEDS_BUILD = 22;
    public static final int WRONG_DIMENSIONS = 23;
    public static final int INVALID_VECTOR = 24;
    public static final int UNKNOWN_ITEM = 25;
    /**
     * Cancelled (Ctrl-C): nothing was committed. SIGTERM stops a command the same way, but the JVM
     * then exits with the shell's 128 + 15 = 143, as any process killed by that signal does.
     */
    public static final int CANCELLED = 130;
    /** The reader of the standard output went away ({@code | head}): stopped without a message, as SIGPIPE would. */
    public static final int READER_GONE = 141;

    private ExitCodes() {}

    public static int of(ErrorKind kind) {
        return switch (kind) {
            case MAP_FULL -> MAP_FULL;
            case NOT_FOUND -> NOT_FOUND;
            case FOREIGN_FILE -> FOREIGN_FILE;
            case VERSION_MISMATCH -> VERSION_MISMATCH;
            case READ_ONLY -> READ_ONLY;
            case ALREADY_OPEN -> ALREADY_OPEN;
            case DISK_FULL -> DISK_FULL;
            case CORRUPTED -> CORRUPTED;
            case UNKNOWN_INDEX -> UNKNOWN_INDEX;
            case INDEX_MISMATCH -> INDEX_MISMATCH;
            case NEEDS_BUILD -> NEEDS_BUILD;
            case WRONG_DIMENSIONS -> WRONG_DIMENSIONS;
            case INVALID_VECTOR -> INVALID_VECTOR;
            case INVALID_ARGUMENT -> USAGE;
            case UNKNOWN_ITEM -> UNKNOWN_ITEM;
            case CANCELLED -> CANCELLED;
            case STORAGE -> STORAGE;
        };
    }

    /** The table shown at the end of {@code quiver --help}. */
    public static final String HELP_TABLE = """
            Exit codes:
               0 success                         13 store is read-only
               1 internal error (a bug)          14 store already open in this process
               2 usage error, bad argument       15 map full
               3 malformed input file or bad id  16 disk full
               4 check found problems            17 corrupted data
               5 cannot read or write a file     18 other storage error
              10 store or file not found         20 unknown index
              11 not a Quiver store              21 index exists with another
                                                    distance or dimension count
              12 format version mismatch         22 index needs a build
             130 cancelled by Ctrl-C             23 wrong dimensions
             141 output pipe closed (no message) 24 NaN, infinite, empty or
             143 stopped by SIGTERM                 overflowing vector
                 (nothing committed either way)  25 unknown item""";
}
