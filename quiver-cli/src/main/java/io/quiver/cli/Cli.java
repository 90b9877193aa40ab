package io.quiver.cli;

import io.quiver.storage.Store;
import io.quiver.storage.StoreOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** State and helpers shared by the commands. */
public final class Cli {
    /** {@code --quiet}: no progress bars, no informational messages on stderr. */
    static volatile boolean quiet;
    /** {@code --debug}: stack traces with errors. */
    static volatile boolean debug;
    /** {@code --immutable}: the store is not written while the command runs (read-only media). */
    static volatile boolean immutable;
    /** Set on Ctrl-C: long operations stop at their next check. */
    static volatile boolean cancelled;
    /** Where informational messages go (stderr of the command line). */
    static volatile PrintWriter info = new PrintWriter(System.err, true);

    private Cli() {}

    static void reset(PrintWriter err) {
        quiet = false;
        immutable = false;
        cancelled = false;
        debug = System.getenv("QUIVER_DEBUG") != null && !System.getenv("QUIVER_DEBUG").isEmpty();
        info = err;
    }

    /** An informational line on stderr (suppressed by {@code --quiet}). */
    public static void info(String fmt, Object... args) {
        if (!quiet) {
            info.println(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args));
            info.flush();
        }
    }

    /** Whether to draw progress bars: stderr is a terminal (or QUIVER_PROGRESS=1) and not --quiet. */
    public static boolean progressEnabled() {
        if (quiet) {
            return false;
        }
        String force = System.getenv("QUIVER_PROGRESS");
        if (force != null) {
            return force.equals("1") || force.equalsIgnoreCase("true");
        }
        String tty = System.getProperty("quiver.stderr.tty");
        if (tty != null) {
            return tty.equals("1") || tty.equals("true");
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    public enum Access {
        /** Read-only; the store must exist. */
        READ,
        /** Read-write; the store must exist. */
        WRITE,
        /** Read-write; created when absent. */
        CREATE
    }

    public static Store openStore(Path db, Access access) {
        StoreOptions.Builder b = StoreOptions.builder();
        if (immutable && access != Access.READ) {
            throw CliException.usage("--immutable is for commands that only read the store (search, stats, check, backup)");
        }
        switch (access) {
            case READ -> b.readOnly(true).create(false).immutable(immutable);
            case WRITE -> b.create(false);
            case CREATE -> b.create(true);
        }
        return Store.open(db, b.build());
    }

    /** The cancel signal handed to builds. */
    public static boolean cancelRequested() {
        return cancelled;
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }

    public static String id(int id) {
        return Integer.toUnsignedString(id);
    }
}
