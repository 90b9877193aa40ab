package io.quiver.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class Common {
    @Option(names = {"-q", "--quiet"}, description = "no progress bars or informational messages on stderr")
    void quiet(boolean q) {
        Cli.quiet = q;
    }

    @Option(names = "--immutable", description = "promise that no process writes the store while this command runs (read-only media, an image): "
            + "open it without lock.mdb, which a read-only file system does not allow (commands that only read)")
    void immutable(boolean i) {
        Cli.immutable = i;
    }

    @Option(names = "--debug", description = "print stack traces with errors")
    void debug(boolean d) {
        Cli.debug = d;
    }
}
