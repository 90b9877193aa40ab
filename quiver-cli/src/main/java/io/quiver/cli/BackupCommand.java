package io.quiver.cli;

import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Copy a store consistently into another directory.",
        description = "Writes a consistent, compacted copy of a store (its last commit) into an absent or empty directory. "
                + "Safe while other processes read and write.")
final class BackupCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--to", required = true, paramLabel = "DIR2", description = "target directory (absent or empty)")
    Path to;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        try (Store store = Cli.openStore(db, Cli.Access.READ)) {
            if (to.toAbsolutePath().normalize().equals(store.directory().toAbsolutePath().normalize())) {
                throw CliException.usage("--to must differ from --db");
            }
            store.copyTo(to);
        }
        long bytes = 0;
        try {
            bytes = java.nio.file.Files.size(to.resolve("data.mdb"));
        } catch (java.io.IOException ignored) {
            // reported as 0
        }
        CliOut.println("backed up " + db + " to " + to + " (" + Cli.bytes(bytes) + ") in " + Cli.seconds(System.nanoTime() - t0));
        return ExitCodes.OK;
    }
}
