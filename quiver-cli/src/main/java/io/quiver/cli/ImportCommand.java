package io.quiver.cli;

import io.quiver.distance.DistanceKind;
import io.quiver.storage.Store;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Import vectors from .fvecs/.bvecs/.npy/.csv/.tsv/.jsonl into an index.",
        description = {"Adds the vectors of FILE to an index (created when absent), in one transaction: a bad line commits nothing.",
            "Formats by extension: .fvecs, .bvecs, .npy (2-D float32, C order), .csv/.tsv (one vector a line, optional header "
                    + "with an 'id' column), .jsonl ({\"id\": 7, \"vector\": [...]}).",
            "Ids are taken from the file when it has them, else row number + --first-id. Run 'quiver build' afterwards, or give --build."})
final class ImportCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--db", required = true, paramLabel = "DIR", description = "store directory (created when absent)")
    Path db;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0", description = "index number 0..65534 (default ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--distance", paramLabel = "D",
            description = "euclidean, manhattan, cosine, dot, hamming, bq-euclidean, bq-cosine, bq-manhattan (needed to create the index)")
    String distance;

    @Option(names = "--dimensions", paramLabel = "N", description = "expected dimensions (default: from the file or the index)")
    Integer dimensions;

    @Option(names = "--first-id", paramLabel = "I", defaultValue = "0", description = "id of the first row for files without ids (default ${DEFAULT-VALUE})")
    long firstId;

    @Option(names = "--build", paramLabel = "forest|hnsw",
            description = "also build the index in the same transaction (an existing index keeps its parameters and must be of this family; a new one gets the defaults), so searches never see it unbuilt")
    String build;

    @Parameters(paramLabel = "FILE", description = "the vectors")
    Path file;

    @Override
    public Integer call() {
        DistanceKind kind = distance == null ? null : DistanceKind.parse(distance);
        if (firstId < 0 || firstId > Ranges.MAX_ID) {
            throw CliException.usage("--first-id must be in 0.." + Ranges.MAX_ID);
        }
        if (dimensions != null && dimensions <= 0) {
            throw CliException.usage("--dimensions must be positive");
        }
        io.quiver.storage.Keys.checkIndex(index);
        if (!java.nio.file.Files.exists(file)) {
            throw new CliException(ExitCodes.NOT_FOUND, file + ": no such file");
        }
        if (kind == null && (java.nio.file.Files.notExists(db) || java.nio.file.Files.isDirectory(db) && java.nio.file.Files.notExists(db.resolve("data.mdb")))) {
            // refused before the store is created, so that a failed first import leaves no files
            throw CliException.usage("index " + index + " does not exist yet: give --distance to create it");
        }
        io.quiver.index.Algorithm algo = build == null ? null : BuildCommand.parseAlgo(build, "--build");
        long t0 = System.nanoTime();
        double[] buildSeconds = {0};
        return importInto(kind, algo, t0, buildSeconds);
    }

    private Integer importInto(DistanceKind kind, io.quiver.index.Algorithm algo, long t0, double[] buildSeconds) {
        try (Store store = Cli.openStore(db, Cli.Access.CREATE)) {
            Importer.Result r = store.writeAndReturn(txn -> {
                if (algo != null) {
                    BuildParams.requireSameFamily(txn, index, algo);
                }
                Importer.Result imported = Importer.run(txn, file, index, kind, dimensions, firstId);
                if (algo != null) {
                    buildSeconds[0] = BuildParams.buildInSameTransaction(txn, index, algo);
                }
                return imported;
            });
            long t = System.nanoTime() - t0 - (long) (buildSeconds[0] * 1e9); // the import alone
            System.out.flush();
            String ids = r.maxId() - r.minId() + 1 == r.count() ? "ids " + r.minId() + ".." + r.maxId() : "ids from " + r.minId() + " to " + r.maxId();
            CliOut.println(String.format(java.util.Locale.ROOT, "imported %d vectors (%s, %d dimensions, %s) into %sindex %d of %s in %s%s",
                    r.count(), ids, r.dims(), r.kind().cliName(), r.created() ? "new " : "", index, store.directory(), Cli.seconds(t),
                    r.replaced() == 0 ? "" : "; " + r.replaced() + " of them replaced the vectors those ids held"));
            if (algo != null) {
                CliOut.println(BuildParams.builtInSameTransaction(index, algo, buildSeconds[0]));
            } else {
                Cli.info("next: quiver build --db %s --index %d --algo forest|hnsw", db, index);
            }
        }
        return ExitCodes.OK;
    }
}
