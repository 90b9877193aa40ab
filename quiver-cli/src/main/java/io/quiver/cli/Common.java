package io.quiver.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class Common {
    @Option(names = {"-q", "--quiet"}, description = "no progress bars or informational messages on stderr")
    void quiet(boolean q) {
        Cli.quiet = q;
    }

    @Option(names = "--debug", description = "print stack traces with errors")
    void debug(boolean d) {
        Cli.debug = d;
    }
}
