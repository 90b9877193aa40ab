package io.quiver.cli;

import io.quiver.index.ItemStore;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.roaringbitmap.RoaringBitmap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Delete items from an index (applied by the next build).",
        description = {"Deletes items from an index (in one transaction). The next 'quiver build' removes them from the structure; "
                    + "until then readers of the index get a 'needs build' error."})
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory")
    Path db;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0", description = "index number (default ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--ids", required = true, paramLabel = "IDS", description = "ids and inclusive ranges, e.g. 1,2,10-20")
    String ids;

    @Option(names = "--build", paramLabel = "forest|hnsw",
            description = "also build the index in the same transaction (it keeps its parameters and must be of this family), so searches never see it unbuilt")
    String build;

    @Override
    public Integer call() {
        RoaringBitmap wanted = Ranges.parse(ids, "--ids");
        io.quiver.storage.Keys.checkIndex(index);
        io.quiver.index.Algorithm algo = build == null ? null : BuildCommand.parseAlgo(build, "--build");
        double[] buildSeconds = {0};
        try (Store store = Cli.openStore(db, Cli.Access.WRITE)) {
            long[] deleted = store.writeAndReturn(txn -> {
                if (algo != null) {
                    BuildParams.requireSameFamily(txn, index, algo);
                }
                ItemStore items = ItemStore.open(txn, index);
                RoaringBitmap present = RoaringBitmap.and(wanted, items.currentIds());
                long n = 0;
                for (int id : present) {
                    if (items.delete(id)) {
                        n++;
                    }
                }
                if (algo != null) {
                    buildSeconds[0] = BuildParams.buildInSameTransaction(txn, index, algo);
                }
                return new long[] {n};
            });
            long absent = wanted.getLongCardinality() - deleted[0];
            CliOut.println("deleted " + deleted[0] + " item(s) from index " + index + (absent > 0 ? " (" + absent + " id(s) were not in the index)" : ""));
            if (algo != null) {
                CliOut.println(BuildParams.builtInSameTransaction(index, algo, buildSeconds[0]));
            } else if (deleted[0] > 0) {
                Cli.info("next: quiver build --db %s --index %d --algo forest|hnsw", db, index);
            }
        }
        return ExitCodes.OK;
    }
}
